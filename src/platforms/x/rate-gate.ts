import { mustWait, retryable } from '../../core/errors.js';
import { whileHolding } from '../../store/lease-lock.js';
import type { Store } from '../../store/store.js';

const FIFTEEN_MINUTES = 15 * 60_000;
const DAY = 24 * 3_600_000;

interface Window {
  limit: number;
  remaining: number;
  resetAt: number;
}

interface GateState {
  /** Windows announced by X's headers, by header family. */
  windows: Record<string, Window>;
  /** Our own post times within the last 24 h, for the configured caps. */
  sent: number[];
}

/**
 * How long the gate's lease is held at most, and waited for. Held only while the state is read and written, but far
 * longer than that takes, even on a Redis near its 10 s reply deadline: a lease that lapsed in the middle would let
 * another process write between the two.
 */
const LEASE_MS = 60_000;
const LEASE_WAIT_MS = 90_000;

/**
 * Never sends while a window is known to be spent. Two sources: what X's
 * `x-rate-limit-*` / `x-user-limit-24hour-*` / `x-app-limit-24hour-*` headers last said, and the
 * channel's own caps counted from our sends. Kept in the store so a restart knows too, and read afresh for every
 * check: another process may post on the channel too (`threadcast once` beside `run`). A send is taken (checked and
 * counted) under a store lease per channel, and every write changes the stored state rather than replacing it, so
 * two processes neither both take the last place in a cap nor lose each other's sends.
 */
export class RateGate {
  /** Windows the headers announced since they were last written to the store. */
  private observed: Record<string, Window> = {};
  private readonly key: string;
  private readonly lease: string;

  constructor(
    private readonly store: Pick<Store, 'kv' | 'acquireLease' | 'releaseLease'>,
    channelId: string,
    private readonly caps: { postsPer15Minutes: number; postsPer24Hours: number },
    private readonly where: string,
  ) {
    this.key = `x:rate:${channelId}`;
    this.lease = `x-rate:${channelId}`;
  }

  /** Throws a wait when `posts` more posts would not fit now. A check only: `take` counts a send. */
  async assertRoom(posts: number, now: number): Promise<void> {
    this.check(await this.load(), posts, now);
  }

  /** Checks that one more post fits and counts it, in one step under the channel's lease; throws the wait if not. */
  async take(now: number): Promise<void> {
    await this.update((state) => {
      this.check(state, 1, now);
      state.sent = [...state.sent.filter((t) => t > now - DAY), now];
      // X's own windows count this send too, until its answer says what is left: two processes cannot both take
      // the last place X announced.
      for (const w of Object.values(state.windows)) if (w.resetAt > now) w.remaining -= 1;
    });
  }

  private check(state: GateState, posts: number, now: number): void {
    for (const [family, w] of Object.entries(state.windows)) {
      if (w.resetAt > now && w.remaining < posts) {
        throw mustWait('rate', `X's ${family} window has ${w.remaining} of ${w.limit} posts left until ${new Date(w.resetAt).toISOString()}`, w.resetAt, { where: this.where });
      }
    }
    const recent = state.sent.filter((t) => t > now - DAY).sort((a, b) => a - b);
    const capCheck = (windowMs: number, cap: number, name: string) => {
      const inWindow = recent.filter((t) => t > now - windowMs);
      if (inWindow.length + posts > cap) {
        // Room opens when enough of the oldest sends leave the window.
        const freeAt = (inWindow[inWindow.length + posts - cap - 1] ?? now) + windowMs;
        throw mustWait('cap', `the channel's cap of ${cap} posts per ${name} is reached`, freeAt, { where: this.where });
      }
    };
    capCheck(FIFTEEN_MINUTES, this.caps.postsPer15Minutes, '15 minutes');
    capCheck(DAY, this.caps.postsPer24Hours, '24 hours');
  }

  /** Records what a response's headers say about the windows (written to the store by `save`). */
  observe(headers: Record<string, unknown> | undefined, now: number): void {
    if (!headers) return;
    for (const family of ['x-rate-limit', 'x-user-limit-24hour', 'x-app-limit-24hour']) {
      const limit = Number(headers[`${family}-limit`]);
      const remaining = Number(headers[`${family}-remaining`]);
      const reset = Number(headers[`${family}-reset`]);
      if ([limit, remaining, reset].every(Number.isFinite) && reset > 0) {
        this.observed[family] = { limit, remaining, resetAt: Math.max(reset * 1000, now) };
      }
    }
  }

  /** The state as stored, with what this process observed and has not written yet. */
  async load(): Promise<GateState> {
    const stored = ((await this.store.kv.get(this.key)) as GateState | undefined) ?? { windows: {}, sent: [] };
    // Copies: a change made to the state read must not reach the observations not written yet.
    const windows = Object.fromEntries(Object.entries({ ...stored.windows, ...this.observed }).map(([family, w]) => [family, { ...w }]));
    return { windows, sent: stored.sent };
  }

  /** Writes the windows observed since the last save, if any. */
  async save(): Promise<void> {
    if (Object.keys(this.observed).length === 0) return;
    await this.update(() => {});
  }

  /** Reads, changes and writes the stored state under the channel's lease, observed windows included. */
  private async update(change: (state: GateState) => void): Promise<void> {
    const tooLong = () => retryable("another process has held the channel's rate state for too long", { where: this.where });
    await whileHolding(this.store, this.lease, { holdMs: LEASE_MS, waitMs: LEASE_WAIT_MS, pollMs: 10, tooLong }, async () => {
      const observed = { ...this.observed };
      const state = await this.load();
      change(state);
      await this.store.kv.set(this.key, state);
      // Written: what was observed since is kept for the next write.
      for (const family of Object.keys(observed)) if (this.observed[family] === observed[family]) delete this.observed[family];
    });
  }
}
