/**
 * One item that cannot be composed must not cost the others: the outbox keeps that delivery dead with the
 * reason, logs which feed and item it was, and publishes the rest. The item is real and so is compose: an
 * item link X cannot show in any post makes the packer give up on it.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { XChannelSchema } from '../../src/platforms/x/config.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { DryRunPublisher } from '../../src/platforms/dry-run.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { makeItem } from '../support/items.js';

// twitter-text does not read 5000 characters as one URL, so the link weighs its full length, over any post.
const UNPOSTABLE_URL = `https://example.org/${'a'.repeat(5000)}`;
const devNull = new Writable({ write: (_chunk, _enc, done) => done() });

let store: SqliteStore;
let lines: Array<Record<string, unknown>>;
let outbox: Outbox;

beforeEach(() => {
  store = new SqliteStore(':memory:');
  lines = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  outbox = new Outbox(store, { owner: 'test', retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 }, log: pino(sink) });
});
afterEach(() => store.close());

describe('an item that cannot be composed', () => {
  it('is kept dead with its reason, logged with its feed and item, and the other items go out', async () => {
    const publisher = new DryRunPublisher(XChannelSchema.parse({ id: 'x-main', platform: 'x', dryRun: true }), devNull);
    const items = [makeItem(1), makeItem(2, { url: UNPOSTABLE_URL }), makeItem(3)];
    for (const [order, item] of items.entries()) await outbox.enqueue(item, 'x-main', { order });

    expect(await outbox.publishDue(publisher)).toMatchObject({ published: 2, dead: 1 });

    const byItem = new Map((await store.listDeliveries()).map((d) => [d.itemId, d]));
    expect(byItem.get('item-1')!.state).toBe('published');
    expect(byItem.get('item-3')!.state).toBe('published');
    const dead = byItem.get('item-2')!;
    expect(dead.state).toBe('dead');
    expect(dead.posts).toEqual([]);
    expect(dead.thread).toBeUndefined();
    expect(dead.reason).toBe('could not compose: compose: the link and counter alone do not fit in a part');

    const errors = lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      channel: 'x-main',
      delivery: dead.id,
      source: 'garden',
      item: 'item-2',
      err: 'compose: the link and counter alone do not fit in a part',
    });
  });
});
