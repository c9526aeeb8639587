/**
 * The three kinds of failure the outbox tells apart.
 * `where` names the place a person should look: a file and line, a feed, an item, a channel.
 */
export type ErrorKind = 'retryable' | 'permanent' | 'ambiguous';

/**
 * Why something due is not sent yet: the schedule's next slot, its spacing, a cap, quiet hours, the
 * platform's rate window, a spent money budget, or refused credentials that only an operator can fix.
 */
export type WaitKind = 'slot' | 'spacing' | 'cap' | 'quiet' | 'rate' | 'budget' | 'auth';

/**
 * Not a failure of the delivery but a known budget that is spent, or refused
 * credentials that only an operator can fix: nothing was sent, the delivery waits until `retryAt`, and
 * the wait does not count as an attempt.
 */
export type WaitReason = Extract<WaitKind, 'rate' | 'cap' | 'budget' | 'auth'>;

export class ThreadcastError extends Error {
  readonly kind: ErrorKind;
  readonly where: string | undefined;
  /** For retryable errors: the earliest time a retry makes sense (epoch ms), when the platform said. */
  readonly retryAt: number | undefined;
  readonly wait: WaitReason | undefined;
  /** The message without the `where` prefix, for a sentence that already names the place. */
  readonly detail: string;

  constructor(kind: ErrorKind, message: string, opts: { where?: string; retryAt?: number; cause?: unknown; wait?: WaitReason } = {}) {
    super(opts.where ? `${opts.where}: ${message}` : message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ThreadcastError';
    this.kind = kind;
    this.detail = message;
    this.where = opts.where;
    this.retryAt = opts.retryAt;
    this.wait = opts.wait;
  }
}

/**
 * What a platform's answer meant, told apart by its HTTP status and its own error code, never by its words:
 * refused credentials, a spent rate window, a duplicate, content it will never take, a passing failure,
 * or something not recognised.
 */
export type PlatformErrorKind = 'auth' | 'rate' | 'duplicate' | 'invalid' | 'transient' | 'unknown';

export interface PlatformFault {
  kind: PlatformErrorKind;
  /** When the platform says a retry makes sense (epoch ms): a rate window's reset, or a wait for an operator. */
  retryAfter?: number;
  /** The HTTP status it answered; absent when no answer came. */
  httpStatus?: number;
  /** The platform's own error code (e.g. Bluesky's `AuthenticationRequired`). */
  platformCode?: string;
  /** The system's code when no answer came (ECONNREFUSED, ENOTFOUND…). */
  errno?: string;
  /** The platform's own words, for people only: nothing decides on them. */
  said?: string;
}

/**
 * The one error a platform publisher throws for a failed request. The outbox's kind follows from the
 * fault's kind: credentials and rate windows wait, duplicates and invalid content are permanent, and a
 * passing or unknown failure is retryable, or ambiguous when the request may have been applied.
 * Its text is built from the platform's answer only, never from the request, so no secret reaches it.
 */
export class PlatformError extends ThreadcastError {
  readonly fault: PlatformFault;

  constructor(fault: PlatformFault, message: string, opts: { where?: string; mayHaveApplied?: boolean; cause?: unknown } = {}) {
    super(outboxKind(fault, opts.mayHaveApplied ?? false), message, { where: opts.where, cause: opts.cause, retryAt: fault.retryAfter, wait: waitFor(fault) });
    this.name = 'PlatformError';
    this.fault = fault;
  }
}

function outboxKind(fault: PlatformFault, mayHaveApplied: boolean): ErrorKind {
  if (fault.kind === 'duplicate' || fault.kind === 'invalid') return 'permanent';
  if (fault.kind === 'auth' || fault.kind === 'rate') return 'retryable';
  return mayHaveApplied ? 'ambiguous' : 'retryable';
}

function waitFor(fault: PlatformFault): WaitReason | undefined {
  if (fault.retryAfter === undefined) return undefined;
  if (fault.kind === 'auth') return 'auth';
  if (fault.kind === 'rate') return 'rate';
  return undefined;
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

/**
 * Text from outside (a parser's complaint that quotes the document, a name read from it) cut to `max` characters
 * for a message: a feed can make such text megabytes long, and a message goes to the log on every poll, to the
 * store's health marks, to /readyz and to alerts.
 */
export function clipForMessage(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A readable one-line message for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * An editor's request that cannot be done as asked, in words the editor can act on. The HTTP API maps
 * `kind` to its status (input 400, not-found 404, conflict 409, full 507: no room left for it); the CLI prints the
 * message.
 */
export class EditorError extends Error {
  constructor(
    readonly kind: 'input' | 'not-found' | 'conflict' | 'full',
    message: string,
    /** For `input`: the request field at fault, e.g. "url". */
    readonly field?: string,
    /**
     * The problem alone, without the place and the field the message begins with: for a door that words those its
     * own way (the drop folder's `.error` line), so that it never has to cut them off the message.
     */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'EditorError';
  }
}

/** How the editor's doors (the queue, the drop folder) word channels a request names that are not configured. */
export function unknownChannels(unknown: readonly string[], configured: readonly string[]): string {
  // Named by an editor's request: a few, each cut short, so a list of thousands makes no message of megabytes.
  const shown = unknown.slice(0, 5).map((id) => clipForMessage(id, 60));
  const more = unknown.length > shown.length ? ` and ${unknown.length - shown.length} more` : '';
  return `no channel "${shown.join('", "')}"${more} (configured: ${configured.join(', ')})`;
}
