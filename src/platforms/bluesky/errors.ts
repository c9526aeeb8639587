import { XRPCError } from '@atproto/api';
import { PlatformError, ThreadcastError } from '../../core/errors.js';

const AUTH_RETRY_MS = 15 * 60_000;

/**
 * Bluesky's answers sorted by status into one PlatformError. Network failures and 5xx are transient;
 * 429 waits for `ratelimit-reset`; 4xx validation is invalid and keeps the PDS's own words.
 * Ambiguity never arises here: record keys are chosen before writing, so "did it land?" is a read.
 */
export function classifyBlueskyError(err: unknown, where: string): ThreadcastError {
  if (err instanceof ThreadcastError) return err;
  if (err instanceof XRPCError) {
    const detail = wordsOf(err);
    // Below 100 is the client's own status for a request that got no answer.
    const answered = { ...(err.status >= 100 ? { httpStatus: err.status } : {}), platformCode: err.error, said: detail };
    if (err.status === 429) {
      const reset = Number(err.headers?.['ratelimit-reset']);
      const retryAfter = Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined;
      return new PlatformError({ kind: 'rate', retryAfter, ...answered }, `rate limited by the PDS (${detail})`, { where });
    }
    if (err.status >= 500 || err.status < 100) return new PlatformError({ kind: 'transient', ...answered }, `PDS error ${err.status}: ${detail}`, { where, cause: err });
    if (err.status === 401 || err.status === 403) {
      // Every delivery of the channel would fail the same way: wait for an operator, do not kill them one by one.
      return new PlatformError(
        { kind: 'auth', retryAfter: Date.now() + AUTH_RETRY_MS, ...answered },
        `the PDS refused the credentials (${err.status}: ${detail}); fix them and the channel resumes`,
        { where },
      );
    }
    return new PlatformError({ kind: 'invalid', ...answered }, `the PDS refused the post (${err.status}: ${detail})`, { where });
  }
  const message = err instanceof Error ? err.message : String(err);
  const errno = (err as { code?: unknown } | undefined)?.code;
  return new PlatformError({ kind: 'transient', ...(typeof errno === 'string' ? { errno } : {}) }, `network error talking to the PDS: ${message}`, { where, cause: err });
}

/**
 * A stored session the PDS stopped accepting on a request (revoked, expired beyond refresh): the
 * credentials were not judged, so this is an ordinary retry, and the next attempt logs in anew.
 */
export function staleSession(err: unknown, where: string): ThreadcastError {
  const fault = err instanceof XRPCError ? { kind: 'transient' as const, httpStatus: err.status, platformCode: err.error, said: wordsOf(err) } : { kind: 'transient' as const };
  const said = err instanceof XRPCError ? `${err.status}: ${wordsOf(err)}` : String(err);
  return new PlatformError(fault, `the PDS refused the stored session (${said}); the next attempt logs in anew`, { where, cause: err });
}

/** The PDS's error name and its words, each once. */
function wordsOf(err: XRPCError): string {
  return [err.error, err.message].filter((s, i, all) => s && all.indexOf(s) === i).join(': ');
}

export function isRateLimited(err: unknown): boolean {
  return err instanceof XRPCError && err.status === 429;
}

/**
 * A session the PDS no longer accepts on an ordinary request: log in anew. A validation error (400
 * InvalidRequest) is about the content, never about the session, so it must not cost a login.
 */
export function isSessionRefused(err: unknown): boolean {
  return err instanceof XRPCError && (err.status === 401 || ['ExpiredToken', 'InvalidToken', 'AuthMissing'].includes(err.error));
}

/** Resuming a stored session: a refresh the PDS refuses (including 400 InvalidRequest) means the session is gone. */
export function isResumeRefused(err: unknown): boolean {
  return isSessionRefused(err) || (err instanceof XRPCError && err.status === 400);
}
