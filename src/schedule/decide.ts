import type { WaitKind } from '../core/errors.js';
import type { Schedule } from '../config/schedule-schema.js';
import { formatLocal, MS } from './local-time.js';
import { inQuietHours, quietHoursEnd } from './quiet-hours.js';
import { slotAfter, slotAtOrBefore } from './slots.js';

/**
 * The pure scheduling rules of one channel: may a thread go out at `now`, and if not, until when must it wait?
 * No I/O and no clock: `now` is always passed in, so every rule is tested with fixed epoch times.
 *
 * Rules (all must hold at once):
 * - **slot** — with `slots`, each slot time lets one thread out; the send consumes a slot > `lastSlot` and ≤ now:
 *   - `catchUp: 'post'`: the earliest unused slot, so missed slots go out one by one (spacing and caps still
 *     apply between them). The look-back is bounded to the last 24 h (CATCH_UP_WINDOW_MS) — always, not only
 *     before the first send: a first start does not post weeks of slots, and neither does a channel whose queue
 *     was empty for a week (its unused slots would otherwise turn into a burst the moment items arrive).
 *   - `catchUp: 'skip'`: only the latest slot ≤ now, and only if > `lastSlot` (or no slot was used yet).
 *   - Slots inside quiet hours: with 'post' they are missed slots like any other and go out after the quiet
 *     hours end (within the 24 h look-back); with 'skip' they are lost — a 'skip' channel never uses a slot whose
 *     own time is in quiet hours, it waits for the next slot. (A slot *before* the quiet hours that is still the
 *     latest one when they end remains usable with 'skip'.)
 * - **spacing** — now − last publish ≥ minSpacingMinutes.
 * - **cap** — fewer than maxPerHour publishes in the rolling 60 min before now, fewer than maxPerDay in 24 h.
 * - **quiet** — the local wall time (in `timezone`) is not within [from, to); see quiet-hours.ts.
 *
 * When several rules bind, `until` is the earliest time at which all hold: start at now, jump to the latest of
 * the individual waits, check again (a bounded loop); `reason` is the rule behind the last jump (on a tie, the
 * first of slot, quiet, cap, spacing).
 */

export interface ScheduleState {
  /** Epoch ms of this channel's recent publishes (the caller keeps the last 24 h). */
  publishedAt: number[];
  /** Epoch ms of the last slot consumed (undefined before the first). */
  lastSlot?: number;
}

export type ScheduleWaitReason = Extract<WaitKind, 'slot' | 'spacing' | 'cap' | 'quiet'>;

export type Decision =
  | { ok: true; /** the slot time this send consumes, when the channel has slots */ slot?: number }
  | { ok: false; until: number; reason: ScheduleWaitReason; detail: string };

/** How far back 'post' looks for missed slots. */
export const CATCH_UP_WINDOW_MS = MS.DAY;
/** Rounds of the "all rules at once" loop before giving up (a 'skip' channel whose every slot is in quiet hours). */
export const MAX_ROUNDS = 256;
/** `until` when no slot will ever come again (a cron with a past year): the largest valid Date. */
export const NEVER = 8.64e15;

interface Wait {
  until: number;
  reason: ScheduleWaitReason;
  detail: string;
}

type Check = { ok: true; slot?: number } | { ok: false; waits: Wait[] };

const TIE_ORDER: readonly ScheduleWaitReason[] = ['slot', 'quiet', 'cap', 'spacing'];

/** Whether a thread may go out at `now`; if not, until when and why. */
export function decide(schedule: Schedule, state: ScheduleState, now: number): Decision {
  const found = search(schedule, state, now);
  if (found.ok && found.at === now) return found.slot === undefined ? { ok: true } : { ok: true, slot: found.slot };
  const wait = found.wait ?? { until: found.at, reason: 'slot', detail: 'no time found' };
  return { ok: false, until: found.at, reason: wait.reason, detail: wait.detail };
}

/** The earliest time at or after `now` when decide() would say ok (for `status`: "next slot at …"), with the slot. */
export function nextOpportunity(
  schedule: Schedule,
  state: ScheduleState,
  now: number,
): { at: number; slot?: number; reason?: ScheduleWaitReason } {
  const found = search(schedule, state, now);
  const out: { at: number; slot?: number; reason?: ScheduleWaitReason } = { at: found.at };
  if (found.slot !== undefined) out.slot = found.slot;
  if (found.wait) out.reason = found.wait.reason;
  return out;
}

function search(schedule: Schedule, state: ScheduleState, now: number): { ok: boolean; at: number; slot?: number; wait?: Wait } {
  let t = now;
  let last: Wait | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const c = check(schedule, state, t, now);
    if (c.ok) return { ok: true, at: t, ...(c.slot === undefined ? {} : { slot: c.slot }), ...(last ? { wait: last } : {}) };
    const binding = c.waits.reduce((a, b) =>
      b.until > a.until || (b.until === a.until && TIE_ORDER.indexOf(b.reason) < TIE_ORDER.indexOf(a.reason)) ? b : a,
    );
    last = binding;
    if (binding.until >= NEVER) return { ok: false, at: NEVER, wait: binding };
    t = Math.max(binding.until, t + 1);
  }
  return {
    ok: false,
    at: t,
    wait: last ? { ...last, detail: `${last.detail} (no time found in ${MAX_ROUNDS} rounds; asks again then)` } : undefined,
  };
}

/** All rules at time `t` (with the state as it is now); `now` only shapes the wording of the details. */
function check(schedule: Schedule, state: ScheduleState, t: number, now: number): Check {
  const tz = schedule.timezone;
  const waits: Wait[] = [];
  let slot: number | undefined;

  if (schedule.slots && schedule.slots.length > 0) {
    const r = slotRule(schedule, state, t);
    if ('use' in r) slot = r.use;
    else if (r.next === undefined) waits.push({ until: NEVER, reason: 'slot', detail: 'no further slot in the schedule' });
    else waits.push({ until: r.next, reason: 'slot', detail: `next slot ${formatLocal(r.next, tz, now)} ${tz}` });
  }

  const lastPublish = state.publishedAt.length > 0 ? Math.max(...state.publishedAt) : undefined;
  const spacingMs = schedule.minSpacingMinutes * MS.MINUTE;
  if (lastPublish !== undefined && spacingMs > 0 && t < lastPublish + spacingMs) {
    waits.push({
      until: lastPublish + spacingMs,
      reason: 'spacing',
      detail: `at least ${schedule.minSpacingMinutes} min between threads; the last went out ${formatLocal(lastPublish, tz, now)} ${tz}`,
    });
  }

  const caps: [number | undefined, number, string][] = [
    [schedule.maxPerHour, MS.HOUR, 'per hour'],
    [schedule.maxPerDay, MS.DAY, 'per 24 hours'],
  ];
  for (const [max, windowMs, label] of caps) {
    if (max === undefined) continue;
    const until = capFreeAt(state.publishedAt, t, windowMs, max);
    if (until !== undefined) {
      waits.push({ until, reason: 'cap', detail: `${max} ${label} reached; room again at ${formatLocal(until, tz, now)} ${tz}` });
    }
  }

  const quiet = schedule.quietHours;
  if (quiet && inQuietHours(quiet, tz, t)) {
    waits.push({ until: quietHoursEnd(quiet, tz, t), reason: 'quiet', detail: `quiet hours ${quiet.from}–${quiet.to} ${tz}` });
  }

  if (waits.length > 0) return { ok: false, waits };
  return slot === undefined ? { ok: true } : { ok: true, slot };
}

/**
 * The slot rule at `t`: `{ use }` — the slot a send at `t` consumes — or `{ next }` — the next slot time worth
 * waiting for (undefined when the schedule has no further slot). See the module comment for the rules.
 */
function slotRule(schedule: Schedule, state: ScheduleState, t: number): { use: number } | { next: number | undefined } {
  const slots = schedule.slots ?? [];
  const tz = schedule.timezone;
  const { lastSlot } = state;
  if (schedule.catchUp === 'post') {
    const earliest = slotAfter(slots, tz, Math.max(lastSlot ?? -Infinity, t - CATCH_UP_WINDOW_MS));
    return earliest !== undefined && earliest <= t ? { use: earliest } : { next: earliest };
  }
  const latest = slotAtOrBefore(slots, tz, t);
  const unused = latest !== undefined && (lastSlot === undefined || latest > lastSlot);
  const lostToQuiet = latest !== undefined && schedule.quietHours !== undefined && inQuietHours(schedule.quietHours, tz, latest);
  if (latest !== undefined && unused && !lostToQuiet) return { use: latest };
  return { next: slotAfter(slots, tz, Math.max(t, lastSlot ?? -Infinity)) };
}

/** When a send at `t` would fit `max` per `windowMs` (undefined: it fits now). */
function capFreeAt(publishedAt: readonly number[], t: number, windowMs: number, max: number): number | undefined {
  const inWindow = publishedAt.filter((p) => p > t - windowMs).sort((a, b) => a - b);
  if (inWindow.length < max) return undefined;
  // The (count − max + 1) oldest must leave the window; the last of them leaves at its time + window.
  return (inWindow[inWindow.length - max] as number) + windowMs;
}
