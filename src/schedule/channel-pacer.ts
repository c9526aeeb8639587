import type Keyv from 'keyv';
import type { Schedule } from '../config/schedule-schema.js';
import { decide, nextOpportunity, type Decision, type ScheduleState } from './decide.js';

const DAY = 24 * 3_600_000;

/**
 * A channel's pace, kept in the store: when it last published and which slot it last used.
 * The rules themselves are pure (decide.ts); this only loads and saves the state they need.
 */
export class ChannelPacer {
  private readonly key: string;

  constructor(
    private readonly kv: Keyv,
    channelId: string,
    private readonly schedule: Schedule,
    private readonly now: () => number = Date.now,
  ) {
    this.key = `schedule:${channelId}`;
  }

  async state(): Promise<ScheduleState> {
    return ((await this.kv.get(this.key)) as ScheduleState | undefined) ?? { publishedAt: [] };
  }

  async check(): Promise<Decision> {
    return decide(this.schedule, await this.state(), this.now());
  }

  async next(): Promise<ReturnType<typeof nextOpportunity>> {
    return nextOpportunity(this.schedule, await this.state(), this.now());
  }

  /** Counts a thread that went out, consuming the slot it was sent in. */
  async recordPublish(slot: number | undefined): Promise<void> {
    const state = await this.state();
    const now = this.now();
    await this.kv.set(this.key, {
      publishedAt: [...state.publishedAt.filter((t) => t > now - DAY), now],
      ...(slot !== undefined ? { lastSlot: slot } : state.lastSlot !== undefined ? { lastSlot: state.lastSlot } : {}),
    } satisfies ScheduleState);
  }
}
