import type { ChannelConfig, Config } from '../config/schema.js';
import { BLUESKY_MAX_GRAPHEMES, estimateXCostUsd, fitsBluesky, fitsX, withChannelUtm, X_MAX_WEIGHTED_LENGTH, type BlueskyPart, type XPart } from '../compose/index.js';
import type { ComposedThread } from '../core/delivery.js';
import type { Item } from '../core/item.js';
import { fetchLinkPreview } from '../media/link-preview.js';
import { CARD_THUMB_MAX_BYTES } from './bluesky/publisher.js';
import { tryComposeForChannel } from './compose-for-channel.js';

export interface PartPreview {
  text: string;
  /** In the platform's own unit: X's weighted length, Bluesky's graphemes. */
  length: number;
  limit: number;
  unit: 'weighted characters' | 'graphemes';
  valid: boolean;
}

export interface CardPreview {
  uri: string;
  title: string;
  description: string;
  /** The re-encoded thumb as a data: URL, exactly the image the card will carry. */
  thumb: string | null;
}

export interface ChannelPreview {
  channelId: string;
  platform: ChannelConfig['platform'];
  parts: PartPreview[];
  /** X only: what this thread costs at the channel's prices. */
  costUsd: number | null;
  linkCard: CardPreview | null;
  linkCardProblem: string | null;
  /** Why the item cannot become a thread on this channel (then `parts` is empty); the other channels still show. */
  composeProblem: string | null;
}

/** The parts of a composed thread with each platform's own count and limit. */
export function measureThread(thread: ComposedThread): PartPreview[] {
  if (thread.platform === 'x') {
    return (thread.parts as XPart[]).map((p) => ({ text: p.text, length: p.weightedLength, limit: X_MAX_WEIGHTED_LENGTH, unit: 'weighted characters', valid: fitsX(p.text) }));
  }
  return (thread.parts as BlueskyPart[]).map((p) => ({ text: p.text, length: p.graphemes, limit: BLUESKY_MAX_GRAPHEMES, unit: 'graphemes', valid: fitsBluesky(p.text) }));
}

type CardResult = { card: CardPreview | null; problem: string | null };

/**
 * Link cards for previews, fetched once per URL for a while: an editor typing must not fetch the page on
 * every keystroke. The fetch goes through the same SSRF guard and limits as the publisher's.
 */
export class LinkCardCache {
  private readonly entries = new Map<string, { at: number; result: Promise<CardResult> }>();

  constructor(
    private readonly web: Config['web'],
    private readonly ttlMs = 10 * 60_000,
    private readonly maxEntries = 200,
  ) {}

  get(url: string): Promise<CardResult> {
    const hit = this.entries.get(url);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.result;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const result = this.fetch(url);
    this.entries.set(url, { at: Date.now(), result });
    return result;
  }

  private async fetch(url: string): Promise<CardResult> {
    let problem: string | null = null;
    const preview = await fetchLinkPreview(url, {
      onProblem: (p) => (problem = p),
      timeoutMs: this.web.timeoutMs,
      maxPageBytes: this.web.maxPageBytes,
      maxImageBytes: this.web.maxImageBytes,
      allowPrivateHosts: this.web.allowPrivateHosts,
      thumbMaxBytes: CARD_THUMB_MAX_BYTES,
    });
    if (!preview) return { card: null, problem };
    const thumb = preview.thumb ? `data:${preview.thumb.mimeType};base64,${preview.thumb.data.toString('base64')}` : null;
    return { card: { uri: preview.uri, title: preview.title, description: preview.description, thumb }, problem };
  }
}

/**
 * How `item` will look on each channel: the parts from the one compose function the publisher uses, their
 * counts, X's cost, and the link card. On Bluesky the card is the one the publisher attaches (when the item
 * has a link and no images); X builds its own card from the same page, so the page's card is shown there too.
 */
export async function previewThread(item: Item, channel: ChannelConfig, cards: LinkCardCache): Promise<ChannelPreview> {
  const { thread, failure } = tryComposeForChannel(item, channel);
  if (failure) return { channelId: channel.id, platform: channel.platform, parts: [], costUsd: null, linkCard: null, linkCardProblem: null, composeProblem: failure.reason };
  const parts = measureThread(thread);
  const costUsd = channel.platform === 'x' ? estimateXCostUsd(thread.parts as XPart[], channel.prices) : null;
  const wantsCard = item.url !== undefined && (channel.platform === 'x' ? thread.parts.some((p) => (p as XPart).containsUrl) : channel.cards && item.images.length === 0);
  // As the publisher does (BlueskyPublisher.linkCard): the page is fetched at the canonical URL, and the card
  // points to the link as posted, with the channel's UTM tags.
  const { card, problem } = wantsCard ? await cards.get(item.url!) : { card: null, problem: null };
  const linkCard = card && { ...card, uri: withChannelUtm(item, channel).url ?? card.uri };
  return { channelId: channel.id, platform: channel.platform, parts, costUsd, linkCard, linkCardProblem: problem, composeProblem: null };
}
