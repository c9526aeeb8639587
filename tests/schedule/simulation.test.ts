import { describe, expect, test } from 'vitest';
import { slotsBetween } from '../../src/schedule/slots.js';
import { at, DAY, HOUR, iso, maxInWindow, MIN, schedule, simulate } from './helpers.js';

describe('backlog trickle: 50 queued items, a slot every 30 minutes — one thread per slot over a simulated day', () => {
  test.each([
    ['an ordinary day', 'Europe/Berlin', '2026-01-12T08:00:00Z'],
    ['Berlin spring-forward day', 'Europe/Berlin', '2026-03-28T22:00:00Z'],
    ['Berlin autumn-back day', 'Europe/Berlin', '2026-10-24T22:00:00Z'],
    ['New York spring-forward day', 'America/New_York', '2026-03-08T04:00:00Z'],
    ['New York autumn-back day', 'America/New_York', '2026-11-01T03:00:00Z'],
  ])('%s (%s)', (_name, tz, startIso) => {
    for (const catchUp of ['skip', 'post'] as const) {
      const s = schedule({ timezone: tz, slots: ['*/30 * * * *'], minSpacingMinutes: 20, maxPerHour: 2, maxPerDay: 48, catchUp });
      const from = at(startIso);
      const to = from + DAY;
      // a channel that was already running: its last slot was the one before `from`
      const { sent, left } = simulate(s, from, to, 50, { publishedAt: [from - 30 * MIN], lastSlot: from - 30 * MIN });
      const expected = slotsBetween(['*/30 * * * *'], tz, from - 1, to - 1);
      expect(sent.map((x) => x.slot)).toEqual(expected); // every slot used once, in order, none twice
      expect(sent.every((x) => x.at === x.slot)).toBe(true); // and on time: nothing else bound
      expect(left).toBe(50 - expected.length);
      const times = sent.map((x) => x.at);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(20 * MIN);
      expect(maxInWindow(times, HOUR)).toBeLessThanOrEqual(2);
      expect(maxInWindow(times, DAY)).toBeLessThanOrEqual(48);
    }
  });

  test('the autumn day has 46 half-hour slots in its 24 real hours: the repeated hour gives none (croner)', () => {
    expect(slotsBetween(['*/30 * * * *'], 'Europe/Berlin', at('2026-10-24T22:00:00Z') - 1, at('2026-10-25T22:00:00Z') - 1)).toHaveLength(46);
    expect(slotsBetween(['*/30 * * * *'], 'Europe/Berlin', at('2026-03-28T22:00:00Z') - 1, at('2026-03-29T22:00:00Z') - 1)).toHaveLength(48);
  });

  test('caps tighter than the slots: every thread still consumes exactly one slot, in order, and the caps hold all day', () => {
    const s = schedule({ timezone: 'Europe/Berlin', slots: ['*/30 * * * *'], minSpacingMinutes: 20, maxPerHour: 1, maxPerDay: 20, catchUp: 'post' });
    const from = at('2026-01-12T08:00:00Z');
    const { sent } = simulate(s, from, from + DAY, 50, { publishedAt: [], lastSlot: from - 30 * MIN });
    const slots = sent.map((x) => x.slot!);
    expect(new Set(slots).size).toBe(slots.length);
    for (let i = 1; i < slots.length; i++) expect(slots[i]!).toBeGreaterThan(slots[i - 1]!);
    for (const x of sent) expect(x.slot!).toBeLessThanOrEqual(x.at);
    const times = sent.map((x) => x.at);
    expect(maxInWindow(times, HOUR)).toBe(1);
    expect(maxInWindow(times, DAY)).toBeLessThanOrEqual(20);
    expect(sent).toHaveLength(20);
  });
});

describe('catch-up after a 5-hour downtime with hourly slots', () => {
  // Berlin, January (UTC+1). Running until the 09:00Z slot; down from 09:30Z to 14:30Z (missed 10–14Z).
  const tz = 'Europe/Berlin';
  const initial = { publishedAt: [at('2026-01-12T09:00:00Z')], lastSlot: at('2026-01-12T09:00:00Z') };
  const from = at('2026-01-12T14:30:00Z');
  const to = at('2026-01-12T18:30:00Z');
  const fmt = (sent: { at: number; slot?: number }[]) => sent.map((x) => `${iso(x.at).slice(11, 16)}←${iso(x.slot!).slice(11, 16)}`);

  test("'skip': only the latest missed slot (14:00) goes out; the others are skipped", () => {
    const s = schedule({ timezone: tz, slots: ['0 * * * *'], minSpacingMinutes: 10, catchUp: 'skip' });
    expect(fmt(simulate(s, from, to, 20, initial).sent)).toEqual(['14:30←14:00', '15:00←15:00', '16:00←16:00', '17:00←17:00', '18:00←18:00']);
  });

  test("'post': every missed slot goes out in turn, spaced by minSpacingMinutes, then back on the slots", () => {
    const s = schedule({ timezone: tz, slots: ['0 * * * *'], minSpacingMinutes: 10, catchUp: 'post' });
    expect(fmt(simulate(s, from, to, 20, initial).sent)).toEqual([
      '14:30←10:00',
      '14:40←11:00',
      '14:50←12:00',
      '15:00←13:00',
      '15:10←14:00',
      '15:20←15:00',
      '16:00←16:00',
      '17:00←17:00',
      '18:00←18:00',
    ]);
  });

  test("'post' with maxPerHour 3: the catch-up is held to the cap, still one missed slot per thread", () => {
    const s = schedule({ timezone: tz, slots: ['0 * * * *'], minSpacingMinutes: 10, maxPerHour: 3, catchUp: 'post' });
    const { sent } = simulate(s, from, to, 20, initial);
    expect(fmt(sent).slice(0, 6)).toEqual(['14:30←10:00', '14:40←11:00', '14:50←12:00', '15:30←13:00', '15:40←14:00', '15:50←15:00']);
    expect(maxInWindow(sent.map((x) => x.at), HOUR)).toBeLessThanOrEqual(3);
    expect(sent.map((x) => x.slot)).toEqual(slotsBetween(['0 * * * *'], tz, initial.lastSlot, to).slice(0, sent.length));
  });
});
