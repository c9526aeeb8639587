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
