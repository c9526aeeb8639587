import { STATUS_CODES } from 'node:http';
import { request, type Dispatcher } from 'undici';
import { DEFAULT_USER_AGENT, exchangeDeadline, guardedAgent, HttpError, retryAfter, splitCredentials, startUrl, translate, type GuardPolicy } from './fetch.js';

export interface HttpPostJsonOptions {
  /** The whole exchange: connect, request and answer. */
  timeoutMs: number;
  guard: Omit<GuardPolicy, 'trustRequestedHost'>;
  userAgent?: string;
}

/**
 * POST a JSON body (a webhook's alert) through the same SSRF guard as every GET of http/fetch.ts: each resolved
 * address is checked at connect time, and no private host is reached unless `guard.allowPrivateHosts` names it.
 * Redirects are not followed: a webhook answers where it was configured, and a body is never replayed elsewhere.
 * The answer's body is read and dropped. Throws HttpError (`transient` for timeouts, network errors, 408, 429, 5xx).
 */
export async function httpPostJson(url: string, body: unknown, opts: HttpPostJsonOptions): Promise<{ status: number }> {
  const target = startUrl(url);
  const agent = guardedAgent(opts.guard, target, opts.timeoutMs);
  const deadline = exchangeDeadline(opts.timeoutMs);
  try {
    const { requestUrl, authorization } = splitCredentials(target);
    const headers: Record<string, string> = { 'user-agent': opts.userAgent ?? DEFAULT_USER_AGENT, 'content-type': 'application/json', accept: '*/*' };
    if (authorization) headers.authorization = authorization;
    let response: Dispatcher.ResponseData;
    try {
      response = await request(requestUrl, { method: 'POST', headers, body: JSON.stringify(body), signal: deadline.signal, dispatcher: agent });
      await response.body.dump({ limit: 64 * 1024 });
    } catch (err) {
      throw translate(err, deadline.timedOut, opts.timeoutMs, 0, undefined);
    }
    const status = response.statusCode;
    if (status >= 200 && status < 300) return { status };
    // The standard phrase, never the server's own reason phrase: that is text from whatever answered.
    const text = `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
    const transient = status === 429 || status === 408 || status >= 500;
    const header = response.headers['retry-after'];
    const retryAt = transient ? retryAfter(Array.isArray(header) ? header[0] : header) : undefined;
    throw new HttpError('status', status >= 300 && status < 400 ? `${text} (redirects are not followed)` : text, {
      transient,
      hop: 0,
      at: undefined,
      httpStatus: status,
      ...(retryAt === undefined ? {} : { retryAfter: retryAt }),
    });
  } finally {
    deadline.clear();
    if (!opts.guard.reuseConnections) agent.destroy().catch(() => undefined);
  }
}
