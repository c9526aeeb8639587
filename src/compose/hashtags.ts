/**
 * Item tags (feed categories) as hashtags. Categories are free text ("Machine learning", "C++",
 * "2024"); a hashtag that a platform would not recognise is worse than none, so anything that cannot
 * be one is dropped rather than posted as dead text.
 */
import { cleanText } from './normalize.js';
import { graphemeCount } from './segment.js';

/** Bluesky's limit for a tag facet; X has none that matters at this size. */
const MAX_TAG_GRAPHEMES = 64;
const MAX_TAG_INPUT = 1024;

function upperFirst(word: string): string {
  const [first = '', ...rest] = [...word];
  return first.toUpperCase() + rest.join('');
}

/** "machine learning" → "#MachineLearning", "C++" → "#C"; undefined when nothing valid is left. */
export function toHashtag(tag: string): string | undefined {
  // No category anyone wrote is this long, and one that is would cost time for nothing.
  if (tag.length > MAX_TAG_INPUT) return undefined;
  const words = Array.from(cleanText(tag).trim().replace(/^[#＃]+/u, '').matchAll(/\S+/gu), (m) => m[0]);
  const joined = words.length > 1 ? words.map(upperFirst).join('') : (words[0] ?? '');
  // Letters, combining marks, digits and "_" are what both X and Bluesky accept inside a hashtag.
  const body = joined.replace(/[^\p{L}\p{M}\p{Nd}_]/gu, '');
  // Purely numeric "#2024" is not a hashtag on either platform.
  if (!/[\p{L}\p{M}]/u.test(body)) return undefined;
  if (graphemeCount(body) > MAX_TAG_GRAPHEMES) return undefined;
  return `#${body}`;
}

/** The first `max` distinct usable hashtags, in the item's order (case-insensitive de-duplication). */
export function hashtagsFor(tags: readonly string[], max: number): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const tag of tags) {
    if (out.length >= max) break;
    const h = toHashtag(tag);
    if (!h || seen.has(h.toLowerCase())) continue;
    seen.add(h.toLowerCase());
    out.push(h);
  }
  return out;
}
