import { describe, expect, test } from 'vitest';
import { decide, nextOpportunity, type ScheduleState } from '../../src/schedule/decide.js';
import { at, iso, MIN, schedule } from './helpers.js';

// Europe/Berlin in January is UTC+1: local 09:00 = 08:00Z. 2026-01-12 is a Monday.
const TZ = 'Europe/Berlin';
const none: ScheduleState = { publishedAt: [] };

test('no slots and no limits: always ok, no slot consumed', () => {
  expect(decide(schedule({ timezone: TZ }), none, at('2026-01-12T03:17:00Z'))).toEqual({ ok: true });
});

describe('slots', () => {
  const daily = schedule({ timezone: TZ, slots: ['0 9 * * *'] });

  test('a slot at or before now and after lastSlot is consumed; the next wait names the slot in local time', () => {
    expect(decide(daily, none, at('2026-01-12T11:00:00Z'))).toEqual({ ok: true, slot: at('2026-01-12T08:00:00Z') });
    expect(decide(daily, { publishedAt: [], lastSlot: at('2026-01-12T07:59:00Z') }, at('2026-01-12T08:00:00Z'))).toEqual({ ok: true, slot: at('2026-01-12T08:00:00Z') });
    expect(decide(daily, { publishedAt: [at('2026-01-12T11:00:00Z')], lastSlot: at('2026-01-12T08:00:00Z') }, at('2026-01-12T11:00:01Z'))).toEqual({
      ok: false,
      until: at('2026-01-13T08:00:00Z'),
      reason: 'slot',
      detail: 'next slot Tue 09:00 Europe/Berlin',
    });
  });

  test('a slot six days or more away is named with its date', () => {
    const weekly = schedule({ timezone: TZ, slots: ['0 9 * * 1'] });
    const d = decide(weekly, { publishedAt: [], lastSlot: at('2026-01-12T08:00:00Z') }, at('2026-01-12T08:30:00Z'));
    expect(d).toMatchObject({ ok: false, until: at('2026-01-19T08:00:00Z'), detail: 'next slot Mon 19 Jan 09:00 Europe/Berlin' });
  });

  test("'skip' uses only the latest slot ≤ now; older missed slots are gone", () => {
    const hourly = schedule({ timezone: TZ, slots: ['0 * * * *'], catchUp: 'skip' });
    expect(decide(hourly, { publishedAt: [], lastSlot: at('2026-01-12T09:00:00Z') }, at('2026-01-12T11:30:00Z'))).toEqual({ ok: true, slot: at('2026-01-12T11:00:00Z') });
    expect(decide(hourly, { publishedAt: [], lastSlot: at('2026-01-12T11:00:00Z') }, at('2026-01-12T11:30:00Z'))).toMatchObject({ ok: false, until: at('2026-01-12T12:00:00Z') });
  });

  test("'post' uses the earliest unused slot after lastSlot", () => {
    const hourly = schedule({ timezone: TZ, slots: ['0 * * * *'], catchUp: 'post' });
    expect(decide(hourly, { publishedAt: [], lastSlot: at('2026-01-12T09:00:00Z') }, at('2026-01-12T11:30:00Z'))).toEqual({ ok: true, slot: at('2026-01-12T10:00:00Z') });
  });

  test("first start with 'skip': the latest slot ≤ now counts, however long ago (a weekly slot four days back)", () => {
    const weekly = schedule({ timezone: TZ, slots: ['0 9 * * 1'], catchUp: 'skip' });
    expect(decide(weekly, none, at('2026-01-15T11:00:00Z'))).toEqual({ ok: true, slot: at('2026-01-12T08:00:00Z') });
  });

  test("first start with 'post': the look-back is the last 24 h, not weeks of slots", () => {
    const hourly = schedule({ timezone: TZ, slots: ['0 * * * *'], catchUp: 'post' });
    expect(decide(hourly, none, at('2026-01-12T11:30:00Z'))).toEqual({ ok: true, slot: at('2026-01-11T12:00:00Z') });
    const daily9 = schedule({ timezone: TZ, slots: ['0 9 * * *'], catchUp: 'post' });
    expect(decide(daily9, none, at('2026-01-12T11:00:00Z'))).toEqual({ ok: true, slot: at('2026-01-12T08:00:00Z') }); // not yesterday's, 27 h ago
    const weekly = schedule({ timezone: TZ, slots: ['0 9 * * 1'], catchUp: 'post' });
    expect(decide(weekly, none, at('2026-01-15T11:00:00Z'))).toMatchObject({ ok: false, until: at('2026-01-19T08:00:00Z'), reason: 'slot' });
  });

  test("'post' after a long idle spell also looks back 24 h only (unused slots do not become a burst)", () => {
    const hourly = schedule({ timezone: TZ, slots: ['0 * * * *'], catchUp: 'post' });
    expect(decide(hourly, { publishedAt: [], lastSlot: at('2026-01-09T09:00:00Z') }, at('2026-01-12T11:30:00Z'))).toEqual({ ok: true, slot: at('2026-01-11T12:00:00Z') });
  });
});

describe('spacing and caps', () => {
  test('spacing: wait until the last publish + minSpacingMinutes, ok exactly then', () => {
    const s = schedule({ timezone: TZ, minSpacingMinutes: 45 });
    const state = { publishedAt: [at('2026-01-12T09:00:00Z'), at('2026-01-12T10:00:00Z')] };
    expect(decide(s, state, at('2026-01-12T10:30:00Z'))).toMatchObject({ ok: false, until: at('2026-01-12T10:45:00Z'), reason: 'spacing' });
    expect(decide(s, state, at('2026-01-12T10:45:00Z'))).toEqual({ ok: true });
  });

  test('maxPerHour over a rolling 60 min: wait until the oldest in the window leaves', () => {
    const s = schedule({ timezone: TZ, maxPerHour: 3 });
    const state = { publishedAt: ['10:00', '10:20', '10:40'].map((t) => at(`2026-01-12T${t}:00Z`)) };
    expect(decide(s, state, at('2026-01-12T10:50:00Z'))).toMatchObject({ ok: false, until: at('2026-01-12T11:00:00Z'), reason: 'cap' });
    expect(decide(s, state, at('2026-01-12T11:00:00Z'))).toEqual({ ok: true });
    // rolling, not per clock hour: two at 10:50 and 10:55 block a second one until 11:50
    const two = schedule({ timezone: TZ, maxPerHour: 2 });
    expect(decide(two, { publishedAt: [at('2026-01-12T10:50:00Z'), at('2026-01-12T10:55:00Z')] }, at('2026-01-12T11:05:00Z'))).toMatchObject({ until: at('2026-01-12T11:50:00Z') });
  });

  test('over the cap by several (a lowered cap): wait until enough have left, not just the oldest', () => {
    const s = schedule({ timezone: TZ, maxPerHour: 1 });
    const state = { publishedAt: ['10:10', '10:20', '10:30'].map((t) => at(`2026-01-12T${t}:00Z`)) };
    expect(decide(s, state, at('2026-01-12T10:40:00Z'))).toMatchObject({ ok: false, until: at('2026-01-12T11:30:00Z'), reason: 'cap' });
  });

  test('maxPerDay over a rolling 24 h', () => {
    const s = schedule({ timezone: TZ, maxPerDay: 2 });
    const state = { publishedAt: [at('2026-01-11T12:00:00Z'), at('2026-01-12T09:00:00Z')] };
    expect(decide(s, state, at('2026-01-12T10:00:00Z'))).toMatchObject({ ok: false, until: at('2026-01-12T12:00:00Z'), reason: 'cap' });
  });
});

describe('several rules at once: `until` is when all hold, `reason` the one that binds last', () => {
  test('the later of two waits wins', () => {
    const s = schedule({ timezone: TZ, minSpacingMinutes: 45, maxPerHour: 2 });
    const state = { publishedAt: [at('2026-01-12T10:00:00Z'), at('2026-01-12T10:00:00Z')] };
    expect(decide(s, state, at('2026-01-12T10:10:00Z'))).toMatchObject({ ok: false, until: at('2026-01-12T11:00:00Z'), reason: 'cap' });
  });

  test('a slot that comes before spacing allows: wait for spacing, then the slot (still unused) is consumed', () => {
    const s = schedule({ timezone: TZ, slots: ['0 * * * *'], minSpacingMinutes: 80 });
    const state = { publishedAt: [at('2026-01-12T10:00:00Z')], lastSlot: at('2026-01-12T10:00:00Z') };
    expect(decide(s, state, at('2026-01-12T10:30:00Z'))).toMatchObject({ ok: false, until: at('2026-01-12T11:20:00Z'), reason: 'spacing' });
    expect(nextOpportunity(s, state, at('2026-01-12T10:30:00Z'))).toEqual({ at: at('2026-01-12T11:20:00Z'), slot: at('2026-01-12T11:00:00Z'), reason: 'spacing' });
  });

  test('spacing runs into quiet hours: the re-check moves the wait to the end of the quiet hours', () => {
    const s = schedule({ timezone: TZ, minSpacingMinutes: 120, quietHours: { from: '22:00', to: '07:00' } });
    // last publish 20:30 local, now 21:00 local: spacing says 22:30 local, which is quiet → 07:00 local
    const d = decide(s, { publishedAt: [at('2026-01-12T19:30:00Z')] }, at('2026-01-12T20:00:00Z'));
    expect(d).toMatchObject({ ok: false, until: at('2026-01-13T06:00:00Z'), reason: 'quiet', detail: 'quiet hours 22:00–07:00 Europe/Berlin' });
  });
});

describe('a slot inside quiet hours: caught up after them with post, lost with skip', () => {
  // slots at 03:00 (inside 22:00–07:00) and 12:00 local; the 12:00 slot of the day before was used
  const base = { timezone: TZ, slots: ['0 3,12 * * *'], quietHours: { from: '22:00', to: '07:00' } };
  const state = { publishedAt: [at('2026-01-11T11:00:00Z')], lastSlot: at('2026-01-11T11:00:00Z') };

  test("'post': waits out the quiet hours, then consumes the 03:00 slot at 07:00", () => {
    const s = schedule({ ...base, catchUp: 'post' });
    expect(decide(s, state, at('2026-01-12T04:00:00Z'))).toMatchObject({ ok: false, until: at('2026-01-12T06:00:00Z'), reason: 'quiet' });
    expect(decide(s, state, at('2026-01-12T06:00:00Z'))).toEqual({ ok: true, slot: at('2026-01-12T02:00:00Z') });
  });

  test("'skip': the 03:00 slot is lost; from the quiet hours on, the wait is for the 12:00 slot", () => {
    const s = schedule({ ...base, catchUp: 'skip' });
    expect(decide(s, state, at('2026-01-12T06:00:00Z'))).toMatchObject({ ok: false, until: at('2026-01-12T11:00:00Z'), reason: 'slot', detail: 'next slot Mon 12:00 Europe/Berlin' });
    expect(decide(s, state, at('2026-01-12T04:00:00Z'))).toMatchObject({ ok: false, until: at('2026-01-12T11:00:00Z'), reason: 'slot' });
    expect(decide(s, state, at('2026-01-12T11:00:00Z'))).toEqual({ ok: true, slot: at('2026-01-12T11:00:00Z') });
  });

  test("'skip': a slot before the quiet hours that is still the latest when they end stays usable", () => {
    const s = schedule({ timezone: TZ, slots: ['0 21 * * *'], quietHours: { from: '22:00', to: '07:00' }, catchUp: 'skip' });
    const st = { publishedAt: [], lastSlot: at('2026-01-11T20:00:00Z') };
    expect(decide(s, st, at('2026-01-12T22:00:00Z'))).toMatchObject({ ok: false, until: at('2026-01-13T06:00:00Z'), reason: 'quiet' });
    expect(decide(s, st, at('2026-01-13T06:00:00Z'))).toEqual({ ok: true, slot: at('2026-01-12T20:00:00Z') });
  });

  test("'skip' with every slot inside quiet hours: the bounded loop gives up and asks to be called again later", () => {
    const s = schedule({ timezone: TZ, slots: ['0 3 * * *'], quietHours: { from: '22:00', to: '07:00' }, catchUp: 'skip' });
    const d = decide(s, { publishedAt: [], lastSlot: at('2026-01-11T02:00:00Z') }, at('2026-01-12T12:00:00Z'));
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.until).toBeGreaterThan(at('2026-01-12T12:00:00Z'));
      expect(d.detail).toMatch(/no time found/);
    }
  });
});

test('nextOpportunity is the earliest time decide() says ok, with the same slot', () => {
  const s = schedule({
    timezone: TZ,
    slots: ['0,30 * * * *'],
    minSpacingMinutes: 25,
    maxPerHour: 2,
    maxPerDay: 10,
    quietHours: { from: '22:00', to: '07:00' },
    catchUp: 'post',
  });
  const base = at('2026-01-12T00:00:00Z');
  for (let i = 0; i < 40; i++) {
    // a deterministic spread of states and times over a day
    const now = base + ((i * 47) % (24 * 60)) * MIN;
    const publishedAt = [now - ((i * 13) % 70) * MIN, now - ((i * 29) % 200) * MIN].filter((p) => p <= now);
    const state: ScheduleState = { publishedAt, lastSlot: now - ((i * 17) % 120) * MIN };
    const next = nextOpportunity(s, state, now);
    const d = decide(s, state, next.at);
    expect(d, `i=${i} now=${iso(now)} at=${iso(next.at)}`).toEqual({ ok: true, slot: next.slot });
    if (next.at > now) {
      expect(decide(s, state, now)).toMatchObject({ ok: false, until: next.at, reason: next.reason });
      expect(decide(s, state, next.at - 1).ok).toBe(false);
    } else {
      expect(next.reason).toBeUndefined();
    }
  }
});
