import { Cron } from 'croner';

/**
 * Slot times from the channel's cron expressions, evaluated by croner in the channel's time zone.
 *
 * Only `Cron#nextRun(from)` (strictly after `from`) is trusted here: in croner 10, `nextRuns(n)` repeats
 * instants inside a spring-forward gap (New York, "*∕30 * * * *" on 2026-03-08 gives 03:00, 03:30, 03:00,
 * 03:30 EDT) and `previousRuns` drops a run when the reference is a few milliseconds past it. Every result is
 * checked, so a croner slip costs a retry, never a slot going backwards.
 *
 * DST, as croner 10 does it (pinned in tests/schedule/slots.test.ts):
 * - a wall time inside the spring-forward gap runs once, shifted forward by the gap (02:30 → 03:30 local);
 * - a wall time inside the autumn repeated hour runs once, at its first occurrence (summer time);
 * so a daily slot fires exactly once on every local day.
 */

const crons = new Map<string, Cron>();
function cronFor(expr: string, timezone: string): Cron {
  const key = `${timezone}\u0000${expr}`;
  let c = crons.get(key);
  if (!c) {
    c = new Cron(expr, { timezone, paused: true });
    crons.set(key, c);
  }
  return c;
}

/** The first run of one expression strictly after `after` (epoch ms), or undefined when there is none. */
function runAfter(cron: Cron, after: number): number | undefined {
  let from = after;
  for (let attempt = 0; attempt < 5; attempt++) {
    const next = cron.nextRun(new Date(from))?.getTime();
    if (next === undefined) return undefined;
    if (next > after) return next;
    from = Math.max(from, next) + 1000; // croner went backwards: step past it and ask again
  }
  return undefined;
}

/** Look-back windows tried, in order, when searching the latest run at or before a time. */
const LOOK_BACK_MS = [60_000, 3_600_000, 86_400_000, 8 * 86_400_000, 32 * 86_400_000, 367 * 86_400_000, 8 * 366 * 86_400_000];

/** The latest run of one expression at or before `at`, or undefined when there is none in the last 8 years. */
function runAtOrBefore(cron: Cron, at: number): number | undefined {
  for (const window of LOOK_BACK_MS) {
    let cur = runAfter(cron, at - window);
    if (cur === undefined || cur > at) continue;
    for (;;) {
      const next = runAfter(cron, cur);
      if (next === undefined || next > at) return cur;
      cur = next;
    }
  }
  return undefined;
}

/** The earliest slot strictly after `after`, over all expressions (the same instant twice is one slot). */
export function slotAfter(slots: readonly string[], timezone: string, after: number): number | undefined {
  let best: number | undefined;
  for (const expr of slots) {
    const t = runAfter(cronFor(expr, timezone), after);
    if (t !== undefined && (best === undefined || t < best)) best = t;
  }
  return best;
}

/** The latest slot at or before `at`, over all expressions. */
export function slotAtOrBefore(slots: readonly string[], timezone: string, at: number): number | undefined {
  let best: number | undefined;
  for (const expr of slots) {
    const t = runAtOrBefore(cronFor(expr, timezone), at);
    if (t !== undefined && (best === undefined || t > best)) best = t;
  }
  return best;
}

/** Every slot in (after, until], in order. Bounded by `limit` so a per-second cron cannot run away. */
export function slotsBetween(slots: readonly string[], timezone: string, after: number, until: number, limit = 10_000): number[] {
  const out: number[] = [];
  let cur = after;
  while (out.length < limit) {
    const next = slotAfter(slots, timezone, cur);
    if (next === undefined || next > until) break;
    out.push(next);
    cur = next;
  }
  return out;
}
