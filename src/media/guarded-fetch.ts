import { permanent, retryable, type ThreadcastError } from '../core/errors.js';
import { DEFAULT_USER_AGENT, httpGet, HttpError } from '../http/fetch.js';
import { redactUrl } from '../http/redact-url.js';

/**
 * Outbound HTTP for URLs that come from outside (feed items, web pages): link-card pages and images, through the
 * one HTTP client (http/fetch.ts) with its SSRF guard on every hop and no host trusted beyond `allowPrivateHosts`.
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

const DEFAULT_MAX_REDIRECTS = 3;

/**
 * GET an http(s) URL under the SSRF guard, a whole-exchange timeout and a body cap. Every failure is a
 * ThreadcastError whose `where` is the (redacted) URL: `permanent` for a refused address, a non-http scheme,
 * too many redirects, a body over the cap and 4xx; `retryable` for timeouts, network errors, 408, 429 and 5xx.
 */
export async function guardedFetch(url: string, opts: GuardedFetchOptions): Promise<GuardedResponse> {
  const where = redactUrl(url);
  let response;
  try {
    response = await httpGet(url, {
      timeoutMs: opts.timeoutMs,
      maxBytes: opts.maxBytes,
      maxRedirects: opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
      userAgent: opts.userAgent ?? DEFAULT_USER_AGENT,
      accept: opts.accept ?? '*/*',
      guard: { allowPrivateHosts: opts.allowPrivateHosts },
      ...(opts.contentTypes ? { contentTypes: opts.contentTypes } : {}),
    });
  } catch (err) {
    if (err instanceof HttpError) throw asThreadcastError(err, where);
    throw err;
  }
  // Never conditional, so never not-modified; the check narrows the type.
  if (response.kind !== 'ok') throw permanent('HTTP 304 Not Modified', { where });
  const finalUrl = new URL(response.finalUrl);
  finalUrl.username = '';
  finalUrl.password = '';
  const { status, contentType, body } = response;
  return { finalUrl: finalUrl.href, status, ...(contentType ? { contentType } : {}), body };
}

function asThreadcastError(err: HttpError, where: string): ThreadcastError {
  if (!err.transient) return permanent(err.message, { where, cause: err });
  return retryable(err.message, err.retryAfter === undefined ? { where, cause: err } : { where, retryAt: err.retryAfter, cause: err });
}
