import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deliveryId, type Delivery } from '../../src/core/delivery.js';
import Database from 'better-sqlite3';
import Keyv from 'keyv';
import { SqliteKeyvAdapter } from '../../src/store/sqlite-keyv-adapter.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { tempDir } from '../support/cli.js';
import { makeItem } from '../support/items.js';

const open: SqliteStore[] = [];
function storeAt(file: string): SqliteStore {
  const s = new SqliteStore(file);
  open.push(s);
  return s;
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

function delivery(n: number, channelId = 'c1', patch: Partial<Delivery> = {}): Delivery {
  const item = makeItem(n);
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
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

describe('SqliteStore', () => {
  it('creates a delivery once: a second create with the same id is refused and changes nothing', async () => {
    const store = storeAt(':memory:');
    expect(await store.createDelivery(delivery(1))).toBe(true);
    expect(await store.createDelivery(delivery(1, 'c1', { priority: 9 }))).toBe(false);
    expect((await store.getDelivery(delivery(1).id))!.priority).toBe(0);
  });

  it('keeps deliveries and keyv values across a reopen of the file', async () => {
    const file = path.join(tempDir(), 'state.sqlite');
    const first = storeAt(file);
    await first.createDelivery(delivery(1));
    await first.kv.set('seen:x', { firstSeenAt: 'then' });
    await first.close();
    const second = storeAt(file);
    expect((await second.getDelivery(delivery(1).id))!.item.title).toBe('Garden note 1');
    expect(await second.kv.get('seen:x')).toEqual({ firstSeenAt: 'then' });
  });

  it('lists due deliveries by priority, then oldest first, honouring notBefore and states', async () => {
    const store = storeAt(':memory:');
    await store.createDelivery(delivery(1));
    await store.createDelivery(delivery(2, 'c1', { priority: 5 }));
    await store.createDelivery(delivery(3, 'c1', { notBefore: '2030-01-01T00:00:00.000Z' }));
    await store.createDelivery(delivery(4, 'c1', { state: 'published' }));
    await store.createDelivery(delivery(5, 'c2'));
    const due = await store.listDeliveries({ channelId: 'c1', states: ['queued'], dueAt: Date.parse('2027-01-01') });
    expect(due.map((d) => d.itemId)).toEqual(['item-2', 'item-1']);
    expect(await store.countDeliveries('c1')).toMatchObject({ queued: 3, published: 1 });
  });

  it('lets only one owner claim a delivery until the lease expires', async () => {
    const store = storeAt(':memory:');
    const d = delivery(1);
    await store.createDelivery(d);
    expect(await store.claimDelivery(d.id, 'a', 1000, 0)).toBe(true);
    expect(await store.claimDelivery(d.id, 'b', 1000, 500)).toBe(false);
    expect(await store.claimDelivery(d.id, 'b', 1000, 1001)).toBe(true);
    await store.releaseDelivery(d.id, 'a'); // not a's any more: no effect
    expect(await store.claimDelivery(d.id, 'a', 1000, 1002)).toBe(false);
    await store.releaseDelivery(d.id, 'b');
    expect(await store.claimDelivery(d.id, 'a', 1000, 1003)).toBe(true);
  });

  it('claims are exclusive between two connections to one file', async () => {
    const file = path.join(tempDir(), 'state.sqlite');
    const a = storeAt(file);
    const b = storeAt(file);
    const ds = Array.from({ length: 50 }, (_, i) => delivery(i));
    for (const d of ds) await a.createDelivery(d);
    const won = await Promise.all(ds.map(async (d) => [await a.claimDelivery(d.id, 'a', 60_000, 1), await b.claimDelivery(d.id, 'b', 60_000, 1)]));
    for (const [x, y] of won) expect(Number(x) + Number(y)).toBe(1);
  });

  it('opens a file from the release that kept claims in the deliveries table, and moves its claims', async () => {
    const file = path.join(tempDir(), 'state.sqlite');
    const held = delivery(1);
    const free = delivery(2);
    // The previous release's schema and rows, as it wrote them: claims in two columns of the delivery's row.
    const old = new Database(file);
    old.exec(`
      CREATE TABLE deliveries (id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, state TEXT NOT NULL, priority INTEGER NOT NULL,
        not_before INTEGER, created_at INTEGER NOT NULL, claim_owner TEXT, claim_until INTEGER, data TEXT NOT NULL);
      CREATE INDEX deliveries_due ON deliveries (channel_id, state, priority DESC, created_at);
      CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until INTEGER NOT NULL);
      CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`);
    const insert = old.prepare('INSERT INTO deliveries VALUES (?, ?, ?, 0, NULL, ?, ?, ?, ?)');
    insert.run(held.id, held.channelId, held.state, Date.parse(held.createdAt), 'old-host:1:abc', 5_000, JSON.stringify(held));
    insert.run(free.id, free.channelId, free.state, Date.parse(free.createdAt), null, null, JSON.stringify(free));
    old.prepare('INSERT INTO kv VALUES (?, ?)').run('tc:seen:c1:s:1', JSON.stringify({ value: { firstSeenAt: 'then' } }));
    old.close();

    const store = storeAt(file);
    expect(await store.getDelivery(held.id)).toEqual(held);
    expect(await store.kv.get('seen:c1:s:1')).toEqual({ firstSeenAt: 'then' });
    // The claim held when the old release stopped still holds until its lease runs out, and only for its owner.
    expect(await store.claimHolder(held.id, 4_000)).toBe('old-host:1:abc');
    expect(await store.claimDelivery(held.id, 'new', 1000, 4_000)).toBe(false);
    expect(await store.claimDelivery(held.id, 'new', 1000, 5_001)).toBe(true);
    expect(await store.claimHolder(free.id, 0)).toBeUndefined();
    expect(await store.claimDelivery(free.id, 'new', 1000, 0)).toBe(true);
    await store.saveDelivery({ ...free, state: 'published' }, { release: 'new' });
    expect(await store.claimHolder(free.id, 1)).toBeUndefined();
    expect((await store.getDelivery(free.id))!.state).toBe('published');
    await store.close();

    // Upgraded once: the old columns are gone, the claims table holds what is left, and a reopen changes nothing.
    const check = new Database(file, { readonly: true });
    const columns = (check.prepare("SELECT name FROM pragma_table_info('deliveries')").all() as Array<{ name: string }>).map((c) => c.name);
    expect(columns).not.toContain('claim_owner');
    expect(check.prepare('SELECT id, owner, until FROM claims').all()).toEqual([{ id: held.id, owner: 'new', until: 6_001 }]);
    check.close();
    const again = storeAt(file);
    expect(await again.claimHolder(held.id, 6_000)).toBe('new');
    expect(await again.claimHolder(free.id, 1)).toBeUndefined();
  });

  it('creates many deliveries in one call, each only once, and says which it created', async () => {
    const store = storeAt(':memory:');
    await store.createDelivery(delivery(2));
    expect(await store.createDeliveries([delivery(1), delivery(2, 'c1', { priority: 9 }), delivery(3)])).toEqual([true, false, true]);
    expect((await store.getDelivery(delivery(2).id))!.priority).toBe(0);
    expect(await store.countDeliveries('c1')).toMatchObject({ queued: 3 });
  });

  it('clearing one keyv namespace leaves the others', async () => {
    const db = new Database(':memory:');
    const a = new Keyv({ store: new SqliteKeyvAdapter(db), namespace: 'a' });
    const b = new Keyv({ store: new SqliteKeyvAdapter(db), namespace: 'b' });
    await a.set('k', 1);
    await b.set('k', 2);
    await a.clear();
    expect(await a.get('k')).toBeUndefined();
    expect(await b.get('k')).toBe(2);
    db.close();
  });
});
