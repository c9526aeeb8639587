import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { request, type Agent, type Dispatcher } from 'undici';
import { BlockedAddressError, createGuardedAgent, PrivateHostAllowList } from './address-guard.js';
import { pooledGuardedAgent } from './agent-pool.js';
import { redactUrl } from './redact-url.js';

/**
 * The one HTTP client: feeds, link-card pages and images all GET through it.
 *
 * Every connection goes through the SSRF guard of address-guard.ts, which checks each resolved address at connect
 * time; redirects are followed by hand, so every hop goes through the same connector. Every failure is an HttpError
 * whose fields say what happened; callers word it for their own readers and never parse its message.
 */
export interface HttpGetOptions {
  /** The whole exchange: connect, every redirect, headers and body. */
  timeoutMs: number;
  /** Cap on the (decoded) body; checked against Content-Length first, then while streaming. */
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  accept: string;
  guard: GuardPolicy;
  /** Validators from the last successful fetch: a conditional GET, and a 304 answers `not-modified`. */
  conditional?: CacheValidators;
  /**
   * When given, a 2xx answer whose media type (Content-Type without parameters) is not listed is refused before its
   * body is read: "not <what> (Content-Type …)".
   */
  contentTypes?: { allowed: readonly string[]; what: string };
  /** Abandons the exchange when it aborts (the service stopping): the GET fails as `aborted`. */
  signal?: AbortSignal;
}

export interface GuardPolicy {
  /**
   * Host names (exact, case-insensitive) or IP addresses that may be reached even though they are loopback,
   * private, link-local, … (config `web.allowPrivateHosts`). An IP entry allows that address whatever name led to it.
   */
  allowPrivateHosts: readonly string[];
  /**
   * Reach the requested URL's own host wherever it is, as spelled (a feed the operator configured may live on the LAN);
   * redirects back to that host are followed, and it lends its trust to no other name.
   */
  trustRequestedHost?: boolean;
  /**
   * Keep the guarded agent and its keep-alive connections for later fetches under the same policy (feeds polled one
   * after another); otherwise the agent is closed when the fetch ends.
   */
  reuseConnections?: boolean;
}

export interface CacheValidators {
  etag?: string;
  lastModified?: string;
}

export type HttpGetResult =
  | { kind: 'not-modified'; status: 304; finalUrl: string; headers: HttpHeaders }
  | {
      kind: 'ok';
      status: number;
      /** The URL that answered, after redirects, credentials as they were sent (same-origin redirects keep them). */
      finalUrl: string;
      headers: HttpHeaders;
      contentType?: string;
      body: Buffer;
      /** For the next conditional GET. */
      cache: CacheValidators;
    };

/** Response headers by lower-case name; a repeated header gives its first value. */
export type HttpHeaders = Readonly<Record<string, string>>;

export type HttpFailure =
  | 'invalid-url'
  | 'unsupported-scheme'
  | 'blocked'
  | 'timeout'
  | 'network'
  | 'status'
  | 'redirect-without-location'
  | 'invalid-redirect'
  | 'too-many-redirects'
  | 'too-large'
  | 'content-type'
  | 'content-encoding'
  | 'aborted';

/**
 * Why a GET failed. `transient` says whether trying again later can help (timeouts, network errors, 408, 429, 5xx).
 * The message names no credentials and carries nothing the server said beyond its status code.
 */
export class HttpError extends Error {
  readonly kind: HttpFailure;
  readonly transient: boolean;
  /** Redirects followed before the failure: 0 when the requested URL itself failed. */
  readonly hop: number;
  /** The redacted URL of the request that failed, when it is not the requested URL. */
  readonly at: string | undefined;
  readonly httpStatus: number | undefined;
  /** From Retry-After, as epoch ms. */
  readonly retryAfter: number | undefined;
  /** `unsupported-scheme`: the refused scheme, e.g. `ftp:`. */
  readonly protocol: string | undefined;
  /** `blocked`: the guard's refusal (address and why). */
  readonly blocked: BlockedAddressError | undefined;
  /** `network`: the errno or undici code, when there was one. */
  readonly networkCode: string | undefined;
  /** `too-large`, `too-many-redirects`, `timeout`: the limit passed (bytes, redirects, ms). */
  readonly limit: number | undefined;
  /** `too-large`: the Content-Length the server declared, when that is what gave it away. */
  readonly declaredLength: number | undefined;

  constructor(
    kind: HttpFailure,
    message: string,
    facts: {
      transient?: boolean;
      hop: number;
      at: string | undefined;
      httpStatus?: number;
      retryAfter?: number;
      protocol?: string;
      blocked?: BlockedAddressError;
      networkCode?: string;
      limit?: number;
      declaredLength?: number;
      cause?: unknown;
    },
  ) {
    super(message, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.name = 'HttpError';
    this.kind = kind;
    this.transient = facts.transient ?? false;
    this.hop = facts.hop;
    this.at = facts.at;
    this.httpStatus = facts.httpStatus;
    this.retryAfter = facts.retryAfter;
    this.protocol = facts.protocol;
    this.blocked = facts.blocked;
    this.networkCode = facts.networkCode;
    this.limit = facts.limit;
    this.declaredLength = facts.declaredLength;
  }

  /** ` (at <url>)` when the failure happened after a redirect, else empty: for messages. */
  get atSuffix(): string {
    return this.at === undefined ? '' : ` (at ${this.at})`;
  }
}

export { DEFAULT_USER_AGENT } from './user-agent.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The URL an exchange starts from, its scheme checked: HttpError `invalid-url` when it is none. */
export function startUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpError('invalid-url', 'not a valid URL', { hop: 0, at: undefined });
  }
  checkScheme(parsed, 0, undefined);
  return parsed;
}

export interface ExchangeDeadline {
  readonly signal: AbortSignal;
  /** Whether the deadline fired (so an abort reads as a timeout, not as a network error). */
  readonly timedOut: boolean;
  abort(): void;
  clear(): void;
}

/** One deadline for the whole exchange (connect, redirects, answer): after `ms` the signal aborts. */
export function exchangeDeadline(ms: number): ExchangeDeadline {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ms);
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    abort: () => controller.abort(),
    clear: () => clearTimeout(timer),
  };
}

/** GET an http(s) URL under the SSRF guard, a whole-exchange timeout and a body cap. Throws HttpError. */
export async function httpGet(url: string, opts: HttpGetOptions): Promise<HttpGetResult> {
  let current = startUrl(url);
  const requested = current.href;

  const agent = guardedAgent(opts.guard, current, opts.timeoutMs);
  const deadline = exchangeDeadline(opts.timeoutMs);
  const callOff = () => deadline.abort();
  opts.signal?.addEventListener('abort', callOff, { once: true });

  try {
    if (opts.signal?.aborted) throw calledOff(0, undefined);
    for (let hop = 0; ; ) {
      const at = current.href === requested ? undefined : redactUrl(current);
      const fail = (kind: HttpFailure, message: string, facts: Omit<ConstructorParameters<typeof HttpError>[2], 'hop' | 'at'> = {}) =>
        new HttpError(kind, message + (at === undefined ? '' : ` (at ${at})`), { ...facts, hop, at });
      const failure = (err: unknown) =>
        opts.signal?.aborted && !deadline.timedOut ? calledOff(hop, at, err) : translate(err, deadline.timedOut, opts.timeoutMs, hop, at);

      const { requestUrl, authorization } = splitCredentials(current);
      const headers: Record<string, string> = {
        'user-agent': opts.userAgent,
        accept: opts.accept,
        'accept-encoding': 'gzip, deflate, br',
      };
      if (authorization) headers.authorization = authorization;
      if (opts.conditional?.etag) headers['if-none-match'] = opts.conditional.etag;
      if (opts.conditional?.lastModified) headers['if-modified-since'] = opts.conditional.lastModified;

      let response: Dispatcher.ResponseData;
      try {
        response = await request(requestUrl, { method: 'GET', headers, signal: deadline.signal, dispatcher: agent });
      } catch (err) {
        throw failure(err);
      }
      const status = response.statusCode;
      const answered = flatten(response.headers);

      if (REDIRECTS.has(status)) {
        await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        const target = answered.location;
        if (!target) throw fail('redirect-without-location', `HTTP ${status} redirect without a Location header`, { httpStatus: status });
        if (hop >= opts.maxRedirects) {
          throw fail('too-many-redirects', `more than ${opts.maxRedirects} redirects`, { limit: opts.maxRedirects });
        }
        let next: URL;
        try {
          next = new URL(target, current);
        } catch {
          throw fail('invalid-redirect', 'redirect to an invalid URL');
        }
        checkScheme(next, hop + 1, at);
        // Credentials never follow a redirect to another origin.
        if (next.origin !== current.origin) {
          next.username = '';
          next.password = '';
        } else if (!next.username && current.username) {
          next.username = current.username;
          next.password = current.password;
        }
        current = next;
        hop++;
        continue;
      }

      if (status === 304 && (opts.conditional?.etag || opts.conditional?.lastModified)) {
        await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        return { kind: 'not-modified', status, finalUrl: current.href, headers: answered };
      }

      if (status < 200 || status >= 300) {
        await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        // The standard phrase, never the server's own reason phrase: that is text from whatever answered.
        const text = `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
        const transient = status === 429 || status === 408 || status >= 500;
        const retryAt = transient ? retryAfter(answered['retry-after']) : undefined;
        throw fail('status', text, { transient, httpStatus: status, ...(retryAt === undefined ? {} : { retryAfter: retryAt }) });
      }

      const contentType = answered['content-type'];
      if (opts.contentTypes) {
        const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
        if (!opts.contentTypes.allowed.includes(mediaType)) {
          abandon(response.body);
          throw fail('content-type', `not ${opts.contentTypes.what} (Content-Type ${mediaType || 'missing'})`, { httpStatus: status });
        }
      }
      const declared = Number(answered['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        abandon(response.body);
        throw fail('too-large', `larger than ${opts.maxBytes} bytes (Content-Length ${declared})`, {
          limit: opts.maxBytes,
          declaredLength: declared,
        });
      }

      let body: Buffer;
      try {
        body = await readCapped(response.body, (answered['content-encoding'] ?? 'identity').trim().toLowerCase(), opts.maxBytes);
      } catch (err) {
        if (err instanceof TooLarge) {
          deadline.abort();
          throw fail('too-large', `larger than ${opts.maxBytes} bytes`, { limit: opts.maxBytes });
        }
        if (err instanceof BadEncoding) throw fail('content-encoding', err.message);
        throw failure(err);
      }
      const { etag, 'last-modified': lastModified } = answered;
      return {
        kind: 'ok',
        status,
        finalUrl: current.href,
        headers: answered,
        ...(contentType ? { contentType } : {}),
        body,
        cache: { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) },
      };
    }
  } finally {
    opts.signal?.removeEventListener('abort', callOff);
    deadline.clear();
    if (!opts.guard.reuseConnections) agent.destroy().catch(() => undefined);
  }
}

export function guardedAgent(guard: GuardPolicy, requested: URL, timeoutMs: number): Agent {
  const exactHosts = guard.trustRequestedHost ? [requested.hostname] : [];
  if (guard.reuseConnections) return pooledGuardedAgent(guard.allowPrivateHosts, exactHosts, timeoutMs);
  return createGuardedAgent(new PrivateHostAllowList(guard.allowPrivateHosts, exactHosts), timeoutMs);
}

export function checkScheme(url: URL, hop: number, at: string | undefined): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const message = `only http and https URLs can be fetched, not ${url.protocol.replace(/:$/, '')}`;
    throw new HttpError('unsupported-scheme', message, { hop, at, protocol: url.protocol });
  }
}

/** Move URL credentials into a Basic Authorization header: they must not travel in the request line. */
export function splitCredentials(url: URL): { requestUrl: string; authorization?: string } {
  if (!url.username && !url.password) return { requestUrl: url.href };
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  const user = decodeUserinfo(url.username);
  const pass = decodeUserinfo(url.password);
  return { requestUrl: bare.href, authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

/** Userinfo is percent-encoded only (a `+` is a plus). */
function decodeUserinfo(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

class TooLarge extends Error {}
class BadEncoding extends Error {}

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
      throw new BadEncoding(`unsupported Content-Encoding "${encoding.slice(0, 40)}"`);
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
    const code = (err as { code?: string }).code;
    if (code?.startsWith('Z_') || code === 'ERR__ERROR_FORMAT_PADDING_1') throw new BadEncoding(`body is not valid ${encoding} data`);
    throw err;
  }
  return Buffer.concat(chunks, total);
}

/** Stop reading a body we no longer want; the abort error undici then emits is expected, not a crash. */
function abandon(stream: Readable): void {
  stream.on('error', () => undefined);
  stream.destroy();
}

function flatten(headers: Record<string, string | string[] | undefined>): HttpHeaders {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name.toLowerCase()] = first;
  }
  return out;
}

/** Any error from undici, net, tls or dns → an HttpError that names no credentials. */
/** The failure of an exchange its caller's signal called off (the service stopping): not the server's doing. */
function calledOff(hop: number, at: string | undefined, cause?: unknown): HttpError {
  return new HttpError('aborted', 'abandoned: the fetch was called off', { transient: true, hop, at, ...(cause === undefined ? {} : { cause }) });
}

export function translate(err: unknown, timedOut: boolean, timeoutMs: number, hop: number, at: string | undefined): HttpError {
  const suffix = at === undefined ? '' : ` (at ${at})`;
  let code: string | undefined;
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof BlockedAddressError) return new HttpError('blocked', e.message + suffix, { hop, at, blocked: e, cause: e });
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string' && code === undefined) code = c;
  }
  if (timedOut) return new HttpError('timeout', `timed out after ${timeoutMs} ms`, { transient: true, hop, at, limit: timeoutMs, cause: err });
  return new HttpError('network', describeNetworkCode(code) + suffix, {
    transient: true,
    hop,
    at,
    ...(code === undefined ? {} : { networkCode: code }),
    cause: err,
  });
}

/** Errno and undici codes in words a person understands. */
const NETWORK_MESSAGES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for response headers',
  UND_ERR_BODY_TIMEOUT: 'timed out reading the body',
  UND_ERR_SOCKET: 'connection closed by the server',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** A network failure's code in words: "connection refused", "TLS certificate problem (…)", "network error (…)". */
export function describeNetworkCode(code: string | undefined): string {
  if (code === undefined) return 'network error';
  return NETWORK_MESSAGES[code] ?? (/CERT|SSL|TLS|SELF_SIGNED/i.test(code) ? `TLS certificate problem (${code})` : `network error (${code})`);
}

/** Retry-After as epoch ms: delta-seconds or an HTTP date. */
export function retryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Date.now() + Number(value.trim()) * 1000;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
