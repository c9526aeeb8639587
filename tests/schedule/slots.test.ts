import { Cron } from 'croner';
import { describe, expect, test } from 'vitest';
import { slotAfter, slotAtOrBefore, slotsBetween } from '../../src/schedule/slots.js';
import { at, DAY, iso, local } from './helpers.js';

/**
 * croner's DST behaviour, pinned. The rules the scheduler relies on:
 * - spring forward: a daily 02:30 (inside the 02:00→03:00 gap) fires once that day, at 03:30 local —
 *   croner shifts it by the length of the gap (not to 03:00 as PLATFORMS.md says, and not dropped like node-cron);
 * - fall back: a wall time inside the repeated hour fires once, at its first (summer-time) occurrence;
 * so a daily slot fires exactly once on every local day, and 09:00 stays 09:00 local (its UTC instant moves).
 */
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

/** The daily slots of `expr` on the local days around a date, as local wall times. */
function dailyAround(expr: string, tz: string, fromIso: string, days: number): number[] {
  return slotsBetween([expr], tz, at(fromIso), at(fromIso) + days * DAY);
}

describe('daily 02:30 slot on the spring-forward day (02:30 does not exist)', () => {
  test('Europe/Berlin 2026-03-29: runs once, at 03:30 CEST (01:30Z), shifted by the gap', () => {
    const slots = dailyAround('30 2 * * *', BERLIN, '2026-03-27T12:00:00Z', 3);
    expect(slots.map(iso)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    expect(slots.map((s) => local(s, BERLIN))).toEqual(['2026-03-28 02:30', '2026-03-29 03:30', '2026-03-30 02:30']);
  });

  test('America/New_York 2026-03-08: runs once, at 03:30 EDT (07:30Z), shifted by the gap', () => {
    const slots = dailyAround('30 2 * * *', NEW_YORK, '2026-03-06T12:00:00Z', 3);
    expect(slots.map(iso)).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(slots.map((s) => local(s, NEW_YORK))).toEqual(['2026-03-07 02:30', '2026-03-08 03:30', '2026-03-09 02:30']);
  });
});

describe('a slot inside the autumn repeated hour runs once, at its first occurrence', () => {
  test('Europe/Berlin 2026-10-25: 02:30 happens twice on the clock (CEST, then CET); one slot, at 02:30 CEST (00:30Z)', () => {
    const slots = dailyAround('30 2 * * *', BERLIN, '2026-10-23T12:00:00Z', 3);
    expect(slots.map(iso)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    expect(slots).not.toContain(at('2026-10-25T01:30:00Z')); // the second 02:30 (CET)
  });

  test('America/New_York 2026-11-01: 02:30 is not repeated there (once, EST); 01:30 is, and runs once, at 01:30 EDT', () => {
    expect(dailyAround('30 2 * * *', NEW_YORK, '2026-10-30T12:00:00Z', 3).map(iso)).toEqual([
      '2026-10-31T06:30:00.000Z',
      '2026-11-01T07:30:00.000Z', // 02:30 EST
      '2026-11-02T07:30:00.000Z',
    ]);
    const repeated = dailyAround('30 1 * * *', NEW_YORK, '2026-10-31T12:00:00Z', 1);
    expect(repeated.map(iso)).toEqual(['2026-11-01T05:30:00.000Z']); // 01:30 EDT; 06:30Z (01:30 EST) is not a slot
  });

  test('hourly slots in the Berlin repeated hour: 02:00 once, then 03:00 — every local wall time exactly once', () => {
    const slots = slotsBetween(['0 * * * *'], BERLIN, at('2026-10-24T22:30:00Z'), at('2026-10-25T03:30:00Z'));
    expect(slots.map((s) => local(s, BERLIN))).toEqual(['2026-10-25 01:00', '2026-10-25 02:00', '2026-10-25 03:00', '2026-10-25 04:00']);
    expect(slots[2]! - slots[1]!).toBe(2 * 3_600_000); // the repeated hour has no slot
  });
});

describe('09:00 stays 09:00 local across all four DST changes (the UTC instant moves by an hour)', () => {
  test.each([
    [BERLIN, '2026-03-28T12:00:00Z', ['2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z'], '2026-03-28T08:00:00.000Z'],
    [BERLIN, '2026-10-24T12:00:00Z', ['2026-10-25T08:00:00.000Z', '2026-10-26T08:00:00.000Z'], '2026-10-24T07:00:00.000Z'],
    [NEW_YORK, '2026-03-07T16:00:00Z', ['2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z'], '2026-03-07T14:00:00.000Z'],
    [NEW_YORK, '2026-10-31T16:00:00Z', ['2026-11-01T14:00:00.000Z', '2026-11-02T14:00:00.000Z'], '2026-10-31T13:00:00.000Z'],
  ])('%s around %s', (tz, fromIso, after, before) => {
    expect(dailyAround('0 9 * * *', tz, fromIso, 2).map(iso)).toEqual(after);
    expect(iso(slotAtOrBefore(['0 9 * * *'], tz, at(fromIso))!)).toBe(before);
    for (const s of [...after, before]) expect(local(at(s), tz).slice(11)).toBe('09:00');
  });
});

test('exactly one daily slot per local day over the DST weeks, in both zones', () => {
  for (const [tz, startIso] of [
    [BERLIN, '2026-03-25T00:00:00Z'],
    [BERLIN, '2026-10-21T00:00:00Z'],
    [NEW_YORK, '2026-03-04T12:00:00Z'],
    [NEW_YORK, '2026-10-28T12:00:00Z'],
  ] as const) {
    for (const expr of ['30 2 * * *', '30 1 * * *', '0 9 * * *']) {
      const slots = slotsBetween([expr], tz, at(startIso), at(startIso) + 9 * DAY);
      const days = slots.map((s) => local(s, tz).slice(0, 10));
      expect(new Set(days).size).toBe(days.length); // never twice on one local day
      // and never a local day without one: consecutive slots are on consecutive local dates
      for (let i = 1; i < days.length; i++) expect(at(`${days[i]}T00:00:00Z`) - at(`${days[i - 1]}T00:00:00Z`)).toBe(DAY);
      expect(days.length).toBeGreaterThanOrEqual(8);
    }
  }
});

describe('slot arithmetic', () => {
  const hourly = ['0 * * * *'];
  test('slotAfter is strictly after; slotAtOrBefore includes the slot itself and is stable to the millisecond', () => {
    expect(iso(slotAfter(hourly, 'UTC', at('2026-01-01T09:00:00Z'))!)).toBe('2026-01-01T10:00:00.000Z');
    expect(iso(slotAfter(hourly, 'UTC', at('2026-01-01T08:59:59.999Z'))!)).toBe('2026-01-01T09:00:00.000Z');
    expect(iso(slotAtOrBefore(hourly, 'UTC', at('2026-01-01T09:00:00Z'))!)).toBe('2026-01-01T09:00:00.000Z');
    // croner's own previousRuns drops the 09:00 run here; ours does not
    expect(iso(slotAtOrBefore(['0 9 * * *'], 'UTC', at('2026-01-01T09:00:00.001Z'))!)).toBe('2026-01-01T09:00:00.000Z');
    expect(iso(slotAtOrBefore(hourly, 'UTC', at('2026-01-01T08:59:59.999Z'))!)).toBe('2026-01-01T08:00:00.000Z');
  });

  test('the latest slot is found however far back it is (a yearly slot)', () => {
    expect(iso(slotAtOrBefore(['0 9 1 1 *'], 'UTC', at('2026-12-31T00:00:00Z'))!)).toBe('2026-01-01T09:00:00.000Z');
  });

  test('several expressions merge; the same instant from two of them is one slot', () => {
    const slots = slotsBetween(['0 9 * * *', '0 9,18 * * *'], 'UTC', at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'));
    expect(slots.map(iso)).toEqual(['2026-01-01T09:00:00.000Z', '2026-01-01T18:00:00.000Z']);
  });

  test('croner repeats instants in the New York spring gap through nextRuns(); our slots stay strictly increasing', () => {
    const croner = new Cron('*/30 * * * *', { timezone: NEW_YORK, paused: true });
    const raw = croner.nextRuns(4, new Date(at('2026-03-08T06:40:00Z'))).map((d) => d.toISOString());
    expect(raw).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-08T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-08T07:30:00.000Z']);
    const ours = slotsBetween(['*/30 * * * *'], NEW_YORK, at('2026-03-08T05:50:00Z'), at('2026-03-08T08:00:00Z'));
    expect(ours.map((s) => local(s, NEW_YORK))).toEqual(['2026-03-08 01:00', '2026-03-08 01:30', '2026-03-08 03:00', '2026-03-08 03:30', '2026-03-08 04:00']);
  });
});
