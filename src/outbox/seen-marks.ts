import type { Item } from '../core/item.js';
import type { Store } from '../store/store.js';

/**
 * What a channel remembers of every article it has seen, so nothing is queued there twice (issue #15).
 *
 * By default a channel remembers articles, whichever source brought them (`dedup: article`): the key is the item's
 * articleKey (src/sources/article-key.ts), the first source to bring an article owns it, and the others are kept in
 * `alsoIn`. A channel with `dedup: per-source` remembers each source's items apart, under the key every release
 * before this one wrote for all channels: `seen:<channel>:<source>:<item id>`. A channel switched to articles still
 * reads those marks (under the item's id or the id an earlier release gave it) and moves each one to its article key
 * the first time the item comes again, so upgrading posts nothing a second time.
 */

export type DedupMode = 'article' | 'per-source';

export interface SeenMark {
  firstSeenAt: string;
  contentHash: string;
  /** CONTENT_HASH_SCHEME when the hash was taken; absent in marks written before schemes were numbered (1). */
  hashScheme?: number;
  /** The source that brought the article first, and its item id there. Absent in marks written per source. */
  sourceId?: string;
  itemId?: string;
  /** Other sources that carried the same article later, in the order they were seen. */
  alsoIn?: string[];
}

/** The latest articles a channel saw again from another source, for `status` (newest last, at most RECENT). */
export interface AlsoInSummary {
  bySource: Record<string, number>;
  recent: Array<{ source: string; firstSource: string; title?: string; url?: string; at: string }>;
}

const RECENT = 10;

const perSourceKey = (channelId: string, sourceId: string, itemId: string) => `seen:${channelId}:${sourceId}:${itemId}`;
const articleMarkKey = (channelId: string, key: string) => `article:${channelId}:${key}`;
const summaryKey = (channelId: string) => `also-in:${channelId}`;

/** An item with no articleKey (one stored before there were any) is its own article. */
const keyOf = (item: Item): string => item.articleKey ?? `item:${item.sourceId}:${item.id}`;

export class SeenMarks {
  constructor(
    private readonly store: Store,
    private readonly channelId: string,
    private readonly mode: DedupMode,
  ) {}

  /** The identity this channel dedups `item` by: its article, or its source and id. */
  identity(item: Item): string {
    return this.mode === 'article' ? keyOf(item) : `${item.sourceId}:${item.id}`;
  }

  async get(item: Item): Promise<SeenMark | undefined> {
    if (this.mode === 'article') {
      const mark = (await this.store.kv.get(articleMarkKey(this.channelId, keyOf(item)))) as SeenMark | undefined;
      if (mark) return mark;
    }
    for (const id of idsOf(item)) {
      const old = (await this.store.kv.get(perSourceKey(this.channelId, item.sourceId, id))) as SeenMark | undefined;
      if (!old) continue;
      if (this.mode === 'per-source') return old;
      const moved: SeenMark = { ...old, sourceId: item.sourceId, itemId: id };
      await this.store.kv.set(articleMarkKey(this.channelId, keyOf(item)), moved);
      return moved;
    }
    return undefined;
  }

  async set(item: Item, mark: SeenMark): Promise<void> {
    if (this.mode === 'per-source') {
      await this.store.kv.set(perSourceKey(this.channelId, item.sourceId, item.id), mark);
      return;
    }
    await this.store.kv.set(articleMarkKey(this.channelId, keyOf(item)), { sourceId: item.sourceId, itemId: item.id, ...mark });
  }

  /** Records that `item`'s source carries an article another source brought first; false when it was already noted. */
  async noteAlsoIn(item: Item, mark: SeenMark, at: string): Promise<boolean> {
    if (mark.alsoIn?.includes(item.sourceId)) return false;
    await this.store.kv.set(articleMarkKey(this.channelId, keyOf(item)), { ...mark, alsoIn: [...(mark.alsoIn ?? []), item.sourceId] });
    const summary = ((await this.store.kv.get(summaryKey(this.channelId))) as AlsoInSummary | undefined) ?? { bySource: {}, recent: [] };
    summary.bySource[item.sourceId] = (summary.bySource[item.sourceId] ?? 0) + 1;
    summary.recent = [
      ...summary.recent,
      { source: item.sourceId, firstSource: mark.sourceId ?? '?', at, ...(item.title ? { title: item.title } : {}), ...(item.url ? { url: item.url } : {}) },
    ].slice(-RECENT);
    await this.store.kv.set(summaryKey(this.channelId), summary);
    return true;
  }
}

/** The other sources that carried `item`'s article on `channelId` (empty when none, or per source). */
export async function alsoInFor(store: Store, channelId: string, item: Item): Promise<string[]> {
  const mark = (await store.kv.get(articleMarkKey(channelId, keyOf(item)))) as SeenMark | undefined;
  return mark?.alsoIn ?? [];
}

export async function alsoInSummary(store: Store, channelId: string): Promise<AlsoInSummary | undefined> {
  return (await store.kv.get(summaryKey(channelId))) as AlsoInSummary | undefined;
}

function idsOf(item: Item): string[] {
  return item.previousId && item.previousId !== item.id ? [item.id, item.previousId] : [item.id];
}
