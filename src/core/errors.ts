/**
 * The three kinds of failure the outbox tells apart.
 * `where` names the place a person should look: a file and line, a feed, an item, a channel.
 */
export type ErrorKind = 'retryable' | 'permanent' | 'ambiguous';

/**
 * Not a failure of the delivery but a known budget that is spent, or refused
 * credentials that only an operator can fix: nothing was sent, the delivery waits until `retryAt`, and
 * the wait does not count as an attempt.
 */
export type WaitReason = 'rate-limit' | 'cap' | 'budget' | 'auth';

export class ThreadcastError extends Error {
  readonly kind: ErrorKind;
  readonly where: string | undefined;
  /** For retryable errors: the earliest time a retry makes sense (epoch ms), when the platform said. */
  readonly retryAt: number | undefined;
  readonly wait: WaitReason | undefined;

  constructor(kind: ErrorKind, message: string, opts: { where?: string; retryAt?: number; cause?: unknown; wait?: WaitReason } = {}) {
    super(opts.where ? `${opts.where}: ${message}` : message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ThreadcastError';
    this.kind = kind;
    this.where = opts.where;
    this.retryAt = opts.retryAt;
    this.wait = opts.wait;
  }
}

export const retryable = (message: string, opts?: { where?: string; retryAt?: number; cause?: unknown }) =>
  new ThreadcastError('retryable', message, opts);
/** A spent budget: wait until `retryAt` without sending anything. */
export const mustWait = (wait: WaitReason, message: string, retryAt: number, opts?: { where?: string }) =>
  new ThreadcastError('retryable', message, { ...opts, retryAt, wait });
export const permanent = (message: string, opts?: { where?: string; cause?: unknown }) =>
  new ThreadcastError('permanent', message, opts);
export const ambiguous = (message: string, opts?: { where?: string; cause?: unknown }) =>
  new ThreadcastError('ambiguous', message, opts);

/** A readable one-line message for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * An editor's request that cannot be done as asked, in words the editor can act on. The HTTP API maps
 * `kind` to its status (input 400, not-found 404, conflict 409); the CLI prints the message.
 */
export class EditorError extends Error {
  constructor(
    readonly kind: 'input' | 'not-found' | 'conflict',
    message: string,
    /** For `input`: the request field at fault, e.g. "url". */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'EditorError';
  }
}
