/**
 * The delivery state machine, declared once (README, "How it works": Deliveries). The outbox refuses any move
 * the table below does not list; the store, status, queue, server and editor page read the named groups.
 */

/** Every state a delivery can be in; this order is the order `status` counts them in. */
export const DELIVERY_STATES = ['queued', 'publishing', 'published', 'failed', 'dead', 'held', 'uncertain', 'cancelled', 'retracting', 'retracted'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * Every legal move, from → to. A state listed under itself is changed in place: an editor's edit, or a feed
 * item's update before anything of it was sent. `held → queued` is an approval (or an operator's retry);
 * `uncertain`/`dead → queued` only an operator's retry.
 *
 * Retracting a published thread (`threadcast retract`) is written before any platform delete, like `publishing`
 * before a send: a retract that failed or crashed stays `retracting` (with its reason) until the next retract
 * finishes it. Parts already gone count as deleted, so `retracted` is recorded once, whatever came between.
 */
export const TRANSITIONS: { readonly [From in DeliveryState]: readonly DeliveryState[] } = {
  held: ['held', 'queued', 'cancelled'],
  queued: ['queued', 'held', 'cancelled', 'publishing', 'dead'],
  failed: ['failed', 'held', 'cancelled', 'publishing', 'dead', 'queued'],
  // Published, or back to waiting: resumed, a spent budget (no attempt counted), a retry later, or unknown.
  publishing: ['published', 'queued', 'failed', 'uncertain', 'dead'],
  uncertain: ['queued'],
  dead: ['queued'],
  published: ['retracting'],
  retracting: ['retracting', 'retracted'],
  retracted: [],
  cancelled: [],
};

export function mayBecome(from: DeliveryState, to: DeliveryState): boolean {
  return TRANSITIONS[from].includes(to);
}

function statesThatMayBecome(to: DeliveryState): readonly DeliveryState[] {
  return DELIVERY_STATES.filter((from) => from !== to && mayBecome(from, to));
}

/** Due: the states a publish may start from once `notBefore` has passed. */
export const DUE_STATES: readonly DeliveryState[] = statesThatMayBecome('publishing');

/**
 * Not started: the states an editor may still hold, edit or cancel, as long as no post or platform intent is
 * recorded (src/outbox/editor-actions.ts checks those too).
 */
export const NOT_STARTED_STATES: readonly DeliveryState[] = statesThatMayBecome('cancelled');

/** What an operator's retry puts back in the queue. */
export const RETRYABLE_STATES: readonly DeliveryState[] = ['dead', 'uncertain', 'failed', 'held'];

/** Went wrong, for now or for good: what status lists under attention. */
export const TROUBLE_STATES: readonly DeliveryState[] = ['failed', 'uncertain', 'dead', 'retracting'];

/** What a retract starts from: a published thread, or one whose retract failed or was cut short. */
export const RETRACTABLE_STATES: readonly DeliveryState[] = ['published', 'retracting'];

/**
 * Finished: the service does nothing more with these on its own (a dead one waits for an operator's retry).
 * The editor page's history.
 */
export const FINISHED_STATES: readonly DeliveryState[] = ['published', 'dead', 'cancelled', 'retracted'];

/** Open: waiting, held or in flight. The queue that `queue list` and the editor page show. */
export const OPEN_STATES: readonly DeliveryState[] = DELIVERY_STATES.filter((s) => !FINISHED_STATES.includes(s));

/**
 * A state some earlier version may have stored that this one no longer has, and what it reads as. `scheduled`
 * was declared from the start but no code ever set it; a delivery holding it was waiting in the queue.
 */
export const RETIRED_STATES: Readonly<Record<string, DeliveryState>> = { scheduled: 'queued' };

/** The outbox was asked for a move the table does not allow: a bug, never an editor's or a platform's doing. */
export class IllegalTransitionError extends Error {
  readonly kind = 'illegal-transition';

  constructor(
    readonly deliveryId: string,
    readonly from: DeliveryState,
    readonly to: DeliveryState,
  ) {
    super(`delivery ${deliveryId} may not go from ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
  }
}
