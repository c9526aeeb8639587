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
 * How much work twitter-text's URL pattern may do on one piece of text, in characters read. The pattern tries a
 * URL at every position that follows a character other than an ASCII letter, digit, "@", "$" or "#", and from
 * each reads on for as long as a domain could go on: letters of any script, digits, combining marks, emoji, "-",
 * "." and "_", up to any other ASCII punctuation or whitespace. On a long run of such characters where most
 * positions are tried (CJK, a grapheme of thousands of combining marks, "a-a-a-…") that is time quadratic in the
 * run: one grapheme of 16,000 combining marks beside a link, which Mastodon counts as one character, took 2.5 s
 * per measurement. A real link costs far less: its host is at most 63 characters a label, and a long path segment
 * (a base64 id) is tried only after its few "-" and "_". The costliest link of the real-feed corpus (a 340-character
 * Google redirect) costs 2,319; its costliest word, 152 characters of Chinese without a space, 10,984.
 */
export const URL_SCAN_BUDGET = 65_536;

/** Ends how far a domain can be read on: ASCII punctuation but "-", "." and "_" (a word holds no whitespace). */
const endsRun = (c: number): boolean =>
  (c >= 0x21 && c <= 0x2c) || c === 0x2f || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x5e) || c === 0x60 || (c >= 0x7b && c <= 0x7e);
/** A character after which twitter-text tries no URL (its validUrlPrecedingChars, negated). */
const noUrlAfter = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
  c === 0x40 || c === 0x24 || c === 0x23 || c === 0xff20 || c === 0xff03 || c === 0xfeff || c === 0xfffe || c === 0xffff;
/** Below this length a word cannot cost more than URL_SCAN_BUDGET (n(n+1)/2 at most), so it is not walked. */
const SHORT_WORD = 256;

/**
 * The pieces of `text` twitter-text reads one at a time. First its whitespace-separated words: no URL holds
 * whitespace, and whitespace before a URL counts as the start of the text does, so each word alone gives what the
 * whole text gives. A word whose reading would cost more than URL_SCAN_BUDGET is cut where it does (never between
 * the halves of a surrogate pair), so the time grows with the length of the text, not with its square. Only such a
 * cut can make the result differ from twitter-text's over the whole text, and only inside a run no real link has.
 */
export function urlScanPieces(text: string): Array<{ start: number; end: number }> {
  const pieces: Array<{ start: number; end: number }> = [];
  for (const word of text.matchAll(/\S+/g)) {
    const start = word.index;
    const end = start + word[0].length;
    let pieceStart = start;
    if (end - start > SHORT_WORD) {
      let cost = 0;
      // Positions in the current run where a URL may start: each reads on through every later character of the run.
      let open = 0;
      for (let i = start; i < end; i++) {
        const c = text.charCodeAt(i);
        if (endsRun(c)) {
          open = 0;
          continue;
        }
        if (i === pieceStart || !noUrlAfter(text.charCodeAt(i - 1))) open += 1;
        cost += open;
        if (cost <= URL_SCAN_BUDGET || (c >= 0xdc00 && c <= 0xdfff)) continue;
        pieces.push({ start: pieceStart, end: i });
        pieceStart = i;
        open = 1;
        cost = 1;
      }
    }
    pieces.push({ start: pieceStart, end });
  }
  return pieces;
}

/**
 * twitter-text's extractUrlsWithIndices, read piece by piece (urlScanPieces), so that its time grows with the
 * text's length, not with its square. `withoutProtocol: false` finds only URLs with a scheme, as Mastodon does.
 */
export function scanUrls(text: string, opts: { withoutProtocol?: boolean } = {}): UrlSpan[] {
  const withoutProtocol = opts.withoutProtocol ?? true;
  if (!mayHoldUrl(text) || (!withoutProtocol && !text.includes(':'))) return [];
  const found: UrlSpan[] = [];
  for (const { start, end } of urlScanPieces(text)) {
    const piece = text.slice(start, end);
    if (!mayHoldUrl(piece)) continue;
    for (const { url, indices } of extractUrlsWithIndices(piece, { extractUrlsWithoutProtocol: withoutProtocol })) {
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
