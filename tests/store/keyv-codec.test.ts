/**
 * src/store/keyv-codec.ts writes and reads keyv's stored format faster: it must be keyv's format exactly, both
 * ways, or a store written by one release reads wrong in the next (a GUID that begins with ":" would lose it).
 * Compared with @keyv/serialize itself on generated values full of what that format escapes.
 */
import { defaultDeserialize, defaultSerialize } from '@keyv/serialize';
import { describe, expect, it } from 'vitest';
import { deserializeStored, serializeStored } from '../../src/store/keyv-codec.js';
import { openStore } from '../../src/store/open-store.js';
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
});
