/**
 * src/store/keyv-codec.ts writes and reads keyv's stored format faster: it must be keyv's format exactly, both
 * ways, or a store written by one release reads wrong in the next (a GUID that begins with ":" would lose it).
 * Compared with @keyv/serialize itself on generated values full of what that format escapes.
 */
import { defaultDeserialize, defaultSerialize } from '@keyv/serialize';
import { describe, expect, it } from 'vitest';
import { deserializeStored, serializeStored } from '../../src/store/keyv-codec.js';
import Keyv from 'keyv';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/open-store.js';
import { SqliteKeyv, SqliteKeyvAdapter } from '../../src/store/sqlite-keyv-adapter.js';
import { prng } from '../support/prng.js';

const STRINGS = [':', '::', ':x', '::x', ':base64:', ':base64:aGk=', 'a:', 'x":y', ',":', '[":', '\\":', '"', '\\', 'naïve ✓', '', 'type', 'Buffer', '"type":"Buffer"'];

function value(rand: () => number, depth = 0): unknown {
  const r = rand();
  if (depth > 3 || r < 0.35) {
    const pick = rand();
    if (pick < 0.5) return STRINGS[Math.floor(rand() * STRINGS.length)]! + (rand() < 0.3 ? String(Math.floor(rand() * 100)) : '');
    if (pick < 0.6) return Math.floor(rand() * 1e6) / 100;
    if (pick < 0.7) return rand() < 0.5;
    if (pick < 0.8) return null;
    if (pick < 0.9) return Buffer.from(`bytes ${Math.floor(rand() * 1000)}`);
    return undefined;
  }
  if (r < 0.65) return Array.from({ length: Math.floor(rand() * 4) }, () => value(rand, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 4); i > 0; i--) object[STRINGS[Math.floor(rand() * STRINGS.length)]! + i] = value(rand, depth + 1);
  return object;
}

describe("keyv's stored format, written and read faster", () => {
  it('writes the very text @keyv/serialize writes, and reads both the same', () => {
    const rand = prng(17);
    let escaped = 0;
    for (let n = 0; n < 5000; n++) {
      const data = { value: value(rand), ...(rand() < 0.3 ? { expires: 1_700_000_000_000 + n } : {}) };
      const theirs = defaultSerialize(data);
      expect(serializeStored(data)).toBe(theirs);
      expect(deserializeStored(theirs)).toEqual(defaultDeserialize(theirs));
      if (theirs !== JSON.stringify(data)) escaped += 1;
    }
    // The generated values must exercise the escapes, or the comparison proves nothing about them.
    expect(escaped).toBeGreaterThan(1000);
  });

  it('keeps a seen mark whose item id begins with ":" through a real store', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      const mark = { firstSeenAt: '2026-12-02T17:00:00.000Z', itemId: ':post-1', alsoIn: ['::b'], image: Buffer.from('hi') };
      await store.kv.setMany([{ key: 'k', value: mark }]);
      expect(await store.kv.getMany(['k'])).toEqual([mark]);
      expect(await store.kv.get('k')).toEqual(mark);
    } finally {
      await store.close();
    }
  });

  it("stores and reads many keys as keyv's own getMany and setMany do, expired values included", async () => {
    const db = new Database(':memory:');
    const adapter = new SqliteKeyvAdapter(db);
    const ours = new SqliteKeyv(adapter, 'tc');
    // keyv itself on the same table and namespace: what the batch path must match, row for row.
    const theirs = new Keyv({ store: adapter, namespace: 'tc', serialize: serializeStored, deserialize: deserializeStored });
    const rand = prng(23);
    const entries = Array.from({ length: 400 }, (_, n) => ({ key: `${STRINGS[n % STRINGS.length]}k${n}`, value: value(rand) ?? null }));
    const rows = () => db.prepare('SELECT key, value FROM kv ORDER BY key').all();
    await theirs.setMany(entries);
    const written = rows();
    db.exec('DELETE FROM kv');
    await ours.setMany(entries);
    expect(rows()).toStrictEqual(written);
    const keys = [...entries.map((e) => e.key), 'absent', 'tc:k1'];
    expect(await ours.getMany(keys)).toStrictEqual(await theirs.getMany(keys));

    // An expired value reads as none, and is gone afterwards, as keyv has it.
    await theirs.set('old', 'x', 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(db.prepare("SELECT count(*) AS n FROM kv WHERE key = 'tc:old'").get()).toEqual({ n: 1 });
    expect(await ours.getMany(['old', entries[0]!.key])).toStrictEqual([undefined, await theirs.get(entries[0]!.key)]);
    expect(db.prepare("SELECT count(*) AS n FROM kv WHERE key = 'tc:old'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('writes a batch with repeated keys as one write after another would, across and within groups of rows', async () => {
    const db = new Database(':memory:');
    const adapter = new SqliteKeyvAdapter(db);
    const ours = new SqliteKeyv(adapter, 'tc');
    const theirs = new Keyv({ store: adapter, namespace: 'tc', serialize: serializeStored, deserialize: deserializeStored });
    // 70 keys in 357 entries: most keys come back in the same group of 100 and in later ones; the last 57 entries
    // are written one by one.
    // Every third entry gives one shared value object, as a backlog's seen marks do (with a string keyv escapes).
    const shared = { backlog: true, at: ':x' };
    const entries = Array.from({ length: 357 }, (_, n) => ({ key: `d${(n * 31) % 70}`, value: n % 3 === 0 ? shared : { n } }));
    const rows = () => db.prepare('SELECT key, value FROM kv ORDER BY key').all();
    for (const { key, value: v } of entries) await theirs.set(key, v);
    const written = rows();
    expect(written).toHaveLength(70);
    db.exec('DELETE FROM kv');
    await ours.setMany(entries);
    expect(rows()).toStrictEqual(written);
    db.close();
  });
});
