import { createHash } from 'node:crypto';
import { ItemSchema, type Item } from '../../src/core/item.js';

/** A small neutral item for tests; fields can be overridden. */
export function makeItem(n: number, overrides: Partial<Item> = {}): Item {
  const base = {
    id: `item-${n}`,
    sourceId: 'garden',
    url: `https://example.org/notes/${n}`,
    title: `Garden note ${n}`,
    summary: `The tomatoes in bed ${n} were watered this morning.`,
    publishedAt: new Date(Date.UTC(2026, 0, 1 + n)).toISOString(),
    tags: [],
    images: [],
    ...overrides,
  };
  return ItemSchema.parse({ contentHash: createHash('sha256').update(JSON.stringify(base)).digest('hex').slice(0, 32), ...base });
}
