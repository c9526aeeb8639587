/**
 * URL detection. One detector for both platforms, and it is X's: what X bills as "a post with a URL"
 * (including bare domains like example.com) is exactly what we treat as an unbreakable link and what
 * gets a #link facet on Bluesky.
 */
import { extractUrlsWithIndices, regexen } from './twitter-text.js';

/** A link inside some text: UTF-16 offsets, end exclusive, and the absolute URI it points to. */
export interface LinkSpan {
  start: number;
  end: number;
  uri: string;
}

/** A URL as twitter-text finds it: its text and UTF-16 offsets in the text searched, end exclusive. */
export interface UrlSpan {
  url: string;
  start: number;
  end: number;
}

// twitter-text's URL pattern backtracks: on dotted junk ("a.a.a.…", "我.我.…") it takes time quadratic in the
// length of the text. Every URL it can return has a domain that ends in "." and one of its own TLD patterns, so
// text without one is answered at once, with the same (empty) result.
const MAY_HOLD_URL = new RegExp(
  `\\.(?:${regexen.validGTLD.source}|${regexen.validCCTLD.source}|${regexen.validPunycode.source})`,
  'i',
);

/** False when twitter-text can find no URL in `text`; true means it may. */
function mayHoldUrl(text: string): boolean {
  return MAY_HOLD_URL.test(text);
}

/**
 * The pieces of `text` twitter-text reads one at a time: each whitespace-separated word that may hold a URL, with
 * the character before it. No URL holds whitespace, so a match never runs from one word into the next; and
 * twitter-text's pattern takes one character before a URL as its own (it tries that before the start of the text),
 * so each word is read with the whitespace before it, as the whole text gives it. Word by word, a long run of
 * letters, CJK, emoji or combining marks costs its quadratic time only when a link is in the same word: one grapheme
 * of 16,000 combining marks anywhere on a link's line took 2.5 s per measurement, and a Mastodon part can hold it
 * (it counts as one character).
 */
export function urlScanPieces(text: string): Array<{ start: number; end: number }> {
  const pieces: Array<{ start: number; end: number }> = [];
  for (const word of text.matchAll(/\S+/g)) {
    if (mayHoldUrl(word[0])) pieces.push({ start: Math.max(0, word.index - 1), end: word.index + word[0].length });
  }
  return pieces;
}

/**
 * twitter-text's extractUrlsWithIndices, word by word (urlScanPieces): the same URLs as over the whole text, without
 * reading a word that holds none. `withoutProtocol: false` finds only URLs with a scheme, as Mastodon does.
 */
export function scanUrls(text: string, opts: { withoutProtocol?: boolean } = {}): UrlSpan[] {
  const withoutProtocol = opts.withoutProtocol ?? true;
  if (!mayHoldUrl(text) || (!withoutProtocol && !text.includes(':'))) return [];
  const found: UrlSpan[] = [];
  for (const { start, end } of urlScanPieces(text)) {
    for (const { url, indices } of extractUrlsWithIndices(text.slice(start, end), { extractUrlsWithoutProtocol: withoutProtocol })) {
      found.push({ url, start: start + indices[0], end: start + indices[1] });
    }
  }
  return found;
}

export function findUrls(text: string): LinkSpan[] {
  return scanUrls(text).map(({ url, start, end }) => ({
    start,
    end,
    uri: /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`,
  }));
}
