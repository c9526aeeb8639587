import type { ChannelConfig, Config } from '../config/schema.js';
import { withChannelUtm } from '../compose/index.js';
import type { ComposedThread } from '../core/delivery.js';
import type { Item } from '../core/item.js';
import { tryComposeForChannel } from './compose-for-channel.js';
import { kitFor, kitOf } from './index.js';
import type { PartMeasure } from './kit.js';

/** A part with its count in the platform's own unit (X's weighted length, Bluesky's graphemes) and limit. */
export interface PartPreview extends PartMeasure {
  text: string;
}

/**
 * The thumb shown for a card the platform builds itself from the page (X): only shown, never uploaded, so
 * any size would do; the same as Bluesky's, so both previews share one cached fetch of the page.
 */
const SHOWN_THUMB_MAX_BYTES = 1_000_000;

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
  /** What this thread costs at the channel's prices, on a network that bills per post (X); else null. */
  costUsd: number | null;
  linkCard: CardPreview | null;
  linkCardProblem: string | null;
  /** Why the item cannot become a thread on this channel (then `parts` is empty); the other channels still show. */
  composeProblem: string | null;
}

/** The parts of a composed thread with each platform's own count and limit. */
export function measureThread(thread: ComposedThread): PartPreview[] {
  const kit = kitOf(thread.platform);
  return thread.parts.map((part) => ({ text: part.text, ...kit.measure(part) }));
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

  get(url: string, thumbMaxBytes: number): Promise<CardResult> {
    const key = `${thumbMaxBytes} ${url}`;
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.result;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const result = this.fetch(url, thumbMaxBytes);
    this.entries.set(key, { at: Date.now(), result });
    return result;
  }

  private async fetch(url: string, thumbMaxBytes: number): Promise<CardResult> {
    let problem: string | null = null;
    // Loaded on the first card: it brings sharp (about 28 MiB), which a page nobody opens never needs.
    const { fetchLinkPreview } = await import('../media/link-preview.js');
    const preview = await fetchLinkPreview(url, {
      // What an editor may see: not the internal address a refused host resolves to.
      onProblem: (_logged, shown) => (problem = shown),
      timeoutMs: this.web.timeoutMs,
      maxPageBytes: this.web.maxPageBytes,
      maxImageBytes: this.web.maxImageBytes,
      allowPrivateHosts: this.web.allowPrivateHosts,
      thumbMaxBytes,
    });
    if (!preview) return { card: null, problem };
    const thumb = preview.thumb ? `data:${preview.thumb.mimeType};base64,${preview.thumb.data.toString('base64')}` : null;
    return { card: { uri: preview.uri, title: preview.title, description: preview.description, thumb }, problem };
  }
}

/**
 * How `item` will look on each channel: the parts from the one compose function the publisher uses, their
 * counts, the cost where posts are billed, and the link card when the kit says the post shows one: the card
 * the publisher attaches (Bluesky), or the one the platform builds from the same page (X).
 */
export async function previewThread(item: Item, channel: ChannelConfig, cards: LinkCardCache): Promise<ChannelPreview> {
  const { thread, failure } = tryComposeForChannel(item, channel);
  if (failure) return { channelId: channel.id, platform: channel.platform, parts: [], costUsd: null, linkCard: null, linkCardProblem: null, composeProblem: failure.reason };
  const kit = kitFor(channel);
  const parts = measureThread(thread);
  const costUsd = kit.costUsd ? kit.costUsd(thread.parts, channel) : null;
  const wantsCard = item.url !== undefined && kit.showsLinkCard(item, thread.parts, channel);
  // As the publishers do: the page is fetched at the canonical URL, and the card points to the link as
  // posted, with the channel's UTM tags.
  const { card, problem } = wantsCard ? await cards.get(item.url!, kit.cardThumbMaxBytes ?? SHOWN_THUMB_MAX_BYTES) : { card: null, problem: null };
  const linkCard = card && { ...card, uri: withChannelUtm(item, channel).url ?? card.uri };
  return { channelId: channel.id, platform: channel.platform, parts, costUsd, linkCard, linkCardProblem: problem, composeProblem: null };
}
