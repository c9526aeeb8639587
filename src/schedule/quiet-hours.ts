import { instantsOfWall, localMidnightWall, minuteOfDay, MS } from './local-time.js';

/**
 * Quiet hours: a daily window [from, to) of local wall time in which nothing is posted.
 * `to` earlier than `from` spans midnight (22:00–07:00). `from` equal to `to` is an empty window.
 *
 * The rule is the wall clock, nothing else: on DST days the window is longer or shorter in real time
 * but always ends when the local clock reaches `to` (07:00 in Berlin is 06:00Z in winter, 05:00Z in summer).
 * If `to` itself is skipped by a spring-forward gap, the window ends when the clock jumps past it.
 */
export interface QuietHours {
  from: string;
  to: string;
}

const toMinutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

/** Is the local time in `timeZone` at `instant` within [from, to)? */
export function inQuietHours(quiet: QuietHours, timeZone: string, instant: number): boolean {
  const from = toMinutes(quiet.from);
  const to = toMinutes(quiet.to);
  if (from === to) return false;
  const m = minuteOfDay(instant, timeZone);
  return from < to ? m >= from && m < to : m >= from || m < to;
}

/**
 * The first instant after `instant` at which the local clock reaches `to` — the end of the quiet window
 * that contains `instant` (call it only when `inQuietHours` is true).
 */
export function quietHoursEnd(quiet: QuietHours, timeZone: string, instant: number): number {
  const to = toMinutes(quiet.to) * MS.MINUTE;
  for (let day = 0; day <= 2; day++) {
    const wall = localMidnightWall(instant, timeZone, day) + to;
    const after = instantsOfWall(wall, timeZone).find((t) => t > instant);
    if (after !== undefined) return after;
  }
  /* c8 ignore next -- `to` comes round within two local days in every zone */
  return instant + MS.DAY;
}
