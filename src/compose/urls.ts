/**
 * URL detection. One detector for both platforms, and it is X's: what X bills as "a post with a URL"
 * (including bare domains like example.com) is exactly what we treat as an unbreakable link and what
 * gets a #link facet on Bluesky.
 */
import { extractUrlsWithIndices } from './twitter-text.js';

/** A link inside some text: UTF-16 offsets, end exclusive, and the absolute URI it points to. */
export interface LinkSpan {
  start: number;
  end: number;
  uri: string;
}

export function findUrls(text: string): LinkSpan[] {
  return extractUrlsWithIndices(text).map(({ url, indices: [start, end] }) => ({
    start,
    end,
    uri: /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`,
  }));
}
