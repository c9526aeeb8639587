/**
 * One behavioural contract for every Store backend: SQLite (a temp file) and Redis (a real redis-server
 * from tests/support/redis.ts, one database per test). The Redis-only part at the end covers what the
 * contract cannot: key layout, TTLs, bounded failures and secrets in errors.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type RedisClientType } from '@redis/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_STATES, DUE_STATES, type DeliveryState } from '../../src/core/delivery-states.js';
import { DeliverySchema, deliveryId, type Delivery } from '../../src/core/delivery.js';
import { openStore } from '../../src/store/open-store.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';
import { makeItem } from '../support/items.js';
import { freshDatabase, REDIS_SERVER, startRedis, type RedisServer } from '../support/redis.js';
import { freePort } from '../support/wait.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'claim-race-worker.ts');
const TSX = import.meta.resolve('tsx');

const PROCESSES = 6;
let redis: RedisServer;
let admin: RedisClientType;
let nextDb = 0;
let pool: RacePool;

beforeAll(async () => {
  // The race workers boot (node + tsx, the slow part) while the other tests run.
  pool = RacePool.start(PROCESSES);
  if (!REDIS_SERVER) return;
  redis = await startRedis();
  admin = createClient({ url: redis.url });
  admin.on('error', () => undefined);
  await admin.connect();
});
afterAll(async () => {
  await pool?.stop();
  if (admin?.isOpen) admin.destroy();
  await redis?.stop();
});

interface Backend {
  name: string;
  /** A store URL naming fresh, empty state. */
  fresh(): Promise<string>;
}

const backends: Backend[] = [
  { name: 'sqlite', fresh: async () => `sqlite:${path.join(tempDir(), 'state.sqlite')}` },
  {
    name: 'redis',
    // A database of its own per test (the server has 64), emptied first in case of a rerun.
    fresh: () => freshDatabase(redis, ++nextDb),
  },
];

const opened: Store[] = [];
async function open(url: string): Promise<Store> {
  const store = await openStore(url);
  opened.push(store);
  return store;
}
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

const T0 = Date.UTC(2026, 0, 1);
const ALL_ZERO = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;

function delivery(n: number, patch: Partial<Delivery> = {}): Delivery {
  const channelId = patch.channelId ?? 'c1';
  const item = makeItem(n);
  const at = new Date(T0 + n * 1000).toISOString();
  return {
    id: deliveryId(channelId, item.sourceId, item.id),
    channelId,
    sourceId: item.sourceId,
    itemId: item.id,
    item,
    state: 'queued',
    priority: 0,
    createdAt: at,
    updatedAt: at,
    attempts: 0,
    posts: [],
    dryRun: false,
    history: [],
    ...patch,
  };
}

const itemIds = (ds: Delivery[]) => ds.map((d) => d.itemId);

for (const backend of backends) describe.skipIf(backend.name === 'redis' && !REDIS_SERVER)(`${backend.name} store contract`, () => {
  let url: string;
  let store: Store;
  const setup = async () => {
    url = await backend.fresh();
    store = await open(url);
  };

  describe('deliveries', () => {
    it('creates set-if-absent: a second create (also a concurrent one, also from another instance) is refused and changes nothing', async () => {
      await setup();
      expect(await store.createDelivery(delivery(1))).toBe(true);
      expect(await store.createDelivery(delivery(1, { priority: 9 }))).toBe(false);
      expect((await store.getDelivery(delivery(1).id))!.priority).toBe(0);

      const attempts = Array.from({ length: 20 }, (_, i) => delivery(2, { priority: i }));
      const results = await Promise.all(attempts.map((d) => store.createDelivery(d)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.getDelivery(delivery(2).id))!.priority).toBe(results.indexOf(true));

      const other = await open(url);
      expect(await other.createDelivery(delivery(1, { priority: 7 }))).toBe(false);
      expect((await other.getDelivery(delivery(1).id))!.priority).toBe(0);
      expect(await store.countDeliveries()).toEqual({ ...ALL_ZERO, queued: 2 });
    });

    it('creates many in one call as many single creates would: each once, listed and counted, and says which it created', async () => {
      await setup();
      expect(await store.createDeliveries([])).toEqual([]);
      await store.createDelivery(delivery(2));
      const batch = [delivery(1), delivery(2, { priority: 9 }), delivery(3, { state: 'held' }), delivery(4, { channelId: 'c2' })];
      expect(await store.createDeliveries(batch)).toEqual([true, false, true, true]);
      expect((await store.getDelivery(delivery(2).id))!.priority).toBe(0);
      expect(itemIds(await store.listDeliveries({ channelId: 'c1', states: ['queued'] }))).toEqual(['item-1', 'item-2']);
      expect(await store.countDeliveries()).toEqual({ ...ALL_ZERO, queued: 3, held: 1 });
      // A second instance racing the same batch creates nothing twice.
      const other = await open(url);
      const more = [delivery(5), delivery(6)];
      const [mine, theirs] = await Promise.all([store.createDeliveries(more), other.createDeliveries(more)]);
      for (const [i, created] of mine.entries()) expect(Number(created) + Number(theirs[i])).toBe(1);
    });

    it('round-trips a delivery through get and save, and save inserts one it has not seen', async () => {
      await setup();
      expect(await store.getDelivery('c1:nothing')).toBeUndefined();
      const d = delivery(1);
      await store.createDelivery(d);
      expect(await store.getDelivery(d.id)).toEqual(DeliverySchema.parse(d));
      const changed: Delivery = {
        ...d,
        state: 'published',
        attempts: 2,
        reason: 'sent on the second try',
        notBefore: new Date(T0 + 60_000).toISOString(),
        thread: { platform: 'bluesky', parts: [{ text: 'Garden note 1 — ünïcödé 🍅' }] },
        intent: { rkeys: ['3abc', '3abd'] },
        posts: [{ id: 'at://did:plc:x/app.bsky.feed.post/3abc', cid: 'bafy' }],
        history: [{ at: new Date(T0).toISOString(), event: 'published', detail: 'ok' }],
      };
      await store.saveDelivery(changed);
      expect(await store.getDelivery(d.id)).toEqual(changed);

      const fresh = delivery(2, { state: 'held' });
      await store.saveDelivery(fresh);
      expect(await store.getDelivery(fresh.id)).toEqual(fresh);
      expect(itemIds(await store.listDeliveries({ states: ['held'] }))).toEqual(['item-2']);
      expect(await store.countDeliveries()).toEqual({ ...ALL_ZERO, published: 1, held: 1 });
    });

    it('lists highest priority first, then oldest createdAt, then id, across channels', async () => {
      await setup();
      // Two with the same priority and createdAt: the id decides, in byte order.
      const same = [delivery(20, { createdAt: new Date(T0 + 3000).toISOString() }), delivery(21, { createdAt: new Date(T0 + 3000).toISOString() })];
      const [first, second] = same.sort((a, b) => (a.id < b.id ? -1 : 1));
      const ds = [
        delivery(1, { priority: 0, createdAt: new Date(T0 + 5000).toISOString() }),
        delivery(2, { priority: 5, createdAt: new Date(T0 + 9000).toISOString() }),
        delivery(3, { priority: 5, createdAt: new Date(T0 + 1000).toISOString(), channelId: 'c2' }),
        delivery(4, { priority: -2, createdAt: new Date(T0 - 86_400_000).toISOString() }),
        delivery(5, { priority: 1_000_000, createdAt: new Date(T0 + 99_000).toISOString(), channelId: 'c2' }),
        delivery(6, { priority: 0, createdAt: '1969-07-20T20:17:40.000Z' }),
        first!,
        second!,
      ];
      // Inserted in a scrambled order so insertion order cannot pass for the right one.
      for (const i of [3, 7, 0, 5, 2, 6, 1, 4]) await store.createDelivery(ds[i]!);
      const expected = ['item-5', 'item-3', 'item-2', 'item-6', first!.itemId, second!.itemId, 'item-1', 'item-4'];
      expect(itemIds(await store.listDeliveries())).toEqual(expected);
      expect(itemIds(await store.listDeliveries({ states: ['queued'], limit: 3 }))).toEqual(expected.slice(0, 3));
      expect(itemIds(await store.listDeliveries({ channelId: 'c1' }))).toEqual(expected.filter((id) => id !== 'item-5' && id !== 'item-3'));
    });

    it('filters by channel, states, dueAt (notBefore absent or at/before it) and limit', async () => {
      await setup();
      const due = T0 + 3_600_000;
      await store.createDelivery(delivery(1));
      await store.createDelivery(delivery(2, { notBefore: new Date(due).toISOString() })); // exactly due
      await store.createDelivery(delivery(3, { notBefore: new Date(due + 1).toISOString() })); // 1 ms too early
      await store.createDelivery(delivery(4, { notBefore: new Date(due - 60_000).toISOString(), state: 'failed' }));
      await store.createDelivery(delivery(5, { state: 'published' }));
      await store.createDelivery(delivery(6, { channelId: 'c2' }));
      await store.createDelivery(delivery(7, { channelId: 'c2', state: 'failed', notBefore: new Date(due + 60_000).toISOString() }));

      expect(itemIds(await store.listDeliveries({ channelId: 'c1' }))).toEqual(['item-1', 'item-2', 'item-3', 'item-4', 'item-5']);
      expect(itemIds(await store.listDeliveries({ channelId: 'c2' }))).toEqual(['item-6', 'item-7']);
      expect(itemIds(await store.listDeliveries({ channelId: 'nope' }))).toEqual([]);
      expect(itemIds(await store.listDeliveries({ states: ['queued'] }))).toEqual(['item-1', 'item-2', 'item-3', 'item-6']);
      expect(itemIds(await store.listDeliveries({ states: ['failed', 'published'] }))).toEqual(['item-4', 'item-5', 'item-7']);
      expect(itemIds(await store.listDeliveries({ states: [] }))).toEqual([]);
      expect(itemIds(await store.listDeliveries({ dueAt: due }))).toEqual(['item-1', 'item-2', 'item-4', 'item-5', 'item-6']);
      expect(itemIds(await store.listDeliveries({ channelId: 'c1', states: DUE_STATES, dueAt: due }))).toEqual(['item-1', 'item-2', 'item-4']);
      expect(itemIds(await store.listDeliveries({ states: DUE_STATES, dueAt: due + 60_000 }))).toEqual(['item-1', 'item-2', 'item-3', 'item-4', 'item-6', 'item-7']);
      expect(itemIds(await store.listDeliveries({ channelId: 'c1', states: ['queued'], dueAt: due, limit: 1 }))).toEqual(['item-1']);
      expect(itemIds(await store.listDeliveries({ limit: 2 }))).toEqual(['item-1', 'item-2']);
      expect(itemIds(await store.listDeliveries({ limit: 0 }))).toEqual([]);
      expect(await store.listDeliveries({ limit: 100 })).toHaveLength(7);
    });

    it('fills a limit with due deliveries found behind a long run of not-yet-due ones', async () => {
      await setup();
      const later = new Date(T0 + 86_400_000).toISOString();
      // 300 not due, all ahead in the order (higher priority), then 3 due ones behind them.
      for (let n = 0; n < 300; n++) await store.createDelivery(delivery(n, { priority: 1, notBefore: later }));
      for (let n = 300; n < 303; n++) await store.createDelivery(delivery(n, { channelId: n === 302 ? 'c2' : 'c1' }));
      expect(itemIds(await store.listDeliveries({ channelId: 'c1', states: ['queued'], dueAt: T0, limit: 2 }))).toEqual(['item-300', 'item-301']);
      expect(itemIds(await store.listDeliveries({ states: ['queued'], dueAt: T0, limit: 5 }))).toEqual(['item-300', 'item-301', 'item-302']);
      expect(await store.listDeliveries({ dueAt: T0 + 86_400_000, limit: 1000 })).toHaveLength(303);
    });

    it('moves a delivery between lists when its state, notBefore or priority changes, leaving no stale entries', async () => {
      await setup();
      const a = delivery(1);
      const b = delivery(2);
      await store.createDelivery(a);
      await store.createDelivery(b);
      const now = T0 + 10_000;

      await store.saveDelivery({ ...a, state: 'held' });
      expect(itemIds(await store.listDeliveries({ states: ['queued'] }))).toEqual(['item-2']);
      expect(itemIds(await store.listDeliveries({ states: ['held'] }))).toEqual(['item-1']);

      await store.saveDelivery({ ...a, state: 'failed', notBefore: new Date(now + 1).toISOString() });
      expect(itemIds(await store.listDeliveries({ states: DUE_STATES, dueAt: now }))).toEqual(['item-2']);
      expect(itemIds(await store.listDeliveries({ states: ['held'] }))).toEqual([]);

      await store.saveDelivery({ ...a, state: 'failed', notBefore: new Date(now - 1).toISOString() });
      expect(itemIds(await store.listDeliveries({ states: DUE_STATES, dueAt: now }))).toEqual(['item-1', 'item-2']);

      await store.saveDelivery({ ...b, priority: 3 });
      expect(itemIds(await store.listDeliveries({ states: DUE_STATES, dueAt: now }))).toEqual(['item-2', 'item-1']);

      // notBefore removed again: due at any time.
      await store.saveDelivery({ ...a, state: 'failed', notBefore: undefined });
      expect(itemIds(await store.listDeliveries({ dueAt: 0 }))).toEqual(['item-2', 'item-1']);

      for (let i = 0; i < 3; i++) await store.saveDelivery({ ...a, state: 'published' });
      const all = await store.listDeliveries();
      expect(all.map((d) => `${d.itemId}:${d.state}`)).toEqual(['item-2:queued', 'item-1:published']);
      for (const state of DELIVERY_STATES) {
        expect(itemIds(await store.listDeliveries({ states: [state] }))).toEqual(all.filter((d) => d.state === state).map((d) => d.itemId));
      }
      expect(await store.countDeliveries()).toEqual({ ...ALL_ZERO, queued: 1, published: 1 });
    });

    it('counts every state, zeros included, per channel and overall', async () => {
      await setup();
      expect(await store.countDeliveries()).toEqual(ALL_ZERO);
      expect(await store.countDeliveries('c1')).toEqual(ALL_ZERO);
      await store.createDelivery(delivery(1));
      await store.createDelivery(delivery(2, { state: 'dead', reason: 'refused' }));
      await store.createDelivery(delivery(3, { state: 'dead' }));
      await store.createDelivery(delivery(4, { channelId: 'c2', state: 'uncertain' }));
      await store.createDelivery(delivery(5, { channelId: 'c2' }));
      expect(await store.countDeliveries()).toEqual({ ...ALL_ZERO, queued: 2, dead: 2, uncertain: 1 });
      expect(await store.countDeliveries('c1')).toEqual({ ...ALL_ZERO, queued: 1, dead: 2 });
      expect(await store.countDeliveries('c2')).toEqual({ ...ALL_ZERO, queued: 1, uncertain: 1 });
      expect(await store.countDeliveries('c3')).toEqual(ALL_ZERO);
    });
  });

  describe('claims', () => {
    const LEASE = 60_000;

    it('are exclusive until they expire, renewable by their owner and released only by their owner', async () => {
      await setup();
      const d = delivery(1);
      expect(await store.claimDelivery(d.id, 'a', LEASE, T0)).toBe(false); // no such delivery
      await store.createDelivery(d);
      expect(await store.claimHolder(d.id, T0)).toBeUndefined();

      expect(await store.claimDelivery(d.id, 'a', LEASE, T0)).toBe(true);
      expect(await store.claimHolder(d.id, T0 + 1)).toBe('a');
      expect(await store.claimDelivery(d.id, 'b', LEASE, T0 + 1000)).toBe(false);
      // Renewed at T0+30s: runs to T0+90s, so b still cannot take it at T0+61s.
      expect(await store.claimDelivery(d.id, 'a', LEASE, T0 + 30_000)).toBe(true);
      expect(await store.claimDelivery(d.id, 'b', LEASE, T0 + 61_000)).toBe(false);
      expect(await store.claimHolder(d.id, T0 + 90_000)).toBe('a');
      expect(await store.claimHolder(d.id, T0 + 90_001)).toBeUndefined();
      expect(await store.claimDelivery(d.id, 'b', LEASE, T0 + 90_001)).toBe(true);
      expect(await store.claimHolder(d.id, T0 + 90_001)).toBe('b');

      await store.releaseDelivery(d.id, 'a'); // not a's any more: no effect
      expect(await store.claimHolder(d.id, T0 + 90_002)).toBe('b');
      expect(await store.claimDelivery(d.id, 'a', LEASE, T0 + 90_002)).toBe(false);
      await store.releaseDelivery(d.id, 'b');
      expect(await store.claimHolder(d.id, T0 + 90_003)).toBeUndefined();
      expect(await store.claimDelivery(d.id, 'a', LEASE, T0 + 90_003)).toBe(true);

      // A claim is about one delivery only.
      const other = delivery(2);
      await store.createDelivery(other);
      expect(await store.claimDelivery(other.id, 'b', LEASE, T0 + 90_004)).toBe(true);
      expect(await store.claimHolder(d.id, T0 + 90_004)).toBe('a');
    });

    it('are released by the save that carries `release`, only when that owner holds them', async () => {
      await setup();
      const d = delivery(1);
      await store.createDelivery(d);
      expect(await store.claimDelivery(d.id, 'a', LEASE, T0)).toBe(true);
      await store.saveDelivery({ ...d, state: 'publishing' }, { release: 'b' });
      expect(await store.claimHolder(d.id, T0 + 1)).toBe('a');
      await store.saveDelivery({ ...d, state: 'publishing' });
      expect(await store.claimHolder(d.id, T0 + 1)).toBe('a');
      await store.saveDelivery({ ...d, state: 'published' }, { release: 'a' });
      expect(await store.claimHolder(d.id, T0 + 2)).toBeUndefined();
      expect((await store.getDelivery(d.id))!.state).toBe('published');
      expect(await store.countDeliveries()).toEqual({ ...ALL_ZERO, published: 1 });
      expect(await store.claimDelivery(d.id, 'b', LEASE, T0 + 3)).toBe(true);
    });

    it('take over from `replacing` only when it names the current holder', async () => {
      await setup();
      const d = delivery(1);
      await store.createDelivery(d);
      expect(await store.claimDelivery(d.id, 'a', LEASE, T0)).toBe(true);
      expect(await store.claimDelivery(d.id, 'c', LEASE, T0 + 1, 'b')).toBe(false);
      expect(await store.claimHolder(d.id, T0 + 1)).toBe('a');
      expect(await store.claimDelivery(d.id, 'c', LEASE, T0 + 2, 'a')).toBe(true);
      expect(await store.claimHolder(d.id, T0 + 2)).toBe('c');
      // 'a' is gone now: naming it again takes nothing from c.
      expect(await store.claimDelivery(d.id, 'b', LEASE, T0 + 3, 'a')).toBe(false);
      expect(await store.claimHolder(d.id, T0 + 3)).toBe('c');
      // A free delivery is simply taken, whatever `replacing` says.
      await store.releaseDelivery(d.id, 'c');
      expect(await store.claimDelivery(d.id, 'b', LEASE, T0 + 4, 'x')).toBe(true);
    });

    it('are exclusive between two store instances on one backend', async () => {
      await setup();
      const other = await open(url);
      const ds = Array.from({ length: 50 }, (_, i) => delivery(i));
      for (const d of ds) await store.createDelivery(d);
      const won = await Promise.all(ds.map((d) => Promise.all([store.claimDelivery(d.id, 'a', LEASE, T0), other.claimDelivery(d.id, 'b', LEASE, T0)])));
      for (const [x, y] of won) expect(Number(x) + Number(y)).toBe(1);
      for (const [i, d] of ds.entries()) expect(await other.claimHolder(d.id, T0)).toBe(won[i]![0] ? 'a' : 'b');
    });
  });

  describe('leases', () => {
    const TTL = 60_000;

    it('are exclusive until they expire, renewable and released only by their holder', async () => {
      await setup();
      expect(await store.leaseHolder('leader', T0)).toBeUndefined();
      expect(await store.acquireLease('leader', 'a', TTL, T0)).toBe(true);
      expect(await store.leaseHolder('leader', T0)).toBe('a');
      expect(await store.acquireLease('leader', 'b', TTL, T0 + 1000)).toBe(false);
      // Another name is another lease.
      expect(await store.acquireLease('other', 'b', TTL, T0 + 1000)).toBe(true);
      expect(await store.leaseHolder('other', T0 + 1000)).toBe('b');
      expect(await store.leaseHolder('leader', T0 + 1000)).toBe('a');
      expect(await store.acquireLease('leader', 'a', TTL, T0 + 30_000)).toBe(true); // renewed to T0+90s
      expect(await store.acquireLease('leader', 'b', TTL, T0 + 61_000)).toBe(false);
      expect(await store.leaseHolder('leader', T0 + 90_000)).toBe('a');
      expect(await store.leaseHolder('leader', T0 + 90_001)).toBeUndefined();
      expect(await store.acquireLease('leader', 'b', TTL, T0 + 90_001)).toBe(true);

      await store.releaseLease('leader', 'a'); // not a's: no effect
      expect(await store.leaseHolder('leader', T0 + 90_002)).toBe('b');
      await store.releaseLease('leader', 'b');
      expect(await store.leaseHolder('leader', T0 + 90_002)).toBeUndefined();
      expect(await store.acquireLease('leader', 'a', TTL, T0 + 90_003)).toBe(true);
      expect(await store.leaseHolder('leader', T0 + 90_003)).toBe('a');
    });

    it('go to exactly one of many owners contending at once, from two instances', async () => {
      await setup();
      const other = await open(url);
      const owners = Array.from({ length: 12 }, (_, i) => `owner-${i}`);
      const results = await Promise.all(owners.map((o, i) => (i % 2 ? other : store).acquireLease('leader', o, TTL, T0)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await other.leaseHolder('leader', T0)).toBe(owners[results.indexOf(true)]);
    });
  });

  describe('kv', () => {
    it('gets, sets and deletes plain values, honours a TTL and shares them between instances', async () => {
      await setup();
      expect(await store.kv.get('seen:x')).toBeUndefined();
      await store.kv.set('seen:x', { firstSeenAt: 'then', n: 1 });
      expect(await store.kv.get('seen:x')).toEqual({ firstSeenAt: 'then', n: 1 });
      const other = await open(url);
      expect(await other.kv.get('seen:x')).toEqual({ firstSeenAt: 'then', n: 1 });
      expect(await store.kv.delete('seen:x')).toBe(true);
      expect(await store.kv.delete('seen:x')).toBe(false);
      expect(await other.kv.get('seen:x')).toBeUndefined();

      await store.kv.set('short', 'lived', 150);
      await store.kv.set('long', 'lived', 60_000);
      expect(await store.kv.get('short')).toBe('lived');
      await new Promise((r) => setTimeout(r, 400));
      expect(await store.kv.get('short')).toBeUndefined();
      expect(await store.kv.get('long')).toBe('lived');
    });

    it('adds to a total kept in kv, under a limit, in keyv\'s own format', async () => {
      await setup();
      expect(await store.addToTotal('x:spend:c1:2026-12', 15_000)).toBe(15_000);
      // The value keyv reads and writes: a total a release before addToTotal kept by kv.set goes on from there.
      expect(await store.kv.get('x:spend:c1:2026-12')).toBe(15_000);
      await store.kv.set('x:spend:c1:2026-11', 40_000);
      expect(await store.addToTotal('x:spend:c1:2026-11', 20_000, 100_000)).toBe(60_000);
      // Past the limit: nothing added. Up to it exactly: added. A refund always is.
      expect(await store.addToTotal('x:spend:c1:2026-11', 40_001, 100_000)).toBeUndefined();
      expect(await store.kv.get('x:spend:c1:2026-11')).toBe(60_000);
      expect(await store.addToTotal('x:spend:c1:2026-11', 40_000, 100_000)).toBe(100_000);
      expect(await store.addToTotal('x:spend:c1:2026-11', -20_000, 50_000)).toBe(80_000);
      const other = await open(url);
      expect(await other.addToTotal('x:spend:c1:2026-11', 1)).toBe(80_001);
      await expect(store.addToTotal('x:spend:c1:2026-11', 0.5)).rejects.toThrow(/whole numbers/);
    });

    it('clearing kv leaves deliveries, claims and leases alone', async () => {
      await setup();
      const d = delivery(1);
      await store.createDelivery(d);
      await store.claimDelivery(d.id, 'a', 60_000, T0);
      await store.acquireLease('leader', 'a', 60_000, T0);
      await store.kv.set('k', 1);
      await store.kv.clear();
      expect(await store.kv.get('k')).toBeUndefined();
      expect(await store.getDelivery(d.id)).toEqual(d);
      expect(itemIds(await store.listDeliveries())).toEqual(['item-1']);
      expect(await store.claimHolder(d.id, T0)).toBe('a');
      expect(await store.leaseHolder('leader', T0)).toBe('a');
    });
  });

  describe('across processes', () => {
    const N = 300;

    it(`gives each of ${N} deliveries to exactly one of ${PROCESSES} processes claiming them at once`, async () => {
      await setup();
      const ds = Array.from({ length: N }, (_, i) => delivery(i));
      for (const d of ds) await store.createDelivery(d);
      const winners = await pool.round(url, { mode: 'claim', ids: ds.map((d) => d.id) });
      expectEachExactlyOnce(ds, winners);
      // What the processes say they won is what the store says they hold.
      for (const d of ds) expect(await store.claimHolder(d.id, Date.now())).toBe(winners.get(d.id)![0]);
    }, 60_000);

    it(`creates each of ${N} deliveries exactly once when ${PROCESSES} processes create them at once`, async () => {
      await setup();
      const ds = Array.from({ length: N }, (_, i) => delivery(i));
      const winners = await pool.round(url, { mode: 'create', ids: ds.map((d) => d.id), deliveries: ds });
      expectEachExactlyOnce(ds, winners);
      expect(await store.countDeliveries()).toEqual({ ...ALL_ZERO, queued: N });
      expect(await store.listDeliveries()).toHaveLength(N);
    }, 60_000);

    it(`spends a budget of ${N / 2} to the last unit and never past it when ${PROCESSES} processes add to it at once`, async () => {
      await setup();
      const ids = Array.from({ length: N }, (_, i) => `post-${i}`);
      const winners = await pool.round(url, { mode: 'spend', ids, limit: N / 2 });
      const added = [...winners.values()].reduce((sum, owners) => sum + owners.length, 0);
      // Every addition that was answered counts, none past the limit, and none is lost.
      expect(added).toBe(N / 2);
      expect(await store.kv.get('spend')).toBe(N / 2);
    }, 60_000);

    it('negative control: the same spending through kv get, check and set loses additions or overspends', async () => {
      await setup();
      const ids = Array.from({ length: N }, (_, i) => `post-${i}`);
      const winners = await pool.round(url, { mode: 'naive-spend', ids, limit: N / 2 });
      const added = [...winners.values()].reduce((sum, owners) => sum + owners.length, 0);
      expect(added === N / 2 && (await store.kv.get('spend')) === N / 2).toBe(false);
    }, 60_000);

    it('negative control: the same race through plain keyv get-then-set does double-claim, so the check above can fail', async () => {
      await setup();
      const ids = Array.from({ length: N }, (_, i) => `id-${i}`);
      const winners = await pool.round(url, { mode: 'naive', ids });
      const doubled = ids.filter((id) => (winners.get(id) ?? []).length > 1);
      expect(doubled.length).toBeGreaterThan(0);
    }, 60_000);
  });
});

interface RacePayload {
  mode: 'claim' | 'create' | 'naive' | 'spend' | 'naive-spend';
  ids: string[];
  deliveries?: Delivery[];
  limit?: number;
}

/**
 * Worker processes (claim-race-worker.ts) kept across rounds: starting node + tsx costs far more than a round.
 * Each round: all open the store and say ready, then all get "go" at once.
 */
class RacePool {
  private constructor(private readonly workers: RaceWorker[]) {}

  static start(size: number): RacePool {
    return new RacePool(Array.from({ length: size }, (_, i) => new RaceWorker(`worker-${i}`)));
  }

  /** id -> the owners that said they won it. */
  async round(url: string, payload: RacePayload): Promise<Map<string, string[]>> {
    const file = path.join(tempDir(), 'payload.json');
    writeFileSync(file, JSON.stringify({ url, ...payload }));
    for (const w of this.workers) w.send(`open ${file}`);
    for (const w of this.workers) expect(await w.line()).toBe('ready');
    for (const w of this.workers) w.send('go');
    const winners = new Map<string, string[]>();
    for (const w of this.workers) {
      for (const id of (JSON.parse(await w.line()) as { won: string[] }).won) winners.set(id, [...(winners.get(id) ?? []), w.owner]);
    }
    return winners;
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}

class RaceWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiting: { resolve: (line: string) => void; reject: (err: Error) => void } | undefined;
  private buffer = '';
  private stderr = '';
  private readonly exited: Promise<void>;

  constructor(readonly owner: string) {
    this.child = spawn(process.execPath, ['--import', TSX, WORKER, owner], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (b: Buffer) => {
      this.buffer += b.toString();
      for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
        this.lines.push(this.buffer.slice(0, nl));
        this.buffer = this.buffer.slice(nl + 1);
      }
      this.deliver();
    });
    this.child.stderr.on('data', (b: Buffer) => (this.stderr += b.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.waiting?.reject(new Error(`${owner} quit (${code ?? signal}):\n${this.stderr}`));
        this.waiting = undefined;
        resolve();
      }),
    );
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  line(): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.lines.length === 0 && (this.child.exitCode !== null || this.child.signalCode !== null)) {
        reject(new Error(`${this.owner} has quit:\n${this.stderr}`));
        return;
      }
      this.waiting = { resolve, reject };
      this.deliver();
    });
  }

  private deliver(): void {
    if (this.waiting && this.lines.length > 0) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve(this.lines.shift()!);
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin.end('exit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

function expectEachExactlyOnce(ds: Delivery[], winners: Map<string, string[]>): void {
  const wrong = ds.filter((d) => (winners.get(d.id) ?? []).length !== 1).map((d) => `${d.id}: ${JSON.stringify(winners.get(d.id) ?? [])}`);
  expect(wrong).toEqual([]);
  expect([...winners.keys()].sort()).toEqual(ds.map((d) => d.id).sort());
}

describe.skipIf(!REDIS_SERVER)('redis store specifics', () => {
  const PASSWORD = 'pa55-W0rd!secret';

  async function keysOf(url: string): Promise<string[]> {
    const c = createClient({ url });
    await c.connect();
    try {
      return (await c.keys('*')).sort();
    } finally {
      c.destroy();
    }
  }

  it('claims on a server that has forgotten its scripts (SCRIPT FLUSH, a restart): NOSCRIPT, then the script itself', async () => {
    const url = await backends[1]!.fresh();
    const store = await open(url);
    await store.createDelivery(delivery(1));
    await store.createDelivery(delivery(2));
    expect(await store.claimDelivery(delivery(1).id, 'a', 60_000, Date.now())).toBe(true);
    await admin.scriptFlush();
    expect(await store.claimDelivery(delivery(2).id, 'a', 60_000, Date.now())).toBe(true);
    expect(await store.claimDelivery(delivery(2).id, 'b', 60_000, Date.now())).toBe(false);
  });

  it('keeps every key under threadcast:, stores the delivery JSON as is, and gives claims and leases a Redis TTL', async () => {
    const url = await backends[1]!.fresh();
    const store = await open(url);
    const d = delivery(1, { notBefore: new Date(T0).toISOString() });
    await store.createDelivery(d);
    await store.saveDelivery({ ...d, state: 'failed' });
    await store.claimDelivery(d.id, 'a', 60_000, Date.now());
    await store.acquireLease('leader', 'a', 30_000, Date.now());
    await store.kv.set('seen:x', 1);
    const keys = await keysOf(url);
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) expect(key.startsWith('threadcast:')).toBe(true);
    // Only the current list: the queued one went when the state changed.
    expect(keys.filter((k) => k.includes(':list:'))).toEqual(['threadcast:list:c1:failed']);

    const c = createClient({ url });
    await c.connect();
    try {
      expect(DeliverySchema.parse(JSON.parse((await c.get(`threadcast:delivery:${d.id}`))!))).toEqual({ ...d, state: 'failed' });
      const claimTtl = await c.pTTL(`threadcast:claim:${d.id}`);
      expect(claimTtl).toBeGreaterThan(50_000);
      expect(claimTtl).toBeLessThanOrEqual(60_000);
      const leaseTtl = await c.pTTL('threadcast:lease:leader');
      expect(leaseTtl).toBeGreaterThan(20_000);
      expect(leaseTtl).toBeLessThanOrEqual(30_000);
      // A holder that dies is forgotten by Redis itself once its lease runs out.
      await store.acquireLease('short', 'dead-owner', 100, Date.now());
      expect(await c.exists('threadcast:lease:short')).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(await c.exists('threadcast:lease:short')).toBe(0);
    } finally {
      c.destroy();
    }
  });

  it('fails fast on an unreachable Redis, with a clear message that hides the password, and closes at once', async () => {
    const port = await freePort();
    const store = new RedisStore(`redis://user:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/2`, { connectTimeoutMs: 800 });
    opened.push(store);
    const started = Date.now();
    const err = (await store.getDelivery('x').catch((e: unknown) => e)) as Error;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/redis store redis:\/\/user:\*\*\*@127\.0\.0\.1:\d+\/2: connect failed/);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect((err as Error & { code?: string }).code).toBe('ECONNREFUSED');
    const kvErr = (await store.kv.get('x').catch((e: unknown) => e)) as Error;
    expect(kvErr).toBeInstanceOf(Error);
    for (const m of [err.message, kvErr.message, String(err.stack), JSON.stringify(err)]) {
      expect(m).not.toContain(PASSWORD);
      expect(m).not.toContain(encodeURIComponent(PASSWORD));
    }
    const closing = Date.now();
    await store.close();
    expect(Date.now() - closing).toBeLessThan(500);
    await expect(store.getDelivery('x')).rejects.toThrow(/closed/);
  });

  it('closes at once while still connecting (never connected)', async () => {
    // A non-routable address: the TCP connect would hang until its timeout.
    const store = new RedisStore(`redis://:${PASSWORD}@10.255.255.1:6379`, { connectTimeoutMs: 20_000 });
    const started = Date.now();
    await store.close();
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('refuses wrong credentials at once, without retrying and without the password in the message', async () => {
    const store = new RedisStore(redis.url.replace('redis://', `redis://bob:${PASSWORD}@`), { connectTimeoutMs: 5000 });
    opened.push(store);
    const started = Date.now();
    const err = (await store.claimHolder('x', 0).catch((e: unknown) => e)) as Error;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err.message).toMatch(/WRONGPASS|NOAUTH|AUTH/);
    expect((err as Error & { code?: string }).code).toMatch(/^(WRONGPASS|NOAUTH|ERR)$/);
    expect(err.message).not.toContain(PASSWORD);
  });

  it('bounds every command: no answer within the timeout is an error, and the next call reconnects', async () => {
    const url = await backends[1]!.fresh();
    const store = new RedisStore(url, { commandTimeoutMs: 300 });
    opened.push(store);
    await store.createDelivery(delivery(1));
    // Stall the server for every client (a hung Redis), then call.
    await admin.sendCommand(['CLIENT', 'PAUSE', '1200', 'ALL']);
    const started = Date.now();
    await expect(store.getDelivery(delivery(1).id)).rejects.toThrow(/getDelivery failed: no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await store.getDelivery(delivery(1).id))?.itemId).toBe('item-1');
  });

  it('survives a Redis restart: calls fail (bounded) while it is down and work again once it is back', async () => {
    const server = await startRedis();
    let restarted: RedisServer | undefined;
    try {
      const store = new RedisStore(`${server.url}/0`, { connectTimeoutMs: 600, commandTimeoutMs: 600, reconnectAttempts: 2 });
      opened.push(store);
      expect(await store.createDelivery(delivery(1))).toBe(true);
      await server.stop();
      const started = Date.now();
      await expect(store.getDelivery(delivery(1).id)).rejects.toThrow(/redis store redis:\/\/127\.0\.0\.1:\d+\/0: .*failed/);
      expect(Date.now() - started).toBeLessThan(3000);
      restarted = await startRedis({ port: server.port });
      // No persistence in the test server: the data is gone, but the store works again.
      expect(await store.createDelivery(delivery(1))).toBe(true);
      expect(await store.acquireLease('leader', 'a', 1000, Date.now())).toBe(true);
    } finally {
      await restarted?.stop();
      await server.stop();
    }
  });

  it('is what openStore gives for redis:// and rediss:// URLs; other schemes are refused naming both, without secrets', async () => {
    const plain = await open(`${redis.url}/1`);
    expect(plain).toBeInstanceOf(RedisStore);
    const tls = await openStore('rediss://user:pw@127.0.0.1:1/0');
    expect(tls).toBeInstanceOf(RedisStore);
    await tls.close();
    const sqlite = await open(`sqlite:${path.join(tempDir(), 's.sqlite')}`);
    expect(sqlite).toBeInstanceOf(SqliteStore);
    const refusal = await rejectionOf(openStore(`postgres://u:${PASSWORD}@db/x`));
    expect(refusal).toMatch(/unsupported; use sqlite:PATH or redis:\/\//);
    expect(refusal).toMatch(/postgres:\/\/u:\*\*\*@db/);
    expect(refusal).not.toContain(PASSWORD);
    for (const bad of [`redis://u:${PASSWORD}@host:notaport`, `redis://u:${PASSWORD}@host:6379/db`]) {
      const message = await rejectionOf(openStore(bad));
      expect(message).toMatch(/redis:\/\/u:\*\*\*@/);
      expect(message).not.toContain(PASSWORD);
    }
  });
});

async function rejectionOf(opening: Promise<unknown>): Promise<string> {
  try {
    await opening;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

