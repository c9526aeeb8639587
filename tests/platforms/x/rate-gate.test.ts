/**
 * The X rate gate when two processes post on one channel (`threadcast once` beside `run`, or two instances while the
 * leader lease changes hands): each gate reads the channel's state afresh and takes a send in one step under a
 * store lease, so the caps hold for both together and neither loses what the other wrote. Two gates on one real
 * store stand for the two processes; the store's leases are atomic across processes (tests/store/store-contract).
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ThreadcastError } from '../../../src/core/errors.js';
import { RateGate } from '../../../src/platforms/x/rate-gate.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { tempDir } from '../../support/cli.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function twoGates(caps = { postsPer15Minutes: 2, postsPer24Hours: 100 }) {
  const url = `sqlite:${path.join(tempDir('threadcast-rate-gate-'), 'state.sqlite')}`;
  const [one, two] = [await openStore(url), await openStore(url)];
  stores.push(one, two);
  return { a: new RateGate(one, 'x', caps, 'channel x'), b: new RateGate(two, 'x', caps, 'channel x'), store: one };
}

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

async function waitReason(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    if (err instanceof ThreadcastError) return err.wait;
    throw err;
  }
}

describe('the X rate gate shared by two processes', () => {
  it("counts both processes' sends against the cap", async () => {
    const { a, b } = await twoGates();
    // Both looked before either sent: the first sends of each still count for the other.
    await a.assertRoom(1, NOW);
    await b.assertRoom(1, NOW);
    await a.take(NOW);
    await b.take(NOW + 1);
    expect(await waitReason(a.take(NOW + 2))).toBe('cap');
    expect(await waitReason(b.assertRoom(1, NOW + 2))).toBe('cap');
  });

  it('takes the last place once when both ask at the same moment', async () => {
    const { a, b } = await twoGates({ postsPer15Minutes: 1, postsPer24Hours: 100 });
    const reasons = await Promise.all([waitReason(a.take(NOW)), waitReason(b.take(NOW))]);
    expect(reasons.sort()).toEqual(['cap', undefined]);
  });

  it("keeps one process's sends and the other's observed windows", async () => {
    const { a, b, store } = await twoGates();
    a.observe({ 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String((NOW + 60_000) / 1000) }, NOW);
    await b.take(NOW);
    await a.save();
    const state = (await store.kv.get('x:rate:x')) as { windows: Record<string, { remaining: number }>; sent: number[] };
    expect(state.sent).toEqual([NOW]);
    expect(state.windows['x-rate-limit']?.remaining).toBe(0);
    // The spent window holds the other process back too.
    expect(await waitReason(b.assertRoom(1, NOW + 1))).toBe('rate');
  });

  it("takes X's last announced place once", async () => {
    const { a, b } = await twoGates();
    a.observe({ 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '1', 'x-rate-limit-reset': String((NOW + 60_000) / 1000) }, NOW);
    await a.save();
    const reasons = await Promise.all([waitReason(a.take(NOW)), waitReason(b.take(NOW))]);
    expect(reasons.sort()).toEqual(['rate', undefined]);
  });

  it('keeps a window observed while a write is in flight, for the next write', async () => {
    const url = `sqlite:${path.join(tempDir('threadcast-rate-gate-'), 'state.sqlite')}`;
    const store = await openStore(url);
    stores.push(store);
    const headers = (remaining: number) => ({ 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': String(remaining), 'x-rate-limit-reset': String((NOW + 600_000) / 1000) });
    let duringWrite: (() => void) | undefined;
    // The store's write, with an answer from X arriving while it is in flight.
    const kv = new Proxy(store.kv, {
      get(target, prop, receiver) {
        if (prop === 'set') {
          return async (key: string, value: unknown) => {
            const done = await target.set(key, value);
            duringWrite?.();
            duringWrite = undefined;
            return done;
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const gate = new RateGate({ kv, acquireLease: (...a) => store.acquireLease(...a), releaseLease: (...a) => store.releaseLease(...a) }, 'x', { postsPer15Minutes: 100, postsPer24Hours: 1000 }, 'channel x');
    gate.observe(headers(5), NOW);
    duringWrite = () => gate.observe(headers(0), NOW);
    await gate.take(NOW);
    await gate.save();
    expect(((await store.kv.get('x:rate:x')) as { windows: Record<string, { remaining: number }> }).windows['x-rate-limit']?.remaining).toBe(0);
    expect(await waitReason(gate.assertRoom(1, NOW + 1))).toBe('rate');
  });
});
