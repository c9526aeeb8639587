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

// twitter-text's URL pattern backtracks: on dotted junk ("a.a.a.…", "我.我.…") it takes time quadratic in the
// length of the text. Every URL it can return has a domain that ends in "." and one of its own TLD patterns, so
// text without one is answered at once, with the same (empty) result.
const MAY_HOLD_URL = new RegExp(
  `\\.(?:${regexen.validGTLD.source}|${regexen.validCCTLD.source}|${regexen.validPunycode.source})`,
  'i',
);

/** False when twitter-text can find no URL in `text`; true means it may. */
export function mayHoldUrl(text: string): boolean {
  return MAY_HOLD_URL.test(text);
}

export function findUrls(text: string): LinkSpan[] {
  if (!mayHoldUrl(text)) return [];
  return extractUrlsWithIndices(text).map(({ url, indices: [start, end] }) => ({
    start,
    end,
    uri: /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`,
  }));
}
