import { safeDecode } from '../http/redact-url.js';

/**
 * Query parameters that only track a click and never select content. Removed from canonical URLs.
 * Matched case-insensitively; every parameter starting with `utm_` is removed as well.
 */
export const TRACKING_PARAMS: ReadonlySet<string> = new Set([
  'fbclid', 'gclid', 'gclsrc', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'ttclid', 'li_fat_id',
  'mc_cid', 'mc_eid', 'igshid', 'mibextid', 'srsltid',
  '_hsenc', '_hsmi', '__hstc', '__hssc', '__hsfp', 'hsctatracking',
  'mkt_tok', 'ref', 'ref_src', 'ref_url', '_ga', '_gl', 'spm', 'scm',
  'oly_anon_id', 'oly_enc_id', 'vero_id', 'vero_conv', 'wickedid', 'rb_clickid', 's_kwcid', 'ef_id',
]);

/**
 * Whether a query parameter only tracks a click: `utm_*`, the default list, or a name the operator added. `ref` is
 * a tracker when it names a place ("ref=rss", "ref=home"); a number there is an old CMS's article id (`?ref=1234`).
 */
export function isTrackingParam(name: string, extra: ReadonlySet<string> = NO_EXTRA, value = ''): boolean {
  const key = name.toLowerCase();
  if (key === 'ref' && /^\d+$/u.test(value) && !extra.has(key)) return false;
  return key.startsWith('utm_') || TRACKING_PARAMS.has(key) || extra.has(key);
}

/** The tracking list and rules of the release before article identity (for reading its store): no ref, spm or scm, no "amp;". */
const PREVIOUS_RELEASE_EXTRA: ReadonlySet<string> = new Set();

const NO_EXTRA: ReadonlySet<string> = new Set();
/** Names this release added to TRACKING_PARAMS; the previous release kept them in links (and in ids made of links). */
const NEW_IN_THIS_RELEASE: ReadonlySet<string> = new Set(['ref', 'spm', 'scm']);

export type CanonicalUrl =
  | {
      ok: true;
      url: string;
      /** What tells this article apart from others (article-key.ts `identityUrl`), from the same parse. */
      identity: string;
    }
  | { ok: false; reason: string };

/** An absolute http(s) URL: it resolves to itself against any base, so none is parsed for it. */
const ABSOLUTE_HTTP = /^https?:\/\//i;

/**
 * Resolve `raw` against `base`, keep only http(s), drop the fragment and tracking parameters, and read a
 * twice-escaped "&amp;" between parameters as the "&" it stands for.
 * Host lowercasing, default-port removal and percent-encoding normalisation come from the WHATWG URL parser.
 * The remaining query parameters keep their order and their exact encoding.
 */
export function canonicalUrl(raw: string, base?: string, extraTracking?: ReadonlySet<string>, rules: 'current' | 'previous-release' = 'current'): CanonicalUrl {
  const text = raw.trim();
  if (!text) return { ok: false, reason: 'empty link' };
  let url: URL;
  try {
    // A feed's links are nearly all absolute: parsing the base for each one was most of the time here. (So an
    // absolute link is taken even beside a base that is no URL; every caller gives a parsed base or none.)
    url = base && !ABSOLUTE_HTTP.test(text) ? new URL(text, base) : new URL(text);
  } catch {
    return { ok: false, reason: base ? `link ${quote(text)} is not a valid URL` : `link ${quote(text)} is relative and the feed has no base URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `link ${quote(text)} is not http(s)` };
  }
  if (!url.hostname) return { ok: false, reason: `link ${quote(text)} has no host` };
  // A fragment comes only from a "#"; setting the hash re-serialises the URL.
  if (text.includes('#')) url.hash = '';
  if (url.search) {
    const kept = url.search
      .slice(1)
      .split('&')
      // An "&" escaped twice by the feed ("&amp;" inside CDATA) still separates parameters: "amp;" names none.
      .map((part) => (rules === 'current' && part.startsWith('amp;') ? part.slice(4) : part))
      .filter((part) => {
        if (part === '') return false;
        const eq = part.indexOf('=');
        const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
        if (rules === 'previous-release') return !(isTrackingParam(name, PREVIOUS_RELEASE_EXTRA) && !NEW_IN_THIS_RELEASE.has(name.toLowerCase()));
        return !isTrackingParam(name, extraTracking, eq < 0 ? '' : safeDecode(part.slice(eq + 1)));
      });
    url.search = kept.length ? `?${kept.join('&')}` : '';
  }
  return { ok: true, url: url.href, identity: identityOf(url) };
}

/** `url` without what does not tell two articles apart: `//host/path?query` (see article-key.ts). */
export function identityOf(url: URL): string {
  const hostname = url.hostname.toLowerCase();
  const host = hostname.startsWith('www.') ? hostname.slice(4) : hostname;
  const port = url.port ? `:${url.port}` : '';
  return `//${host}${port}${withoutTrailingSlashes(url.pathname)}${url.search}`;
}

/** A path without the slashes it ends with; '' for "/" alone. */
function withoutTrailingSlashes(path: string): string {
  if (path.length <= 1) return '';
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return end === path.length ? path : path.slice(0, end);
}

/** A base URL for resolving others, or undefined when `raw` cannot serve as one. */
export function resolveBase(raw: string | undefined, base?: string): string | undefined {
  if (!raw?.trim()) return base;
  try {
    return (base ? new URL(raw.trim(), base) : new URL(raw.trim())).href;
  } catch {
    return base;
  }
}

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}
