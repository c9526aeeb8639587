import { redactUrl } from '../http/redact-url.js';

const FEED_TYPES = new Set(['application/rss+xml', 'application/atom+xml', 'application/rdf+xml', 'application/feed+json']);
// [^<>]: each attempt stops at the next tag, so the scan stays linear however many unclosed "<link" there are.
const LINK_TAG = /<link\b[^<>]*>/gi;
const ATTRIBUTE = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;

/**
 * The feeds an HTML page advertises with `<link rel="alternate" type="application/rss+xml" href="…">` (or Atom,
 * RDF, JSON Feed), in page order, for the message that says the configured URL is a page and not its feed. Only
 * named, never fetched: the operator decides. An href is resolved against the page's URL when that is http(s);
 * what goes into the message is an http(s) URL as the URL parser writes it (no spaces or control characters),
 * with credentials and secret-looking parameters masked, or, when it cannot be resolved, nothing.
 */
export function advertisedFeeds(html: string, pageUrl: string | undefined): string[] {
  // The <head> is at the start; a page is allowed to be large, the scan is not.
  const head = html.slice(0, 256 * 1024);
  const found: string[] = [];
  for (const [tag] of head.matchAll(LINK_TAG)) {
    const attrs = attributes(tag.slice(5));
    const rel = (attrs.get('rel') ?? '').toLowerCase().split(/\s+/);
    const type = (attrs.get('type') ?? '').toLowerCase().split(';')[0]!.trim();
    const href = attrs.get('href');
    if (!rel.includes('alternate') || !FEED_TYPES.has(type) || !href) continue;
    const url = resolveHttp(decodeBasicEntities(href.trim()), pageUrl);
    if (url && !found.includes(url)) found.push(url);
  }
  return found;
}

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(ATTRIBUTE)) {
    const name = m[1]!.toLowerCase();
    if (!out.has(name)) out.set(name, m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

function decodeBasicEntities(s: string): string {
  return s.replace(/&(amp|#38|#x26);/gi, '&');
}

function resolveHttp(href: string, base: string | undefined): string | undefined {
  let url: URL;
  try {
    url = base && /^https?:\/\//i.test(base) ? new URL(href, base) : new URL(href);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? redactUrl(url) : undefined;
}
