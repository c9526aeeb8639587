/**
 * Wire types of the test harness that sits in front of the real PDS (`/_harness/*` routes).
 * Shared by the harness (main vitest process) and the HTTP client used inside test workers,
 * so this file must not import the PDS or anything heavy.
 */

/** Header a helper request sets so the harness neither counts, records nor faults it. */
export const HARNESS_INTERNAL_HEADER = 'x-threadcast-harness-internal';

export type FaultMode = 'before' | 'after' | 'hold';

export interface FaultSpec {
  /** XRPC method NSID, e.g. `com.atproto.repo.applyWrites`; `*` matches every XRPC method. */
  method: string;
  /**
   * - `before`: answer with `status`/`headers`/`body`; the PDS never sees the request.
   * - `after`: the PDS processes the request fully, then its answer is replaced by
   *   `status`/`headers`/`body` (`status: 0` destroys the client socket instead).
   * - `hold`: the PDS processes the request fully, then its real answer is held for `delayMs`
   *   (or until `POST /_harness/release`) before it is sent.
   */
  mode: FaultMode;
  /** How many matching requests this fault applies to (default 1). */
  count?: number;
  /** Answer status for `before`/`after`. `0` destroys the socket. Default 503 (`before`) / 500 (`after`). */
  status?: number;
  /** `hold`: how long to hold the real answer (default 60 000). `before`/`after`: extra delay before answering. */
  delayMs?: number;
  /** Response headers for `before`/`after`, e.g. `{ 'ratelimit-reset': '1700000000' }`. */
  headers?: Record<string, string>;
  /**
   * Response body for `before`/`after`: a string is sent as is, anything else as JSON.
   * Default: an XRPC error `{ error, message }`. `null` sends an empty body.
   */
  body?: unknown;
  /** Only requests attributed to this account DID (access token `sub`, `repo`, or login identifier). */
  did?: string;
}

export interface ActiveFault extends Required<Pick<FaultSpec, 'method' | 'mode'>> {
  id: string;
  spec: FaultSpec;
  remaining: number;
  /** Requests this fault has applied to so far. */
  fired: number;
  /** `hold` responses currently held (the PDS already answered them). */
  held: number;
}

export interface MethodCount {
  /** Requests answered (including injected answers). */
  total: number;
  /** Status the client saw; `"0"` means the socket was destroyed. */
  byStatus: Record<string, number>;
  /** How many of them the PDS actually processed. */
  reachedPds: number;
}

/** `GET /_harness/counts` */
export type HarnessCounts = Record<string, MethodCount>;

export interface RecordedRequest {
  seq: number;
  at: string;
  method: string;
  /** Account the request was attributed to, if known. */
  did: string | null;
  /** Parsed JSON request body (undefined when it was not JSON). */
  body: unknown;
  /** Whether the PDS saw the request. */
  reachedPds: boolean;
  /** Status the PDS answered with, if it saw the request. */
  pdsStatus: number | null;
  /** Status the client was (or will be) sent; null while still pending; 0 = socket destroyed. */
  status: number | null;
  /** Fault that applied, if any. */
  fault: FaultMode | null;
}
