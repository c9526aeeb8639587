/**
 * How a link reads on Bluesky. Bluesky counts a link's full text against the 300-grapheme limit (X
 * counts 23 whatever the length), so long links are shown short and the #link facet carries the full
 * URI — the same thing the official app does.
 */
import { hasAtMostGraphemes, takeGraphemes } from './segment.js';
import type { Token } from './tokens.js';

export const MAX_LINK_DISPLAY_GRAPHEMES = 40;

/** Up to `max` graphemes, the last one being "…" when something was dropped. */
function clip(text: string, max: number): string {
  return hasAtMostGraphemes(text, max) ? text : `${takeGraphemes(text, max - 1)}\u2026`;
}

/** Percent-decoded for reading, unless decoding would bring in spaces or controls that break the line. */
function readable(pathEtc: string): string {
  try {
    const decoded = decodeURI(pathEtc);
    return /[\s\p{Cc}\p{Cf}]/u.test(decoded) ? pathEtc : decoded;
  } catch {
    return pathEtc;
  }
}

/** The URL itself when short enough; else host+path (no scheme, no "www.") clipped with "…". */
export function shortLinkDisplay(uri: string, max = MAX_LINK_DISPLAY_GRAPHEMES): string {
  if (hasAtMostGraphemes(uri, max)) return uri;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return clip(uri.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^www\./i, ''), max);
  }
  const host = url.host.replace(/^www\./i, '');
  const rest = (url.pathname === '/' ? '' : url.pathname) + url.search + url.hash;
  return clip(host + readable(rest), max);
}

/** A summary token with each long link in it replaced by its short display; spans follow the new text. */
export function shortenTokenLinks(token: Token, max = MAX_LINK_DISPLAY_GRAPHEMES): Token {
  if (token.links.length === 0) return token;
  let text = '';
  let from = 0;
  const links = token.links.map((l) => {
    const original = token.text.slice(l.start, l.end);
    const shown = hasAtMostGraphemes(original, max) ? original : shortLinkDisplay(l.uri, max);
    text += token.text.slice(from, l.start);
    const start = text.length;
    text += shown;
    from = l.end;
    return { start, end: text.length, uri: l.uri };
  });
  text += token.text.slice(from);
  return { ...token, text, links };
}
