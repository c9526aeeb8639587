import { describe, expect, it } from 'vitest';
import { estimateSendTimes } from '../../src/schedule/estimate.js';
import { at, HOUR, iso, MIN, schedule, simulate } from './helpers.js';

// The editor page shows each waiting delivery's expected time; these pin that the estimate follows the
// same rules the outbox obeys, not a guess of its own.
describe('estimateSendTimes', () => {
  const now = at('2026-12-01T08:10:00Z');

  it('gives each delivery its own slot, in queue order', () => {
    const s = schedule({ timezone: 'UTC', slots: ['0 9,12,17 * * *'], catchUp: 'skip' });
    // Yesterday's last slot was used, so nothing is owed from before now.
    const state = { publishedAt: [], lastSlot: at('2026-11-30T17:00:00Z') };
    const times = estimateSendTimes(s, state, [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }], now);
    expect([...times].map(([id, t]) => [id, iso(t)])).toEqual([
      ['a', '2026-12-01T09:00:00.000Z'],
      ['b', '2026-12-01T12:00:00.000Z'],
      ['c', '2026-12-01T17:00:00.000Z'],
      ['d', '2026-12-02T09:00:00.000Z'],
    ]);
  });

  it('agrees with the decide loop the publisher runs, under spacing and an hourly cap', () => {
    const s = schedule({ timezone: 'UTC', minSpacingMinutes: 7, maxPerHour: 5 });
    const ids = Array.from({ length: 12 }, (_, i) => ({ id: `d${i}` }));
    const estimated = [...estimateSendTimes(s, { publishedAt: [now - 30 * MIN] }, ids, now).values()];
    const played = simulate(s, now, now + 24 * HOUR, 12, { publishedAt: [now - 30 * MIN] }).sent.map((x) => x.at);
    expect(estimated).toEqual(played);
  });

  it('lets a later item pass one whose publish-at is still ahead', () => {
    const s = schedule({ timezone: 'UTC', minSpacingMinutes: 60 });
    const times = estimateSendTimes(s, { publishedAt: [] }, [{ id: 'later', notBefore: at('2026-12-01T15:00:00Z') }, { id: 'plain' }], now);
    expect(iso(times.get('plain')!)).toBe(iso(now));
    expect(iso(times.get('later')!)).toBe('2026-12-01T15:00:00.000Z');
  });

  it('looks as far ahead as the next slot, even a year', () => {
    const s = schedule({ timezone: 'UTC', slots: ['0 9 1 1 *'], catchUp: 'skip' });
    const times = estimateSendTimes(s, { publishedAt: [], lastSlot: at('2026-01-01T09:00:00Z') }, [{ id: 'a' }, { id: 'b' }], now);
    expect(iso(times.get('a')!)).toBe('2027-01-01T09:00:00.000Z');
    expect(iso(times.get('b')!)).toBe('2028-01-01T09:00:00.000Z');
  });
});
