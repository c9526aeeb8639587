import { describe, expect, test } from 'vitest';
import { decide } from '../../src/schedule/decide.js';
import { inQuietHours, quietHoursEnd } from '../../src/schedule/quiet-hours.js';
import { at, HOUR, iso, local, schedule } from './helpers.js';

const night = { from: '22:00', to: '07:00' };

describe('quiet hours are a window of local wall time [from, to)', () => {
  test('a window spanning midnight: 21:59 out, 22:00 in, 06:59 in, 07:00 out (Berlin, winter = UTC+1)', () => {
    const q = (isoTime: string) => inQuietHours(night, 'Europe/Berlin', at(isoTime));
    expect(q('2026-01-12T20:59:00Z')).toBe(false);
    expect(q('2026-01-12T21:00:00Z')).toBe(true);
    expect(q('2026-01-12T23:30:00Z')).toBe(true);
    expect(q('2026-01-13T05:59:00Z')).toBe(true);
    expect(q('2026-01-13T06:00:00Z')).toBe(false);
  });

  test('a same-day window (12:00–14:00) and an empty one (from = to)', () => {
    const lunch = { from: '12:00', to: '14:00' };
    expect(inQuietHours(lunch, 'UTC', at('2026-01-12T11:59:00Z'))).toBe(false);
    expect(inQuietHours(lunch, 'UTC', at('2026-01-12T12:00:00Z'))).toBe(true);
    expect(inQuietHours(lunch, 'UTC', at('2026-01-12T14:00:00Z'))).toBe(false);
    expect(iso(quietHoursEnd(lunch, 'UTC', at('2026-01-12T13:10:00Z')))).toBe('2026-01-12T14:00:00.000Z');
    for (let h = 0; h < 24; h++) expect(inQuietHours({ from: '09:00', to: '09:00' }, 'UTC', at('2026-01-12T00:00:00Z') + h * HOUR)).toBe(false);
  });
});

describe('22:00–07:00 ends at 07:00 local across both DST changes, so the UTC end moves by an hour', () => {
  test.each([
    // zone, an instant inside the DST night, its end (07:00 local), the same on the night before
    ['Europe/Berlin', '2026-03-28T23:00:00Z', '2026-03-29T05:00:00.000Z', '2026-03-28T06:00:00.000Z', 8],
    ['Europe/Berlin', '2026-10-24T23:00:00Z', '2026-10-25T06:00:00.000Z', '2026-10-24T05:00:00.000Z', 10],
    ['America/New_York', '2026-03-08T04:00:00Z', '2026-03-08T11:00:00.000Z', '2026-03-07T12:00:00.000Z', 8],
    ['America/New_York', '2026-11-01T04:00:00Z', '2026-11-01T12:00:00.000Z', '2026-10-31T11:00:00.000Z', 10],
  ])('%s, night containing %s', (tz, inside, end, endBefore, hoursLong) => {
    const s = schedule({ timezone: tz, quietHours: night });
    expect(iso(quietHoursEnd(night, tz, at(inside)))).toBe(end);
    expect(local(at(end), tz).slice(11)).toBe('07:00');
    expect(iso(quietHoursEnd(night, tz, at(inside) - 24 * HOUR))).toBe(endBefore);
    // decide() waits for exactly that instant, from anywhere in the night
    expect(decide(s, { publishedAt: [], }, at(inside))).toMatchObject({ ok: false, until: at(end), reason: 'quiet' });
    expect(decide(s, { publishedAt: [] }, at(end) - 1).ok).toBe(false);
    expect(decide(s, { publishedAt: [] }, at(end)).ok).toBe(true);
    // the night is shorter (spring) or longer (autumn) in real time: from 22:00 local to 07:00 local
    const start = at(end) - hoursLong * HOUR;
    expect(local(start, tz).slice(11)).toBe('22:00');
    expect(decide(s, { publishedAt: [] }, start - 1).ok).toBe(true);
    expect(decide(s, { publishedAt: [] }, start)).toMatchObject({ ok: false, until: at(end) });
  });

  test('an end time inside the spring gap ends when the clock jumps past it (22:00–02:30, Berlin, 02:00 → 03:00 at 01:00Z)', () => {
    const q = { from: '22:00', to: '02:30' };
    expect(iso(quietHoursEnd(q, 'Europe/Berlin', at('2026-03-28T23:00:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(inQuietHours(q, 'Europe/Berlin', at('2026-03-29T01:00:00Z'))).toBe(false);
  });

  test('an end time inside the autumn repeated hour: quiet again for the repeated part, by the wall-clock rule', () => {
    const q = { from: '01:00', to: '02:30' }; // Berlin 2026-10-25: 02:00–02:59 happens twice
    expect(iso(quietHoursEnd(q, 'Europe/Berlin', at('2026-10-24T23:30:00Z')))).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
    expect(inQuietHours(q, 'Europe/Berlin', at('2026-10-25T00:45:00Z'))).toBe(false); // 02:45 CEST
    expect(inQuietHours(q, 'Europe/Berlin', at('2026-10-25T01:10:00Z'))).toBe(true); // 02:10 CET
    expect(iso(quietHoursEnd(q, 'Europe/Berlin', at('2026-10-25T01:10:00Z')))).toBe('2026-10-25T01:30:00.000Z'); // 02:30 CET
  });
});
