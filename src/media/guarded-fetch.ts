import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { request } from 'undici';
import { permanent, retryable, ThreadcastError } from '../core/errors.js';
import { redactUrl } from '../sources/location.js';
import { BlockedAddressError, createGuardedAgent, PrivateHostAllowList } from '../http/address-guard.js';
import { NETWORK_MESSAGES, splitCredentials } from '../core/http-shared.js';

/**
 * Outbound HTTP for URLs that come from outside (feed items, web pages): link-card pages and images.
 *
 * Every connection goes through the SSRF guard of http/address-guard.ts, which checks each resolved address at
 * connect time. Redirects are followed by hand, so every hop goes through the same connector.
 */
export interface GuardedFetchOptions {
  /** The whole exchange: connect, every redirect, headers and body. */
  timeoutMs: number;
  /** Cap on the (decoded) body; checked against Content-Length first, then while streaming. */
  maxBytes: number;
  /**
   * Host names (exact, case-insensitive) or IP addresses that may be reached even though they are loopback,
   * private, link-local, … (config `web.allowPrivateHosts`). An IP entry allows that address whatever name led to it.
   */
  allowPrivateHosts: readonly string[];
  /** Accept header; default any. */
  accept?: string;
  /** Default 3. */
  maxRedirects?: number;
  /**
   * When given, a 2xx answer whose media type (Content-Type without parameters) is not listed is refused before its
   * body is read: permanent "not <what> (Content-Type …)".
   */
  contentTypes?: { allowed: readonly string[]; what: string };
  userAgent?: string;
}

export interface GuardedResponse {
  /** The URL that answered, after redirects (credentials removed). */
  finalUrl: string;
  status: number;
  contentType?: string;
  body: Buffer;
}

export const DEFAULT_USER_AGENT = 'Threadcast/0.1 (+https://github.com/threadcast)';
const DEFAULT_MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

// Its home is sources/location.ts (the feed fetcher names redirect hops with it too); doctor and the publishers import it from here.
export { redactUrl };

/**
 * GET an http(s) URL under the SSRF guard, a whole-exchange timeout and a body cap. Every failure is a
 * ThreadcastError whose `where` is the (redacted) URL: `permanent` for a refused address, a non-http scheme,
 * too many redirects, a body over the cap and 4xx; `retryable` for timeouts, network errors, 408, 429 and 5xx.
 */
export async function guardedFetch(url: string, opts: GuardedFetchOptions): Promise<GuardedResponse> {
  const where = redactUrl(url);
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw permanent('not a valid URL', { where });
  }
  checkScheme(current, where);
  const requested = current.href;

  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const allow = new PrivateHostAllowList(opts.allowPrivateHosts);
  const agent = createGuardedAgent(allow, opts.timeoutMs);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  const timeoutError = (cause?: unknown) => retryable(`timed out after ${opts.timeoutMs} ms`, { where, cause });

  try {
    for (let redirects = 0; ; ) {
      const at = current.href === requested ? '' : ` (at ${redactUrl(current)})`;
      const { requestUrl, authorization } = splitCredentials(current);
      const headers: Record<string, string> = {
        'user-agent': opts.userAgent ?? DEFAULT_USER_AGENT,
        accept: opts.accept ?? '*/*',
        'accept-encoding': 'gzip, deflate, br',
      };
      if (authorization) headers.authorization = authorization;

      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(requestUrl, { method: 'GET', headers, signal: controller.signal, dispatcher: agent });
      } catch (err) {
        throw translate(err, timedOut, timeoutError, where, at);
      }
      const status = response.statusCode;

      if (REDIRECTS.has(status)) {
        await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        const target = header(response.headers, 'location');
        if (!target) throw permanent(`HTTP ${status} redirect without a Location header${at}`, { where });
        if (redirects >= maxRedirects) throw permanent(`more than ${maxRedirects} redirects${at}`, { where });
        let next: URL;
        try {
          next = new URL(target, current);
        } catch {
          throw permanent(`redirect to an invalid URL${at}`, { where });
        }
        checkScheme(next, where);
        // Credentials never follow a redirect to another origin.
        if (next.origin !== current.origin) {
          next.username = '';
          next.password = '';
        } else if (!next.username && current.username) {
          next.username = current.username;
          next.password = current.password;
        }
        current = next;
        redirects++;
        continue;
      }

      if (status < 200 || status >= 300) {
        await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        const text = `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd() + at;
        if (status === 429 || status === 408 || status >= 500) {
          const retryAt = retryAfter(header(response.headers, 'retry-after'));
          throw retryable(text, retryAt === undefined ? { where } : { where, retryAt });
        }
        throw permanent(text, { where });
      }

      const contentType = header(response.headers, 'content-type');
      if (opts.contentTypes) {
        const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
        if (!opts.contentTypes.allowed.includes(mediaType)) {
          abandon(response.body);
          throw permanent(`not ${opts.contentTypes.what} (Content-Type ${mediaType || 'missing'})${at}`, { where });
        }
      }
      const declared = Number(header(response.headers, 'content-length') ?? NaN);
      const encoding = (header(response.headers, 'content-encoding') ?? 'identity').trim().toLowerCase();
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        abandon(response.body);
        throw permanent(`larger than ${opts.maxBytes} bytes (Content-Length ${declared})${at}`, { where });
      }

      let body: Buffer;
      try {
        body = await readCapped(response.body, encoding, opts.maxBytes);
      } catch (err) {
        if (err instanceof TooLarge) {
          controller.abort();
          throw permanent(`larger than ${opts.maxBytes} bytes${at}`, { where });
        }
        if (err instanceof ThreadcastError) throw new ThreadcastError(err.kind, err.message + at, { where });
        throw translate(err, timedOut, timeoutError, where, at);
      }
      const finalUrl = new URL(current.href);
      finalUrl.username = '';
      finalUrl.password = '';
      return { finalUrl: finalUrl.href, status, ...(contentType ? { contentType } : {}), body };
    }
  } finally {
    clearTimeout(timer);
    agent.destroy().catch(() => undefined);
  }
}

function checkScheme(url: URL, where: string): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw permanent(`only http and https URLs can be fetched, not ${url.protocol.replace(/:$/, '')}`, { where });
  }
}

class TooLarge extends Error {}

/** Read the body, decoding gzip/deflate/br, and stop as soon as the decoded size passes `maxBytes`. */
async function readCapped(body: Readable, encoding: string, maxBytes: number): Promise<Buffer> {
  let source: Readable = body;
  if (encoding !== 'identity' && encoding !== '') {
    const decoder =
      encoding === 'gzip' || encoding === 'x-gzip'
        ? createGunzip()
        : encoding === 'deflate'
          ? createInflate()
          : encoding === 'br'
            ? createBrotliDecompress()
            : undefined;
    if (!decoder) {
      abandon(body);
      throw permanent(`unsupported Content-Encoding "${encoding.slice(0, 40)}"`);
    }
    source = pipeline(body, decoder, () => undefined);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of source) {
      const buf = chunk as Buffer;
      total += buf.byteLength;
      if (total > maxBytes) throw new TooLarge();
      chunks.push(buf);
    }
  } catch (err) {
    abandon(source);
    abandon(body);
    if ((err as { code?: string }).code?.startsWith('Z_') || (err as { code?: string }).code === 'ERR__ERROR_FORMAT_PADDING_1') {
      throw permanent(`body is not valid ${encoding} data`);
    }
    throw err;
  }
  return Buffer.concat(chunks, total);
}

/** Stop reading a body we no longer want; the abort error undici then emits is expected, not a crash. */
function abandon(stream: Readable): void {
  stream.on('error', () => undefined);
  stream.destroy();
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Any error from undici, net, tls or dns → a ThreadcastError that names no credentials. */
function translate(
  err: unknown,
  timedOut: boolean,
  timeoutError: (cause?: unknown) => ThreadcastError,
  where: string,
  at: string,
): ThreadcastError {
  let code: string | undefined;
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof BlockedAddressError) return permanent(e.message + at, { where });
    if (e instanceof ThreadcastError) return new ThreadcastError(e.kind, e.message + at, { where });
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string' && code === undefined) code = c;
  }
  if (timedOut) return timeoutError(err);
  const known = code ? NETWORK_MESSAGES[code] : undefined;
  const tls = code && /CERT|SSL|TLS|SELF_SIGNED/i.test(code) ? `TLS certificate problem (${code})` : undefined;
  return retryable(`${known ?? tls ?? `network error${code ? ` (${code})` : ''}`}${at}`, { where, cause: err });
}

/** Retry-After as epoch ms: delta-seconds or an HTTP date. */
function retryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Date.now() + Number(value.trim()) * 1000;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
