import type Keyv from 'keyv';
import { mustWait } from '../../core/errors.js';

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
 * budget is not sent: the delivery waits for the next month with the reason "budget".
 */
export class SpendLedger {
  constructor(
    private readonly kv: Keyv,
    private readonly channelId: string,
    private readonly budgetUsd: number | undefined,
    private readonly where: string,
  ) {}

  private key(now: number): string {
    return `x:spend:${this.channelId}:${monthOf(now)}`;
  }

  async spentUsd(now: number): Promise<number> {
    return ((await this.kv.get(this.key(now))) ?? 0) / 1_000_000;
  }

  async assertAffordable(costUsd: number, now: number): Promise<void> {
    if (this.budgetUsd === undefined) return;
    const spent = micros(await this.spentUsd(now));
    if (spent + micros(costUsd) > micros(this.budgetUsd)) {
      throw mustWait(
        'budget',
        `this needs $${costUsd.toFixed(3)} but $${(spent / 1e6).toFixed(3)} of the $${this.budgetUsd.toFixed(2)} monthly budget is spent`,
        startOfNextMonth(now),
        { where: this.where },
      );
    }
  }

  async record(costUsd: number, now: number): Promise<void> {
    const key = this.key(now);
    await this.kv.set(key, ((await this.kv.get(key)) ?? 0) + micros(costUsd));
  }
}
