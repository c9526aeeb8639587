import { ApiPartialResponseError, ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import { PlatformError, ThreadcastError } from '../../core/errors.js';

export const DUPLICATE_DETAIL = 'duplicate content';

/** Errors from connecting: the request never left, so sending again is safe. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

export function isDuplicateContent(err: unknown): boolean {
  return err instanceof ApiResponseError && err.code === 403 && JSON.stringify(err.data ?? '').toLowerCase().includes(DUPLICATE_DETAIL);
}

export function isUnauthorized(err: unknown): boolean {
  return err instanceof ApiResponseError && err.code === 401;
}

function detailOf(err: ApiResponseError): string {
  const data = err.data as { detail?: string; title?: string; errors?: Array<{ message?: string }> } | undefined;
  return data?.detail ?? data?.errors?.map((e) => e.message).filter(Boolean).join('; ') ?? data?.title ?? err.message;
}

/** The reset the spent window announced, in epoch ms. */
export function resetOf(headers: Record<string, unknown> | undefined): number | undefined {
  if (!headers) return undefined;
  const resets = ['x-rate-limit-remaining', 'x-user-limit-24hour-remaining', 'x-app-limit-24hour-remaining']
    .filter((h) => Number(headers[h]) === 0)
    .map((h) => Number(headers[h.replace('remaining', 'reset')]))
    .filter((n) => Number.isFinite(n) && n > 0);
  const reset = resets.length ? Math.max(...resets) : Number(headers['x-rate-limit-reset']);
  return Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined;
}

/** twitter-api-v2 1.29 leaves `requestError` undefined on a reset; the cause sits in its options. */
function errnoOf(err: unknown): string | undefined {
  if (err instanceof ApiRequestError) {
    const hidden = (err as unknown as { _options?: { error?: NodeJS.ErrnoException } })._options?.error;
    return (err.requestError as NodeJS.ErrnoException | undefined)?.code ?? hidden?.code;
  }
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

const AUTH_RETRY_MS = 15 * 60_000;

/**
 * X's answers sorted by status into one PlatformError. `mayHaveApplied` says whether the request may have
 * been applied: for a create, a timeout, a dropped connection or a 5xx after sending is ambiguous.
 */
export function classifyXError(err: unknown, where: string, opts: { mayHaveApplied: boolean }): ThreadcastError {
  if (err instanceof ThreadcastError) return err;
  if (err instanceof ApiResponseError) {
    const detail = detailOf(err);
    const answered = { httpStatus: err.code, said: detail, ...platformCodeOf(err) };
    if (err.code === 429) {
      return new PlatformError({ kind: 'rate', retryAfter: resetOf(err.headers as Record<string, unknown>), ...answered }, `X answered 429 (${detail})`, { where });
    }
    if (err.code >= 500) {
      const fault = { kind: 'transient', ...answered } as const;
      return opts.mayHaveApplied
        ? new PlatformError(fault, `X answered ${err.code} (${detail}); the post may exist`, { where, mayHaveApplied: true })
        : new PlatformError(fault, `X answered ${err.code} (${detail})`, { where });
    }
    if (err.code === 401) {
      // Every delivery of the channel would fail alike: wait for an operator instead of killing them one by one.
      return new PlatformError(
        { kind: 'auth', retryAfter: Date.now() + AUTH_RETRY_MS, ...answered },
        `X refused the credentials (401: ${detail}); fix them and the channel resumes`,
        { where },
      );
    }
    return new PlatformError({ kind: isDuplicateContent(err) ? 'duplicate' : 'invalid', ...answered }, `X refused the request (${err.code}: ${detail})`, { where });
  }
  const code = errnoOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code && NOT_SENT.has(code)) return new PlatformError({ kind: 'transient', errno: code }, `could not reach X (${code})`, { where });
  if (opts.mayHaveApplied && (err instanceof ApiRequestError || err instanceof ApiPartialResponseError || code)) {
    return new PlatformError({ kind: 'transient', errno: code }, `no answer from X (${code ?? message}); the post may exist`, { where, mayHaveApplied: true });
  }
  return new PlatformError({ kind: 'unknown', errno: code }, `network error talking to X: ${message}`, { where });
}

/** X's own error type (a problem URI in API v2, a numeric code in v1.1), when it gave one. */
function platformCodeOf(err: ApiResponseError): { platformCode?: string } {
  const data = err.data as { type?: unknown; errors?: Array<{ code?: unknown; type?: unknown }> } | undefined;
  const code = data?.type ?? data?.errors?.[0]?.type ?? data?.errors?.[0]?.code;
  return typeof code === 'string' || typeof code === 'number' ? { platformCode: String(code) } : {};
}
