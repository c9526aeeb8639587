/**
 * URL detection. One detector for both platforms, and it is X's: what X bills as "a post with a URL"
 * (including bare domains like example.com) is exactly what we treat as an unbreakable link and what
 * gets a #link facet on Bluesky.
 */
import { extractUrls, type FoundUrl } from './url-scan.js';

/** A link inside some text: UTF-16 offsets, end exclusive, and the absolute URI it points to. */
export interface LinkSpan {
  start: number;
  end: number;
  uri: string;
}

/**
 * The URLs twitter-text's extractUrlsWithIndices finds in `text`, found in time linear in its length
 * (src/compose/url-scan.ts): twitter-text's own pattern is quadratic on a long word that holds a link.
 * `withoutProtocol: false` finds only URLs with a scheme, as Mastodon does.
 */
export function scanUrls(text: string, opts: { withoutProtocol?: boolean } = {}): FoundUrl[] {
  return extractUrls(text, opts.withoutProtocol ?? true);
}

export function findUrls(text: string): LinkSpan[] {
  return scanUrls(text).map(({ url, start, end }) => ({
    start,
    end,
    uri: /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`,
  }));
}
