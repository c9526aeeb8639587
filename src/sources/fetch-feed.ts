import { open, stat } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fetch, type Response } from 'undici';
import { permanent, retryable, ThreadcastError } from '../core/errors.js';
import { blockedAddressIn } from '../http/address-guard.js';
import { pooledGuardedAgent } from '../http/agent-pool.js';
import { decodeBody } from './decode-body.js';
import { feedWhere, redactUrl } from './location.js';
import { NETWORK_MESSAGES, splitCredentials } from '../core/http-shared.js';

export interface FetchLimits {
  /** The whole exchange: connect, every redirect, headers and body. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  /**
   * Config `web.allowPrivateHosts`: the hosts a redirect may lead to although they are private, loopback, link-local…
   * The configured feed's own host needs no entry: it is fetched as configured, and redirects back to it are followed.
   */
  allowPrivateHosts: readonly string[];
}

export const defaultFetchLimits: FetchLimits = Object.freeze({
  timeoutMs: 15_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: 'Threadcast/0.1 (+https://github.com/threadcast)',
  allowPrivateHosts: Object.freeze([]),
});

/** Validators from the last successful fetch, for a conditional GET. */
export interface HttpCacheState {
  etag?: string;
  lastModified?: string;
}

export type FetchResult =
  | { kind: 'not-modified' }
  | { kind: 'fetched'; body: string; finalUrl: string; contentType?: string; cache: HttpCacheState };

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, ' +
  'application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

/**
 * Fetch a feed from an http(s) URL or a local file (path relative to the working directory, absolute, or file://).
 * Every failure is a ThreadcastError whose `where` is `feed <location>` (secrets masked): retryable for network
 * failures, timeouts, 408, 429 and 5xx; permanent for other 4xx, oversize bodies, redirect loops, refused redirects
 * and missing files.
 *
 * The operator wrote the feed's URL, so its host is reached wherever it is (a feed on the LAN or on loopback is
 * fine). Where the feed server redirects to is another matter: every connection goes through the SSRF guard of
 * http/address-guard.ts, which lets a redirect reach a private, loopback, link-local… address only on the configured
 * host name itself or on a host in `allowPrivateHosts`, and checks the resolved address, not the spelling.
 */
export async function fetchFeed(location: string, cache: HttpCacheState, limits: FetchLimits = defaultFetchLimits): Promise<FetchResult> {
  const where = feedWhere(location);
  if (/^https?:\/\//i.test(location)) return fetchHttp(location, cache, limits, where);
  if (/^file:/i.test(location)) {
    let path: string;
    try {
      path = fileURLToPath(location);
    } catch (err) {
      throw permanent(`not a usable file URL: ${(err as Error).message}`, { where });
    }
    return readFeedFile(path, cache, limits, where);
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(location)) {
    throw permanent(`unsupported scheme "${location.slice(0, location.indexOf(':'))}" (http, https or a file path)`, { where });
  }
  return readFeedFile(resolvePath(location), cache, limits, where);
}

// ── files ────────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Local files get the same size cap, and a cheap not-modified answer: the "etag" is the file's size and mtime,
 * so a poller that keeps the cache state skips unchanged files just like unchanged URLs.
 */
async function readFeedFile(path: string, cache: HttpCacheState, limits: FetchLimits, where: string): Promise<FetchResult> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw fileError(err, where);
  }
  if (info.isDirectory()) throw permanent('is a directory, not a feed file', { where });
  if (info.size > limits.maxBytes) throw permanent(`larger than ${limits.maxBytes} bytes`, { where });
  const etag = `"file-${info.size}-${Math.trunc(info.mtimeMs)}"`;
  if (cache.etag === etag) return { kind: 'not-modified' };

  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw fileError(err, where);
  }
  try {
    // Read at most maxBytes + 1: the file may have grown since stat().
    const buffer = Buffer.alloc(Math.min(limits.maxBytes + 1, Math.max(info.size + 1, 1)));
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > limits.maxBytes) throw permanent(`larger than ${limits.maxBytes} bytes`, { where });
      if (length === buffer.length) break;
    }
    const bytes = buffer.subarray(0, length);
    return {
      kind: 'fetched',
      body: decodeBody(bytes),
      finalUrl: pathToFileURL(path).href,
      cache: { etag, lastModified: info.mtime.toUTCString() },
    };
  } catch (err) {
    if (err instanceof ThreadcastError) throw err;
    throw fileError(err, where);
  } finally {
    await handle.close();
  }
}

function fileError(err: unknown, where: string): ThreadcastError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return permanent('no such file', { where, cause: err });
  if (code === 'EACCES' || code === 'EPERM') return permanent('permission denied', { where, cause: err });
  if (code === 'EISDIR') return permanent('is a directory, not a feed file', { where, cause: err });
  return retryable(`cannot read the file (${code ?? (err as Error)?.message ?? String(err)})`, { where, cause: err });
}

// ── http ─────────────────────────────────────────────────────────────────────────────────────────────────────────

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function fetchHttp(location: string, cache: HttpCacheState, limits: FetchLimits, where: string): Promise<FetchResult> {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw permanent('not a valid URL', { where });
  }
  const agent = pooledGuardedAgent(limits.allowPrivateHosts, [url.hostname], limits.timeoutMs);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, limits.timeoutMs);
  const timeoutError = () => retryable(`timed out after ${limits.timeoutMs} ms`, { where });

  const conditional = Boolean(cache.etag || cache.lastModified);
  // Hop n is the request to the n-th redirect target; hop 0 is the configured URL.
  let redirects = 0;
  try {
    for (;;) {
      const { requestUrl, authorization } = splitCredentials(url);
      const headers: Record<string, string> = { 'user-agent': limits.userAgent, accept: ACCEPT };
      if (authorization) headers.authorization = authorization;
      if (cache.etag) headers['if-none-match'] = cache.etag;
      if (cache.lastModified) headers['if-modified-since'] = cache.lastModified;

      let response: Response;
      try {
        response = await fetch(requestUrl, { headers, redirect: 'manual', signal: controller.signal, dispatcher: agent });
      } catch (err) {
        const blocked = blockedAddressIn(err);
        if (blocked) {
          // Name the hop and its (redacted) URL only: nothing the refused host could have said reaches the message.
          const hop = redirects === 0 ? '' : `redirect refused (hop ${redirects}: ${redactUrl(url)}): `;
          throw permanent(hop + blocked.message, { where, cause: blocked });
        }
        if (timedOut) throw timeoutError();
        throw networkError(err, url, location, where);
      }

      const at = url.href === location ? '' : ` (at ${redactUrl(url)})`;
      const status = response.status;

      if (REDIRECTS.has(status)) {
        await discard(response);
        const target = response.headers.get('location');
        if (!target) throw permanent(`HTTP ${status} redirect without a Location header${at}`, { where });
        if (redirects >= limits.maxRedirects) throw permanent(`more than ${limits.maxRedirects} redirects`, { where });
        let next: URL;
        try {
          next = new URL(target, url);
        } catch {
          throw permanent(`redirect to an invalid URL${at}`, { where });
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw permanent(`redirect refused (hop ${redirects + 1}): not an http(s) URL (${next.protocol})`, { where });
        }
        // Credentials never follow a redirect to another origin.
        if (next.origin !== url.origin) {
          next.username = '';
          next.password = '';
        } else if (!next.username && url.username) {
          next.username = url.username;
          next.password = url.password;
        }
        url = next;
        redirects++;
        continue;
      }

      if (status === 304) {
        await discard(response);
        if (conditional) return { kind: 'not-modified' };
        throw retryable(`HTTP 304 Not Modified to a request that was not conditional${at}`, { where });
      }

      if (status < 200 || status >= 300) {
        await discard(response);
        // The standard phrase, never the server's own reason phrase: that is text from whatever answered.
        const text = `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd() + at;
        if (status === 429 || status === 408 || status >= 500) {
          const retryAt = retryAfter(response.headers.get('retry-after'));
          throw retryable(text, retryAt === undefined ? { where } : { where, retryAt });
        }
        throw permanent(text, { where });
      }

      const declared = Number(response.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > limits.maxBytes) {
        await discard(response);
        throw permanent(`larger than ${limits.maxBytes} bytes (Content-Length ${declared})`, { where });
      }

      let bytes: Uint8Array;
      try {
        bytes = await readCapped(response, limits.maxBytes, controller);
      } catch (err) {
        if (err instanceof ThreadcastError) throw new ThreadcastError(err.kind, err.message, { where, cause: err.cause });
        if (timedOut) throw timeoutError();
        throw networkError(err, url, location, where);
      }

      const contentType = response.headers.get('content-type') ?? undefined;
      const etag = response.headers.get('etag') ?? undefined;
      const lastModified = response.headers.get('last-modified') ?? undefined;
      return {
        kind: 'fetched',
        body: decodeBody(bytes, contentType),
        finalUrl: url.href,
        ...(contentType ? { contentType } : {}),
        cache: { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) },
      };
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Read the body, aborting the request as soon as it exceeds `maxBytes` (the header may lie or be absent). */
async function readCapped(response: Response, maxBytes: number, controller: AbortController): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      controller.abort();
      await reader.cancel().catch(() => undefined);
      throw permanent(`larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/** Let go of a body we do not read, so the connection is not left hanging. */
async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** fetch() rejects with TypeError("fetch failed") and the real reason in `cause` (possibly nested). */
function networkError(err: unknown, url: URL, location: string, where: string): ThreadcastError {
  let code: string | undefined;
  let detail: string | undefined;
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') {
      code = c;
      detail = (e as Error).message;
    }
  }
  const known = code ? NETWORK_MESSAGES[code] : undefined;
  const tls = code && /CERT|SSL|TLS|SELF_SIGNED/i.test(code) ? `TLS certificate problem (${code})` : undefined;
  const text = known ?? tls ?? `network error${code ? ` (${code})` : ''}${detail && !code ? `: ${detail}` : ''}`;
  // Name the URL when it differs from the configured location (after a redirect); `where` names the latter.
  const at = url.href === location ? '' : ` at ${redactUrl(url)}`;
  return retryable(text + at, { where, cause: err });
}

/** Retry-After as epoch ms: delta-seconds or an HTTP date. */
function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Date.now() + Number(value.trim()) * 1000;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
