import { mustWait } from '../../core/errors.js';
import type { Store } from '../../store/store.js';

/** Money in micro-dollars, so sums of 0.015 never drift. */
const micros = (usd: number) => Math.round(usd * 1_000_000);

function monthOf(now: number): string {
  return new Date(now).toISOString().slice(0, 7);
}

function startOfNextMonth(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * Spend per channel per calendar month (UTC), in the store. A request that would cross the monthly
 * budget is not sent: the delivery waits for the next month with the reason "budget". Money is reserved with the
 * store's atomic addition (Store.addToTotal), so two processes publishing on one channel at once (`threadcast once`
 * beside `run`, or two instances as the leader lease changes hands) can neither both take the last of a budget nor
 * lose one another's spending.
 */
export class SpendLedger {
  constructor(
    private readonly store: Pick<Store, 'kv' | 'addToTotal'>,
    private readonly channelId: string,
    private readonly budgetUsd: number | undefined,
    private readonly where: string,
  ) {}

  private key(now: number): string {
    return `x:spend:${this.channelId}:${monthOf(now)}`;
  }

  async spentUsd(now: number): Promise<number> {
    const spent: unknown = await this.store.kv.get(this.key(now));
    return (typeof spent === 'number' ? spent : 0) / 1_000_000;
  }

  /** A check only, for what is not spent yet (the rest of a thread, a read): throws the wait when it would not fit. */
  async assertAffordable(costUsd: number, now: number): Promise<void> {
    if (this.budgetUsd === undefined) return;
    const spent = micros(await this.spentUsd(now));
    if (spent + micros(costUsd) > micros(this.budgetUsd)) throw this.overBudget(costUsd, spent, now);
  }

  /** Takes `costUsd` from the month's budget before a request is sent, or throws the wait and takes nothing. */
  async reserve(costUsd: number, now: number): Promise<void> {
    const limit = this.budgetUsd === undefined ? undefined : micros(this.budgetUsd);
    if ((await this.store.addToTotal(this.key(now), micros(costUsd), limit)) === undefined) {
      throw this.overBudget(costUsd, micros(await this.spentUsd(now)), now);
    }
  }

  /** Adds what was spent (a read, billed by what it returned) or, negative, gives back a reservation. */
  async record(costUsd: number, now: number): Promise<void> {
    await this.store.addToTotal(this.key(now), micros(costUsd));
  }

  private overBudget(costUsd: number, spentMicros: number, now: number): Error {
    return mustWait(
      'budget',
      `this needs $${costUsd.toFixed(3)} but $${(spentMicros / 1e6).toFixed(3)} of the $${this.budgetUsd!.toFixed(2)} monthly budget is spent`,
      startOfNextMonth(now),
      { where: this.where },
    );
  }
}
