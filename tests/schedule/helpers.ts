import { ScheduleSchema, type Schedule } from '../../src/config/schedule-schema.js';
import { decide, type ScheduleState } from '../../src/schedule/decide.js';
import { wallTime } from '../../src/schedule/local-time.js';

/** Fixed epoch ms from an ISO string (never the real clock). */
export const at = (iso: string): number => Date.parse(iso);
export const iso = (ms: number): string => new Date(ms).toISOString();
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export const schedule = (input: Record<string, unknown>): Schedule => ScheduleSchema.parse(input);

/** "2026-03-29 03:30" — the local wall time in `tz`, for readable assertions. */
export function local(ms: number, tz: string): string {
  const w = wallTime(ms, tz);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}`;
}

export interface Sent {
  at: number;
  slot?: number;
}

/**
 * The caller's loop: decide → ok → record the publish (and slot) → decide again; not ok → advance to `until`.
 * Publishes at most `items` threads between `from` and `to`; keeps only the last 24 h of publishes, as the caller does.
 */
export function simulate(s: Schedule, from: number, to: number, items: number, initial: ScheduleState = { publishedAt: [] }): { sent: Sent[]; state: ScheduleState; left: number } {
  const state: ScheduleState = { publishedAt: [...initial.publishedAt], ...(initial.lastSlot === undefined ? {} : { lastSlot: initial.lastSlot }) };
  const sent: Sent[] = [];
  let now = from;
  let left = items;
  for (let guard = 0; guard < 10_000 && left > 0 && now < to; guard++) {
    const d = decide(s, state, now);
    if (d.ok) {
      sent.push(d.slot === undefined ? { at: now } : { at: now, slot: d.slot });
      state.publishedAt = [...state.publishedAt.filter((p) => p > now - DAY), now];
      if (d.slot !== undefined) state.lastSlot = d.slot;
      left--;
    } else {
      if (d.until <= now) throw new Error(`decide went backwards at ${iso(now)}`);
      now = d.until;
    }
  }
  return { sent, state, left };
}

/** Most publishes in any window of `windowMs` (a publish at p is in the windows (p − window, p]). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  return Math.max(0, ...times.map((t) => times.filter((p) => p > t - windowMs && p <= t).length));
}
