import { extractLinkCard } from '../compose/link-card.js';
import { describeError, ThreadcastError } from '../core/errors.js';
import { decodeBody } from '../sources/decode-body.js';
import { blockedAddressIn } from '../http/address-guard.js';
import { redactUrl } from '../http/redact-url.js';
import { guardedFetch } from './guarded-fetch.js';
import { loadImage, prepareImage, type ImageMimeType } from './images.js';

export interface LinkPreviewOptions {
  /** Applies to the page fetch and, separately, to the image fetch. */
  timeoutMs: number;
  maxPageBytes: number;
  /** Cap on the image as downloaded, before re-encoding. */
  maxImageBytes: number;
  allowPrivateHosts: readonly string[];
  /** Cap on the re-encoded thumb (Bluesky: 1,000,000). */
  thumbMaxBytes: number;
  /** Longest side of the thumb; default 2000. */
  thumbMaxDimension?: number;
  userAgent?: string;
  /**
   * Told what went wrong, for the log (no secrets): whenever the result is `undefined`, and when the card comes
   * without its thumb (then also in `problem`). `shown` is the same for people who are not the operator (an
   * editor's preview): it does not say which internal address a refused host name resolves to.
   */
  onProblem?: (problem: string, shown: string) => void;
}

export interface LinkPreview {
  /** The URL as given: the page fetched. A post whose link carries UTM tags points its card to that link instead. */
  uri: string;
  title: string;
  description: string;
  thumb?: { data: Buffer; mimeType: ImageMimeType; width: number; height: number };
  /** Set when the card is incomplete (the image could not be had), saying why. */
  problem?: string;
}

const HTML_ACCEPT = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1';

/**
 * A link card for `url`: fetch the page (HTML only) under the SSRF guard, read its Open Graph / Twitter / plain
 * metadata, and fetch and re-encode its image under `thumbMaxBytes`. Never throws: a card must not fail a delivery.
 * When the page cannot be had the answer is `undefined` (and `onProblem` says why); when only the image fails, the
 * card comes without a thumb and with `problem` set.
 */
export async function fetchLinkPreview(url: string, opts: LinkPreviewOptions): Promise<LinkPreview | undefined> {
  const report = (problem: string, shown = problem) => {
    try {
      opts.onProblem?.(problem, shown);
    } catch {
      // a logging callback must not turn a card into a failure
    }
    return problem;
  };
  const ua = opts.userAgent ? { userAgent: opts.userAgent } : {};

  let page: Awaited<ReturnType<typeof guardedFetch>>;
  try {
    page = await guardedFetch(url, {
      timeoutMs: opts.timeoutMs,
      maxBytes: opts.maxPageBytes,
      allowPrivateHosts: opts.allowPrivateHosts,
      accept: HTML_ACCEPT,
      contentTypes: { allowed: ['text/html', 'application/xhtml+xml'], what: 'an HTML page' },
      ...ua,
    });
  } catch (err) {
    report(`page: ${describeError(err)}`, blockedAddressIn(err) ? `page: ${refusedHost(url)}` : undefined);
    return undefined;
  }
  let card;
  try {
    card = extractLinkCard(decodeHtml(page.body, page.contentType), page.finalUrl);
  } catch (err) {
    report(`page: ${redactUrl(url)}: cannot read the HTML (${describeError(err)})`);
    return undefined;
  }

  const preview: LinkPreview = {
    uri: url,
    title: card.title ?? fallbackTitle(url),
    description: card.description ?? '',
  };
  if (!card.imageUrl) return preview;

  try {
    const raw = await loadImage(card.imageUrl, {
      timeoutMs: opts.timeoutMs,
      maxBytes: opts.maxImageBytes,
      allowPrivateHosts: opts.allowPrivateHosts,
      ...ua,
    });
    const image = await prepareImage(raw, {
      maxBytes: opts.thumbMaxBytes,
      ...(opts.thumbMaxDimension ? { maxDimension: opts.thumbMaxDimension } : {}),
    });
    preview.thumb = { data: image.data, mimeType: image.mimeType, width: image.width, height: image.height };
  } catch (err) {
    // loadImage's errors name the image (their `where`); prepareImage's carry no `where`: name it for them.
    const named = err instanceof ThreadcastError && err.where !== undefined ? describeError(err) : `${redactUrl(card.imageUrl)}: ${describeError(err)}`;
    preview.problem = report(`image: ${named}`, blockedAddressIn(err) ? `image: ${refusedHost(card.imageUrl)}` : undefined);
  }
  return preview;
}

/**
 * The guard's refusal without the address: "address 10.1.2.3 is private" tells whoever reads it what an internal
 * name resolves to. The operator's log keeps the whole message; this is what an editor sees.
 */
function refusedHost(url: string): string {
  // It may be a redirect that led there: the message names no host as the one at fault.
  return `${redactUrl(url)}: not fetched, it leads to a private or local address (the operator can allow a host in web.allowPrivateHosts)`;
}

/** "example.com/path/page" for a page that names no title. */
function fallbackTitle(pageUrl: string): string {
  try {
    const u = new URL(pageUrl);
    const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
    return safeDecodePath(`${u.host}${path}`);
  } catch {
    return redactUrl(pageUrl);
  }
}

function safeDecodePath(s: string): string {
  try {
    return decodeURI(s);
  } catch {
    return s;
  }
}

/**
 * HTML bytes → text. The charset comes from a BOM, the Content-Type, else a `<meta charset>` /
 * `<meta http-equiv="Content-Type">` in the first 1024 bytes (the HTML prescan), else UTF-8.
 */
export function decodeHtml(bytes: Buffer, contentType?: string): string {
  const fromHeader = contentType && /;\s*charset\s*=/i.test(contentType);
  if (!fromHeader && !hasBom(bytes)) {
    const head = bytes.subarray(0, 1024).toString('latin1');
    const meta =
      /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head)?.[1];
    if (meta) return decodeBody(bytes, `text/html; charset=${meta}`);
  }
  return decodeBody(bytes, contentType);
}

function hasBom(b: Buffer): boolean {
  return (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) || (b[0] === 0xfe && b[1] === 0xff) || (b[0] === 0xff && b[1] === 0xfe);
}
