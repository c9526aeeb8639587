import { XRPCError } from '@atproto/api';
import { mustWait, permanent, retryable, ThreadcastError } from '../../core/errors.js';

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
    if (err.status === 401 || err.status === 403) return permanent(`the PDS refused the credentials (${err.status}: ${detail})`, { where });
    return permanent(`the PDS refused the post (${err.status}: ${detail})`, { where });
  }
  const message = err instanceof Error ? err.message : String(err);
  return retryable(`network error talking to the PDS: ${message}`, { where, cause: err });
}

export function isRateLimited(err: unknown): boolean {
  return err instanceof XRPCError && err.status === 429;
}

/** A stored session the PDS no longer accepts: log in anew. Anything else (e.g. network) is not a reason to. */
export function isSessionRefused(err: unknown): boolean {
  return (
    err instanceof XRPCError &&
    (err.status === 400 || err.status === 401) &&
    ['ExpiredToken', 'InvalidToken', 'AuthenticationRequired', 'AuthMissing', 'InvalidRequest'].includes(err.error)
  );
}
