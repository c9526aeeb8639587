/**
 * Mastodon's own count (docs/mastodon.md, "Limits"): a status is measured in grapheme clusters, with every
 * http(s) URL counted as `charactersReservedPerUrl` (23) whatever its length, and the content warning counted
 * with the text. The numbers come from the instance (GET /api/v2/instance), so they are data, not constants.
 */
import { graphemeCount, hasAtMostGraphemes } from '../../compose/segment.js';
import { scanUrls } from '../../compose/urls.js';

export interface MastodonLimits {
  /** configuration.statuses.max_characters: text plus content warning. */
  maxCharacters: number;
  /** configuration.statuses.characters_reserved_per_url: what any URL counts. */
  charactersReservedPerUrl: number;
  /** configuration.statuses.max_media_attachments. */
  maxMediaAttachments: number;
}

/** What a stock Mastodon answers; used until the instance has said, and when it says nothing. */
export const MASTODON_DEFAULT_LIMITS: Readonly<MastodonLimits> = Object.freeze({ maxCharacters: 500, charactersReservedPerUrl: 23, maxMediaAttachments: 4 });

/**
 * The text as Mastodon counts it: each URL with a scheme stands for that many characters. Mastodon extracts
 * URLs with twitter-text's pattern and without protocol-less ones, so a bare "example.org" counts as typed.
 * A mention "@user@domain" counts only "@user" on Mastodon; it is counted whole here, which can only over-count.
 */
function countable(text: string, urlWeight: number): string {
  const urls = scanUrls(text, { withoutProtocol: false });
  if (urls.length === 0) return text;
  let out = '';
  let at = 0;
  for (const { start, end } of urls) {
    out += text.slice(at, start) + 'x'.repeat(urlWeight);
    at = end;
  }
  return out + text.slice(at);
}

/** Whether the text holds a URL Mastodon links (and builds a preview card from, when the status has no media). */
export function holdsUrl(text: string): boolean {
  return scanUrls(text, { withoutProtocol: false }).length > 0;
}

/** Characters Mastodon counts for this text with this content warning. */
export function countMastodon(text: string, limits: Pick<MastodonLimits, 'charactersReservedPerUrl'>, spoilerText = ''): number {
  return graphemeCount(spoilerText) + graphemeCount(countable(text, limits.charactersReservedPerUrl));
}

/** Would the instance take this text (with this content warning)? Cheap first: a grapheme is at least one code unit. */
export function fitsMastodon(text: string, limits: Pick<MastodonLimits, 'maxCharacters' | 'charactersReservedPerUrl'>, spoilerText = ''): boolean {
  if (text.trim().length === 0) return false;
  const room = limits.maxCharacters - graphemeCount(spoilerText);
  if (room <= 0) return false;
  const counted = countable(text, limits.charactersReservedPerUrl);
  return counted.length <= room || hasAtMostGraphemes(counted, room);
}
