export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Absent: no age limit. */
  maxAgeHours?: number;
}

/**
 * Exponential backoff with full jitter: attempt n waits a random time in [d/2, d] where d doubles
 * each attempt, so many deliveries that failed together do not retry together.
 * `random` is injected so tests are reproducible.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
