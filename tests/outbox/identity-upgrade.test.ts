/**
 * Issue #15, "upgrade without re-posting": a store as the previous release left it — seen marks per source
 * (`seen:<channel>:<source>:<item id>`, hash scheme 2), items stored without article keys, a feed whose entries
 * share one link kept as one item under that link — opened by this release, on SQLite and on a real redis-server.
 * Nothing that was published or queued is queued again; a second source that carries the same articles is noted
 * as "also in"; only an article nobody brought before is new.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { deliveryId } from '../../src/core/delivery.js';
import type { Item } from '../../src/core/item.js';
import { intakeItems } from '../../src/outbox/intake.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { alsoInFor } from '../../src/outbox/seen-marks.js';
import { parseFeed } from '../../src/sources/parse-feed.js';
import { newClaimOwner } from '../../src/store/claim-owner.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { REPO } from '../support/cli.js';
import { REDIS_SERVER, storeBackends } from '../support/redis.js';

const FEEDS = path.join(REPO, 'tests/fixtures/feeds/identity');
const CHANNEL = 'main';
const NOTICES = 'https://notices.example.org/';

const CONFIG = ConfigSchema.parse({ store: 'sqlite::memory:', channels: [{ id: CHANNEL, platform: 'x' }] });
const newOutbox = (store: Store) => new Outbox(store, { owner: newClaimOwner(), retry: CONFIG.retry, log: pino({ level: 'silent' }) });

const read = (file: string, sourceId: string): Item[] => parseFeed(readFileSync(path.join(FEEDS, file), 'utf8'), { sourceId, location: file }).items;

function noticesFeed(n: number): string {
  const items = Array.from(
    { length: n },
    (_, i) => `<item><title>Notice ${i + 1}</title><link>${NOTICES}</link><description>Notice number ${i + 1}.</description></item>`,
  ).join('');
  return `<rss version="2.0"><channel><title>Notices</title><link>${NOTICES}</link>${items}</channel></rss>`;
}

/** An item as the previous release stored it: no article key, no other ids. */
function asStoredBefore(item: Item): Item {
  const { articleKey: _key, otherIds: _others, ...rest } = item;
  return rest;
}

/**
 * The previous release's state after two rounds: the wire feed's first three items published and its fourth
 * queued; the notices feed (three entries, one link, no GUIDs) kept as one item, id the link, published.
 */
async function storeAsBefore(store: Store, outbox: Outbox): Promise<void> {
  const wire = read('wire.xml', 'wire').map(asStoredBefore);
  const notice: Item = { ...asStoredBefore(parseFeed(noticesFeed(1), { sourceId: 'notices', location: 'n.xml' }).items[0]!), id: NOTICES };
  for (const [i, item] of [...wire, notice].entries()) {
    await store.kv.set(`seen:${CHANNEL}:${item.sourceId}:${item.id}`, { firstSeenAt: '2026-06-01T00:00:00.000Z', contentHash: `old-${i}`, hashScheme: 2 });
    const d = (await outbox.enqueue(item, CHANNEL))!;
    if (item.id !== 'wire-104') await store.saveDelivery({ ...d, state: 'published', posts: [{ id: `post-${i}` }] });
  }
  await store.kv.set(`primed:${CHANNEL}:wire`, '2026-06-01T00:00:00.000Z');
  await store.kv.set(`primed:${CHANNEL}:notices`, '2026-06-01T00:00:00.000Z');
}

const backends = storeBackends(40);

for (const backend of backends) describe.skipIf(backend.name === 'redis' && !REDIS_SERVER)(`a store written by the previous release, opened by this one (${backend.name})`, () => {
  it('queues nothing that was published or queued, notes other sources, and queues only what is new', async () => {
    const url = await backend.fresh();
    const before = await openStore(url);
    await storeAsBefore(before, newOutbox(before));
    const deliveriesBefore = (await before.listDeliveries()).map((d) => [d.id, d.state]).sort();
    await before.close();

    // A new process: the upgraded release reads the same store.
    const store = await openStore(url);
    try {
      const outbox = newOutbox(store);
      const intake = (items: Item[], sourceId: string) => intakeItems(store, outbox, sourceId, CHANNEL, items, 'all', Date.now, 'reply');

      // The same feeds again: nothing queued, no update replies for the new cleaning's hashes.
      expect(await intake(read('wire.xml', 'wire'), 'wire')).toMatchObject({ queued: 0, updated: 0, alsoIn: 0 });
      const notices = parseFeed(noticesFeed(3), { sourceId: 'notices', location: 'n.xml' }).items;
      expect(notices).toHaveLength(3);
      expect(await intake(notices, 'notices')).toMatchObject({ queued: 0, updated: 0 });
      expect((await store.listDeliveries()).map((d) => [d.id, d.state]).sort()).toEqual(deliveriesBefore);

      // A second source that carries three of the wire's articles and one of its own.
      const aggregator = read('aggregator.xml', 'aggregator');
      expect(await intake(aggregator, 'aggregator')).toMatchObject({ queued: 1, alsoIn: 3 });
      const fresh = (await store.listDeliveries()).filter((d) => !deliveriesBefore.some(([id]) => id === d.id));
      expect(fresh.map((d) => d.item.title)).toEqual(['Fish market moves to the old customs house']);
      const wall = (await store.getDelivery(deliveryId(CHANNEL, 'wire', 'wire-104')))!;
      expect(wall.state).toBe('queued');
      expect(await alsoInFor(store, CHANNEL, read('wire.xml', 'wire').find((i) => i.id === 'wire-104')!)).toEqual(['aggregator']);

      // And a second round after all that changes nothing.
      expect(await intake(read('wire.xml', 'wire'), 'wire')).toMatchObject({ queued: 0, alsoIn: 0 });
      expect(await intake(aggregator, 'aggregator')).toMatchObject({ queued: 0, alsoIn: 0 });
      expect(await store.listDeliveries()).toHaveLength(deliveriesBefore.length + 1);
    } finally {
      await store.close();
    }
  });
});
