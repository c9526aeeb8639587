/**
 * The Mastodon rate gate when two processes post on one channel (`threadcast once` beside `run`): a window the
 * instance announced to one of them holds the other back too, even when the other read the channel's state before.
 * Two gates on one real store stand for the two processes.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ThreadcastError } from '../../../src/core/errors.js';
import { MastodonRateGate } from '../../../src/platforms/mastodon/rate-gate.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { tempDir } from '../../support/cli.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

async function waitOf(p: Promise<unknown>): Promise<{ wait?: string; until?: number } | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    if (err instanceof ThreadcastError) return { wait: err.wait, until: err.retryAt };
    throw err;
  }
}

describe('the Mastodon rate gate shared by two processes', () => {
  it('holds one process back by a window the instance announced to the other', async () => {
    const url = `sqlite:${path.join(tempDir('threadcast-masto-gate-'), 'state.sqlite')}`;
    const [one, two] = [await openStore(url), await openStore(url)];
    stores.push(one, two);
    const a = new MastodonRateGate(one.kv, 'm', 'channel m');
    const b = new MastodonRateGate(two.kv, 'm', 'channel m');
    // Both have looked before either was told anything.
    await a.assertRoom('statuses', 3, NOW);
    await b.assertRoom('statuses', 3, NOW);

    await a.observe('statuses', { limit: 300, remaining: 2, resetAt: NOW + 60_000 });
    expect(await waitOf(b.assertRoom('statuses', 3, NOW))).toEqual({ wait: 'rate', until: NOW + 60_000 });
    expect(await waitOf(b.assertRoom('statuses', 2, NOW))).toBeUndefined();
    // The other family is its own window; and a window past its reset holds nothing back.
    expect(await waitOf(b.assertRoom('media', 3, NOW))).toBeUndefined();
    expect(await waitOf(b.assertRoom('statuses', 3, NOW + 60_000))).toBeUndefined();

    // What b is told later is what a reads next.
    await b.observe('media', { limit: 30, remaining: 0, resetAt: NOW + 1_800_000 });
    expect(await waitOf(a.assertRoom('media', 1, NOW))).toEqual({ wait: 'rate', until: NOW + 1_800_000 });
    expect(await waitOf(a.assertRoom('statuses', 3, NOW))).toEqual({ wait: 'rate', until: NOW + 60_000 });
  });

  it('keeps both windows when one process is told two at once', async () => {
    const store = await openStore(`sqlite:${path.join(tempDir('threadcast-masto-gate-'), 'state.sqlite')}`);
    stores.push(store);
    const gate = new MastodonRateGate(store.kv, 'm', 'channel m');
    await Promise.all([
      gate.observe('statuses', { limit: 300, remaining: 0, resetAt: NOW + 60_000 }),
      gate.observe('media', { limit: 30, remaining: 0, resetAt: NOW + 1_800_000 }),
    ]);
    expect(await waitOf(gate.assertRoom('statuses', 1, NOW))).toEqual({ wait: 'rate', until: NOW + 60_000 });
    expect(await waitOf(gate.assertRoom('media', 1, NOW))).toEqual({ wait: 'rate', until: NOW + 1_800_000 });
  });
});
