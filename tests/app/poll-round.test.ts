import { PassThrough } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/app/app.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { feedItems, startFeedHosts, type FeedHosts } from '../support/feed-hosts.js';
import { prng } from '../support/prng.js';

/**
 * Feeds are fetched at once through a pool (a global limit, a per-host limit), and queued in config order whatever
 * order they answer in. Real App, real SQLite store, real HTTP servers on several loopback hosts.
 */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function hosts(opts: Parameters<typeof startFeedHosts>[0]): Promise<FeedHosts> {
  const h = await startFeedHosts(opts);
  cleanups.push(() => h.close());
  return h;
}

async function appFor(sources: Array<Record<string, unknown>>, polling: Record<string, unknown> = {}) {
  const config = ConfigSchema.parse({
    store: 'sqlite::memory:',
    dryRun: true,
    polling,
    sources,
    channels: [{ id: 'bsky', platform: 'bluesky', cards: false }],
  });
  const store: Store = await openStore(config.store);
  // A clock that moves on each read: a delivery's place in the queue is the moment it was queued, never a tie.
  let clock = Date.parse('2026-06-02T00:00:00Z');
  const app = new App({ config, store, log: pino({ level: 'silent' }), out: new PassThrough(), now: () => (clock += 1000) });
  cleanups.push(async () => {
    await app.close();
    await store.close();
  });
  return { app, store, config };
}

/** The operator restarts with `config` on the same store. */
function restartOn(store: Store, config: ReturnType<typeof ConfigSchema.parse>): App {
  const app = new App({ config, store, log: pino({ level: 'silent' }), out: new PassThrough() });
  cleanups.push(() => app.close());
  return app;
}

describe('a poll round', () => {
  it('fetches feeds at once, never more than polling.concurrency in all nor polling.perHost from one host', async () => {
    const feeds = await hosts({ hosts: 4, delayMs: () => 150 });
    const { app, config } = await appFor(
      Array.from({ length: 24 }, (_, n) => ({ id: `f${n}`, feed: feeds.url(n), backlog: 'all' })),
      { concurrency: 6, perHost: 2 },
    );
    const reports = (await app.cycle()).sources;
    expect(reports.map((r) => r.ok)).toEqual(Array(24).fill(true));
    const max = feeds.maxInFlight();
    expect(max.overall).toBe(6);
    expect([...max.perHost.values()]).toEqual([2, 2, 2, 2]);
  });

  it('gives both its slots back when a fetch or a parse fails: with one slot, the feeds after them are still polled', async () => {
    const feeds = await hosts({ hosts: 1, delayMs: () => 20, body: (n) => (n === 0 ? 'not a feed at all' : feedItems(n, 2)) });
    const missing = feeds.url(1).replace(/\/feeds\/1\.xml$/, '/nowhere.xml');
    const { app } = await appFor(
      [
        { id: 'unparsable', feed: feeds.url(0) },
        { id: 'missing', feed: missing },
        { id: 'fine', feed: feeds.url(2) },
        { id: 'also-fine', feed: feeds.url(3) },
      ],
      { concurrency: 1, perHost: 1 },
    );
    const reports = (await app.cycle()).sources;
    expect(reports.map((r) => [r.sourceId, r.ok])).toEqual([
      ['unparsable', false],
      ['missing', false],
      ['fine', true],
      ['also-fine', true],
    ]);
  });

  it('lets other hosts pass a host that is full', async () => {
    // 12 feeds on host 1 first, then 3 on host 2: host 2 must not wait behind host 1's queue.
    const feeds = await hosts({ hosts: 2, delayMs: () => 100 });
    const sources = [...Array.from({ length: 12 }, (_, i) => i * 2), 1, 3, 5].map((n) => ({ id: `f${n}`, feed: feeds.url(n) }));
    const { app, config } = await appFor(sources, { concurrency: 4, perHost: 2 });
    await app.cycle();
    // Host 2's three feeds went in the first two waves (4 + 3 answers), not after host 1's twelve.
    expect(feeds.answered.slice(0, 7).filter((n) => n % 2 === 1).sort()).toEqual([1, 3, 5]);
    expect(feeds.maxInFlight().overall).toBe(4);
  });

  for (const seed of [1, 2, 3]) {
    it(`queues in config order whatever order the feeds answer in (seed ${seed})`, async () => {
      const rand = prng(seed);
      const delays = Array.from({ length: 20 }, () => Math.floor(rand() * 300));
      const feeds = await hosts({ hosts: 5, delayMs: (n) => delays[n]! });
      // Ids that do not sort in config order, so a tie broken by id could not pass for config order.
      const ids = Array.from({ length: 20 }, (_, n) => `s${((n * 7) % 20).toString().padStart(2, '0')}`);
      const { app, store, config } = await appFor(ids.map((id, n) => ({ id, feed: feeds.url(n), backlog: 'all' })));
      const reports = (await app.cycle()).sources;

      // The feeds really did answer out of order…
      expect(feeds.answered).not.toEqual([...feeds.answered].sort((a, b) => a - b));
      // …and the reports and the queue follow the config all the same.
      expect(reports.map((r) => r.sourceId)).toEqual(ids);
      const queue = await store.listDeliveries({ channelId: 'bsky' });
      expect(queue).toHaveLength(40);
      expect([...new Set(queue.map((d) => d.sourceId))]).toEqual(ids);
    });
  }

  it('gives an article two sources carry to the first in config order, even when it answers last', async () => {
    const same = (n: number) => feedItemsSharing(n);
    const feeds = await hosts({ hosts: 2, delayMs: (n) => (n === 0 ? 400 : 0), body: same });
    const { app, store, config } = await appFor([
      { id: 'slow', feed: feeds.url(0), backlog: 'all' },
      { id: 'fast', feed: feeds.url(1), backlog: 'all' },
    ]);
    await app.cycle();
    expect(feeds.answered).toEqual([1, 0]);
    const queue = await store.listDeliveries({ channelId: 'bsky' });
    expect(queue.map((d) => d.sourceId)).toEqual(['slow']);
  });

  it('counts a feed served again byte for byte, with no validators, as not modified; a changed body is read', async () => {
    let stories = 2;
    const feeds = await hosts({ hosts: 1, delayMs: () => 0, body: (n) => feedItems(n, stories) });
    const { app, store } = await appFor([{ id: 'f0', feed: feeds.url(0), backlog: 'all' }]);
    expect((await app.cycle()).sources[0]).toMatchObject({ ok: true, notModified: false, items: 2, queued: 2 });
    expect((await app.cycle()).sources[0]).toMatchObject({ ok: true, notModified: true, items: 0, queued: 0 });
    stories = 3;
    expect((await app.cycle()).sources[0]).toMatchObject({ ok: true, notModified: false, items: 3, queued: 1 });
    expect(feeds.answered).toEqual([0, 0, 0]);
    expect(await store.listDeliveries({ channelId: 'bsky' })).toHaveLength(3);
  });

  it('reads the same bytes again after an intake that stopped half-way, and queues what it left', async () => {
    const feeds = await hosts({ hosts: 1, delayMs: () => 0 });
    const { app, store } = await appFor([{ id: 'f0', feed: feeds.url(0), backlog: 'all' }]);
    // The store fails once as the deliveries are written (a full disk), after the items' marks were claimed.
    const createDeliveries = store.createDeliveries.bind(store);
    let failures = 1;
    store.createDeliveries = async (deliveries) => {
      if (failures-- > 0) throw new Error('SQLITE_FULL: database or disk is full');
      return createDeliveries(deliveries);
    };
    expect((await app.cycle()).sources[0]).toMatchObject({ ok: false });
    expect(await store.listDeliveries({ channelId: 'bsky' })).toHaveLength(0);
    expect((await app.cycle()).sources[0]).toMatchObject({ ok: true, notModified: false, items: 2, queued: 2 });
    expect(await store.listDeliveries({ channelId: 'bsky' })).toHaveLength(2);
  });

  it('reads an unchanged feed whole for a channel added since: the new channel gets its backlog', async () => {
    const feeds = await hosts({ hosts: 1, delayMs: () => 0 });
    const source = { id: 'f0', feed: feeds.url(0), backlog: 'all' };
    const { app, store, config } = await appFor([source]);
    expect((await app.cycle()).sources[0]).toMatchObject({ ok: true, queued: 2 });
    expect((await app.cycle()).sources[0]).toMatchObject({ ok: true, notModified: true });
    await app.close();
    // The operator adds a channel and restarts, on the same store.
    const widened = ConfigSchema.parse({ ...config, channels: [...config.channels, { id: 'bsky-2', platform: 'bluesky', cards: false }] });
    const restarted = restartOn(store, widened);
    expect((await restarted.cycle()).sources[0]).toMatchObject({ ok: true, notModified: false, items: 2, queued: 2 });
    expect(await store.listDeliveries({ channelId: 'bsky-2' })).toHaveLength(2);
    expect((await restarted.cycle()).sources[0]).toMatchObject({ ok: true, notModified: true, queued: 0 });
  });

  it('still answers an unchanged feed as unchanged after a restart with the same config; an edited rule reads it whole', async () => {
    const feeds = await hosts({ hosts: 1, delayMs: () => 0 });
    const { app, store, config } = await appFor([{ id: 'f0', feed: feeds.url(0), backlog: 'all', exclude: { keywords: ['story 1'] } }]);
    expect((await app.cycle()).sources[0]).toMatchObject({ ok: true, notModified: false, items: 2, queued: 1 });
    await app.close();
    // The same config, parsed again: a new App and new config objects.
    const same = restartOn(store, ConfigSchema.parse(JSON.parse(JSON.stringify(config))));
    expect((await same.cycle()).sources[0]).toMatchObject({ ok: true, notModified: true, queued: 0 });
    await same.close();
    const edited = restartOn(store, ConfigSchema.parse({ ...config, sources: [{ ...config.sources[0]!, exclude: { keywords: ['story 0'] } }] }));
    expect((await edited.cycle()).sources[0]).toMatchObject({ ok: true, notModified: false, items: 2 });
  });

  it('a hanging feed holds one slot until its timeout; the others are fetched meanwhile', async () => {
    const feeds = await hosts({ hosts: 3, delayMs: (n) => (n === 0 ? Infinity : 50) });
    const sources = Array.from({ length: 13 }, (_, n) => ({ id: `f${n}`, feed: feeds.url(n), ...(n === 0 ? { timeoutMs: 4000 } : {}) }));
    const { app, config } = await appFor(sources, { concurrency: 2 });
    const round = app.cycle();
    // Twelve feeds through the one slot left, while the hanging request is still open.
    await until(() => feeds.answered.length === 12);
    expect(feeds.open()).toEqual([0]);
    const reports = (await round).sources;
    expect(reports[0]).toMatchObject({ sourceId: 'f0', ok: false });
    expect(reports[0]!.error).toBe(`feed ${feeds.url(0)}: timed out after 4000 ms`);
    expect(reports.slice(1).every((r) => r.ok)).toBe(true);
  });
});

/** The same article (same link) in both feeds. */
function feedItemsSharing(n: number): string {
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed ${n}</title><link>https://news.example/</link><description>d</description><item><title>Shared story</title><link>https://news.example/shared</link><guid>shared-${n}</guid><pubDate>Mon, 01 Jun 2026 12:00:00 GMT</pubDate><description>One story, two feeds.</description></item></channel></rss>`;
}

async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('gave up waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
