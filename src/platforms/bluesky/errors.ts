import { XRPCError } from '@atproto/api';
import { mustWait, permanent, retryable, ThreadcastError } from '../../core/errors.js';

const AUTH_RETRY_MS = 15 * 60_000;

/**
 * Bluesky's answers sorted into the outbox's three kinds. Network failures and 5xx are retryable;
 * 429 waits for `ratelimit-reset`; 4xx validation is permanent and keeps the PDS's own words.
 * Ambiguity never arises here: record keys are chosen before writing, so "did it land?" is a read.
 */
export function classifyBlueskyError(err: unknown, where: string): ThreadcastError {
  if (err instanceof ThreadcastError) return err;
  if (err instanceof XRPCError) {
    const detail = [err.error, err.message].filter((s, i, all) => s && all.indexOf(s) === i).join(': ');
    if (err.status === 429) {
      const reset = Number(err.headers?.['ratelimit-reset']);
      if (Number.isFinite(reset) && reset > 0) return mustWait('rate-limit', `rate limited by the PDS (${detail})`, reset * 1000, { where });
      return retryable(`rate limited by the PDS (${detail})`, { where });
    }
    if (err.status >= 500 || err.status < 100) return retryable(`PDS error ${err.status}: ${detail}`, { where, cause: err });
    if (err.status === 401 || err.status === 403) {
      // Every delivery of the channel would fail the same way: wait for an operator, do not kill them one by one.
      return mustWait('auth', `the PDS refused the credentials (${err.status}: ${detail}); fix them and the channel resumes`, Date.now() + AUTH_RETRY_MS, { where });
    }
    return permanent(`the PDS refused the post (${err.status}: ${detail})`, { where });
  }
  const message = err instanceof Error ? err.message : String(err);
  return retryable(`network error talking to the PDS: ${message}`, { where, cause: err });
}

/**
 * A stored session the PDS stopped accepting on a request (revoked, expired beyond refresh): the
 * credentials were not judged, so this is an ordinary retry, and the next attempt logs in anew.
 */
export function staleSession(err: unknown, where: string): ThreadcastError {
  const said = err instanceof XRPCError ? `${err.status}: ${[err.error, err.message].filter((s, i, all) => s && all.indexOf(s) === i).join(': ')}` : String(err);
  return retryable(`the PDS refused the stored session (${said}); the next attempt logs in anew`, { where, cause: err });
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
