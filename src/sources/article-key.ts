import { identityOf } from './canonical-url.js';
import { sha256Hex } from './hash.js';

/**
 * Which article an item is, across every source a channel follows (issue #15): two feeds that carry the same
 * article give it the same key, whatever their GUIDs. In order:
 *
 * - `url:` the canonical link (tracking parameters already gone, see canonical-url.ts), written so that what does
 *   not tell articles apart does not count: http or https, a leading `www.`, the host's case, a default port, the
 *   fragment and a trailing slash on the path.
 * - `guid:` the entry's own id, when it has no link. A GUID is unique only within its feed ("1", "post-2"), so
 *   the key names the source too.
 * - `hash:` the text, when there is neither.
 *
 * A link that several entries of one feed share (a feed whose 99 items all point at its home page) says nothing
 * about which article an entry is: those entries are told apart by title, date and text (see sharedLinkKey).
 */
export function articleKey(fields: {
  url?: string;
  /** identityUrl(url), when the caller has it from parsing the link (canonicalUrl gives it): not parsed again. */
  urlIdentity?: string;
  guid?: string;
  sourceId: string;
  contentHash?: string;
}): string {
  if (fields.url) return `url:${fields.urlIdentity ?? identityUrl(fields.url)}`;
  if (fields.guid) return `guid:${fields.sourceId}:${fields.guid}`;
  // Only an item with neither needs its text hashed for its key (a polled item's body is cleaned on demand).
  if (fields.contentHash === undefined) throw new Error('articleKey: an item with neither link nor GUID needs its content hash');
  return `hash:${fields.contentHash}`;
}

/** The key of an entry whose link other entries of its feed share, and which has no GUID. */
export function sharedLinkKey(fields: { sourceId: string; title?: string; publishedAt?: string; contentHash: string }): string {
  return `entry:${fields.sourceId}:${sha256Hex([fields.title ?? '', fields.publishedAt ?? '', fields.contentHash])}`;
}

/** `url` (already canonical) without what does not tell two articles apart: `//host/path?query`. */
export function identityUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  return identityOf(u);
}
