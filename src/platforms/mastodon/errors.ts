/**
 * Mastodon's answers as data: the HTTP status, its `X-RateLimit-*` headers and the error entity's fields decide
 * the PlatformError's kind; Mastodon's words travel along in `said` for people only.
 */
import { PlatformError, type PlatformFault } from '../../core/errors.js';
import { describeNetworkCode } from '../../http/fetch.js';

/** A refused token waits this long for an operator before the channel tries again by itself. */
const AUTH_RETRY_MS = 15 * 60_000;

/** One answer of the instance: status, lower-case headers, the parsed JSON body (undefined when none or not JSON). */
export interface MastodonAnswer {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: unknown;
}

export interface RateWindow {
  limit: number;
  remaining: number;
  /** Epoch ms. */
  resetAt: number;
}

/** The window the `X-RateLimit-*` headers announce (Reset is an ISO 8601 time), when all three are there. */
export function rateWindowOf(headers: Readonly<Record<string, string>>): RateWindow | undefined {
  const limit = Number(headers['x-ratelimit-limit']);
  const remaining = Number(headers['x-ratelimit-remaining']);
  const resetAt = Date.parse(headers['x-ratelimit-reset'] ?? '');
  if (!Number.isInteger(limit) || !Number.isInteger(remaining) || Number.isNaN(resetAt)) return undefined;
  return { limit, remaining, resetAt };
}

/** Mastodon's error entity: `error`, sometimes `error_description`, and `details` per field on a validation error. */
function wordsOf(body: unknown): { said?: string; platformCode?: string } {
  if (!body || typeof body !== 'object') return {};
  const { error, error_description: description, details } = body as { error?: unknown; error_description?: unknown; details?: unknown };
  const said = [error, description].filter((s): s is string => typeof s === 'string' && s.length > 0).join(': ');
  const firstDetail = details && typeof details === 'object' ? Object.values(details as Record<string, unknown>).flat()[0] : undefined;
  const code = (firstDetail as { error?: unknown } | undefined)?.error;
  return { ...(said ? { said } : {}), ...(typeof code === 'string' ? { platformCode: code } : {}) };
}

/** The fault an answer that is not 2xx stands for. */
export function mastodonFault(answer: MastodonAnswer, now: number): PlatformFault {
  const answered = { httpStatus: answer.status, ...wordsOf(answer.body) };
  if (answer.status === 429) {
    const reset = Date.parse(answer.headers['x-ratelimit-reset'] ?? '');
    return { kind: 'rate', ...(Number.isNaN(reset) ? {} : { retryAfter: Math.max(reset, now) }), ...answered };
  }
  // 403: the token lacks a scope, or the account is disabled or suspended: only an operator can change either.
  if (answer.status === 401 || answer.status === 403) return { kind: 'auth', retryAfter: now + AUTH_RETRY_MS, ...answered };
  if (answer.status >= 500 || answer.status === 408) return { kind: 'transient', ...answered };
  if (answer.status >= 400) return { kind: 'invalid', ...answered };
  return { kind: 'unknown', ...answered };
}

/**
 * The PlatformError for an answer that is not 2xx. `mayHaveApplied`: the request was a write that a 5xx may
 * have followed. Such a write is still retryable, not ambiguous: its retry carries the same Idempotency-Key
 * and is preceded by a read of the account's statuses (publisher.ts), so it cannot post twice.
 */
export function mastodonAnswerError(answer: MastodonAnswer, where: string, now: number): PlatformError {
  const fault = mastodonFault(answer, now);
  const words = fault.said ? `: ${fault.said}` : '';
  const message =
    fault.kind === 'auth'
      ? `the instance refused the access token (${answer.status}${words}); fix it and the channel resumes`
      : fault.kind === 'rate'
        ? `the instance's rate limit is spent (429${words})`
        : `the instance answered ${answer.status}${words}`;
  return new PlatformError(fault, message, { where });
}

/** Errors that prove the request never left: sending again is harmless. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_THREADCAST_BLOCKED_ADDRESS']);

/** A request that got no answer: a passing failure, whose text names the network's code, never the request. */
export function mastodonNetworkError(err: unknown, where: string, timedOut: boolean): PlatformError {
  const errno = codeOf(err);
  const what = timedOut ? 'no answer in time' : describeNetworkCode(errno);
  const sent = !(errno !== undefined && NOT_SENT.has(errno));
  return new PlatformError(
    { kind: 'transient', ...(errno ? { errno } : {}) },
    sent ? `${what} from the instance; the request may have been applied` : `could not reach the instance (${what})`,
    { where, cause: err },
  );
}

function codeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
