import type { Schedule } from '../config/schedule-schema.js';
import { nextOpportunity, NEVER, type ScheduleState } from './decide.js';

export interface Waiting {
  id: string;
  /** Epoch ms before which it may not go (publish-at, retry backoff); absent means now. */
  notBefore?: number;
}

/**
 * When each waiting delivery is expected to go out, by playing the channel's rules forward: the queue's
 * order (priority, then age) decides who takes each opportunity, and a delivery whose publish-at is still
 * ahead lets the next one pass, as the outbox does. An estimate: publish ticks, failures and new arrivals
 * move it. Pure; `now` is passed in.
 */
export function estimateSendTimes(schedule: Schedule, state: ScheduleState, queue: readonly Waiting[], now: number, limit = 500): Map<string, number> {
  const out = new Map<string, number>();
  let remaining = queue.slice(0, limit);
  let sim: ScheduleState = { publishedAt: [...state.publishedAt], ...(state.lastSlot !== undefined ? { lastSlot: state.lastSlot } : {}) };
  let t = now;
  while (remaining.length > 0) {
    const opportunity = nextOpportunity(schedule, sim, t);
    if (opportunity.at >= NEVER) break;
    const index = remaining.findIndex((w) => (w.notBefore ?? 0) <= opportunity.at);
    if (index < 0) {
      t = Math.min(...remaining.map((w) => w.notBefore ?? 0));
      continue;
    }
    out.set(remaining[index]!.id, opportunity.at);
    remaining = remaining.filter((_, i) => i !== index);
    sim = { publishedAt: [...sim.publishedAt, opportunity.at], ...(opportunity.slot !== undefined ? { lastSlot: opportunity.slot } : sim.lastSlot !== undefined ? { lastSlot: sim.lastSlot } : {}) };
    t = opportunity.at;
  }
  return out;
}
