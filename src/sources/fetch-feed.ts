import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { permanent, retryable, ThreadcastError } from '../core/errors.js';
import type { CacheValidators, HttpError } from '../http/fetch.js';
import { DEFAULT_USER_AGENT } from '../http/user-agent.js';
import { redactUrl } from '../http/redact-url.js';
import { decodeBody } from './decode-body.js';
import { feedWhere } from './location.js';

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
  /** Calls an HTTP fetch off when it aborts (the service stopping): it fails at once instead of running to its end. */
  signal?: AbortSignal;
}

export const defaultFetchLimits: FetchLimits = Object.freeze({
  timeoutMs: 15_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: DEFAULT_USER_AGENT,
  allowPrivateHosts: Object.freeze([]),
});

/** What the last successful fetch left for the next one: validators for a conditional GET, and its body's hash. */
export interface HttpCacheState extends CacheValidators {
  /** bodyHash() of the body that was parsed. */
  bodyHash?: string;
}

export type FetchResult =
  /** Unchanged since `cache` was kept: a 304, or the very body that was parsed last time; `cache` is what to keep now. */
  | { kind: 'not-modified'; cache?: HttpCacheState }
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
  // A FIFO's open() waits for a writer, holding one of libuv's four threads (file reads, DNS, zlib) meanwhile.
  if (!info.isFile()) throw permanent('not a regular file (a pipe, socket or device), not a feed file', { where });
  if (info.size > limits.maxBytes) throw permanent(`larger than ${limits.maxBytes} bytes`, { where });
  const etag = `"file-${info.size}-${Math.trunc(info.mtimeMs)}"`;
  if (cache.etag === etag) return { kind: 'not-modified' };

  let handle;
  try {
    // Non-blocking, should a pipe have taken the file's place since stat(): it then fails to read instead of waiting.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
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
    const finalUrl = pathToFileURL(path).href;
    // Rewritten with the same bytes (a job that regenerates the file): a new mtime, the same feed.
    const next = { etag, lastModified: info.mtime.toUTCString(), bodyHash: bodyHash(finalUrl, undefined, bytes) };
    if (cache.bodyHash === next.bodyHash) return unchangedBody(cache, next);
    return { kind: 'fetched', body: decodeBody(bytes), finalUrl, cache: next };
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

async function fetchHttp(location: string, cache: HttpCacheState, limits: FetchLimits, where: string): Promise<FetchResult> {
  // Loaded with the first URL: `preview` of a file, and a config of files only, never load the HTTP client (undici).
  const http = await import('../http/fetch.js');
  const { httpGet } = http;
  let response;
  try {
    response = await httpGet(location, {
      timeoutMs: limits.timeoutMs,
      maxBytes: limits.maxBytes,
      maxRedirects: limits.maxRedirects,
      userAgent: limits.userAgent,
      accept: ACCEPT,
      guard: { allowPrivateHosts: limits.allowPrivateHosts, trustRequestedHost: true, reuseConnections: true },
      conditional: cache,
      ...(limits.signal ? { signal: limits.signal } : {}),
    });
  } catch (err) {
    if (err instanceof http.HttpError) throw feedError(err, location, where, http.describeNetworkCode);
    throw err;
  }
  if (response.kind === 'not-modified') return { kind: 'not-modified' };
  const { contentType, finalUrl } = response;
  // Many feed servers send no validators, or new ones with every answer: the body itself says it has not changed.
  const next: HttpCacheState = { ...response.cache, bodyHash: bodyHash(finalUrl, contentType, response.body) };
  if (cache.bodyHash === next.bodyHash) return unchangedBody(cache, next);
  return { kind: 'fetched', body: decodeBody(response.body, contentType), finalUrl, ...(contentType ? { contentType } : {}), cache: next };
}

/**
 * The body parsed last time, come again: new validators to keep (a rolling ETag, a file's new mtime), or, where they
 * are the kept ones, nothing, so an unchanged feed costs no store write.
 */
function unchangedBody(kept: HttpCacheState, next: HttpCacheState): FetchResult {
  return kept.etag === next.etag && kept.lastModified === next.lastModified ? { kind: 'not-modified' } : { kind: 'not-modified', cache: next };
}

/**
 * What a feed's items are made from, hashed: the bytes, and what their reading depends on besides (the charset in
 * the Content-Type, and the final URL that relative links resolve against). The same hash as the body parsed last
 * time means the same items, so the feed is answered as unchanged without parsing it.
 */
function bodyHash(finalUrl: string, contentType: string | undefined, bytes: Uint8Array): string {
  return createHash('sha256').update(`${finalUrl}\n${contentType ?? ''}\n`).update(bytes).digest('base64url');
}

/** The feed's wording of an HTTP failure: redirects the guard refused are named by hop. */
function feedError(err: HttpError, location: string, where: string, describeNetworkCode: (code: string | undefined) => string): ThreadcastError {
  // The cause is what went wrong underneath (the guard's refusal, the socket error), as before there was an HttpError.
  const opts = { where, cause: err.cause };
  switch (err.kind) {
    case 'blocked': {
      // Name the hop and its (redacted) URL only: nothing the refused host could have said reaches the message.
      const hop = err.hop === 0 ? '' : `redirect refused (hop ${err.hop}: ${err.at ?? redactUrl(location)}): `;
      return permanent(hop + err.blocked!.message, opts);
    }
    case 'unsupported-scheme':
      return permanent(`redirect refused (hop ${err.hop}): not an http(s) URL (${err.protocol})`, opts);
    case 'network':
      return retryable(describeNetworkCode(err.networkCode) + (err.at === undefined ? '' : ` at ${err.at}`), opts);
    case 'too-many-redirects':
      return permanent(`more than ${err.limit} redirects`, opts);
    case 'too-large':
      return permanent(`larger than ${err.limit} bytes${err.declaredLength === undefined ? '' : ` (Content-Length ${err.declaredLength})`}`, opts);
    case 'status':
      // Only a conditional GET may be answered 304 (httpGet returns that as not-modified): a confused cache, try later.
      if (err.httpStatus === 304) return retryable(`HTTP 304 Not Modified to a request that was not conditional${err.atSuffix}`, opts);
      break;
    default:
      break;
  }
  if (!err.transient) return permanent(err.message, opts);
  return retryable(err.message, err.retryAfter === undefined ? opts : { ...opts, retryAt: err.retryAfter });
}
