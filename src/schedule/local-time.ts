/**
 * Wall-clock arithmetic in an IANA time zone, with nothing but `Intl` (pure: no I/O, no clock).
 *
 * A "wall" value is the local date and time read as if it were UTC: `Date.UTC(y, m - 1, d, h, mi, s, ms)`.
 * It lets us compare and step local times with plain numbers; `wallMs(t, tz) - t` is the zone's offset at t.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const partFormatters = new Map<string, Intl.DateTimeFormat>();
function partFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = partFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partFormatters.set(timeZone, f);
  }
  return f;
}

export interface WallTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The local date and time shown by a clock in `timeZone` at `instant` (epoch ms). */
export function wallTime(instant: number, timeZone: string): WallTime {
  const out: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of partFormatter(timeZone).formatToParts(instant)) {
    if (p.type === 'year' || p.type === 'month' || p.type === 'day' || p.type === 'hour' || p.type === 'minute' || p.type === 'second') {
      out[p.type] = Number(p.value);
    }
  }
  return out;
}

/** The local wall clock at `instant`, as a "wall" number (see the module comment), keeping milliseconds. */
export function wallMs(instant: number, timeZone: string): number {
  const w = wallTime(instant, timeZone);
  const ms = ((instant % 1000) + 1000) % 1000;
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, ms);
}

/** Minutes since local midnight (0–1439) at `instant`. */
export function minuteOfDay(instant: number, timeZone: string): number {
  const w = wallTime(instant, timeZone);
  return w.hour * 60 + w.minute;
}

/**
 * Every instant at which the clock in `timeZone` shows the wall time `wall`, earliest first:
 * one on an ordinary day, two inside an autumn repeated hour. When the wall time is skipped by a
 * spring-forward gap, the single instant at which the clock jumps past it.
 * (Assumes at most one offset change within ±15 h of the wall time, true of every real zone.)
 */
export function instantsOfWall(wall: number, timeZone: string): number[] {
  const offsets = new Set([wall - 15 * HOUR, wall, wall + 15 * HOUR].map((probe) => wallMs(probe, timeZone) - probe));
  const hits = [...offsets]
    .map((o) => wall - o)
    .filter((c) => wallMs(c, timeZone) === wall)
    .sort((a, b) => a - b);
  if (hits.length > 0) return [...new Set(hits)];
  // In a gap: the first instant whose wall clock is at or past `wall` lies between the two candidates.
  let lo = wall - Math.max(...offsets);
  let hi = wall - Math.min(...offsets);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallMs(mid, timeZone) >= wall) hi = mid;
    else lo = mid;
  }
  return [hi];
}

/** The wall value of local midnight of the day `instant` falls on, shifted by `days` local days. */
export function localMidnightWall(instant: number, timeZone: string, days = 0): number {
  const w = wallTime(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day + days);
}

const labelFormatters = new Map<string, Intl.DateTimeFormat>();
/** "Mon 09:00", or "Mon 6 Apr 09:00" when `instant` is six days or more after `reference`. */
export function formatLocal(instant: number, timeZone: string, reference: number): string {
  const withDate = instant - reference >= 6 * DAY;
  const key = `${timeZone}\u0000${withDate}`;
  let f = labelFormatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      ...(withDate ? { day: 'numeric', month: 'short' } : {}),
    });
    labelFormatters.set(key, f);
  }
  const parts = Object.fromEntries(f.formatToParts(instant).map((p) => [p.type, p.value]));
  const date = withDate ? ` ${parts['day']} ${parts['month']}` : '';
  return `${parts['weekday']}${date} ${parts['hour']}:${parts['minute']}`;
}

export const MS = { MINUTE, HOUR, DAY } as const;
