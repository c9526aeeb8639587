import type { Item } from '../core/item.js';
import type { Store } from '../store/store.js';

/**
 * What a channel remembers of every article it has seen, so nothing is queued there twice (issue #15).
 *
 * By default a channel remembers articles, whichever source brought them (`dedup: article`): the key is the item's
 * articleKey (src/sources/article-key.ts), the first source to bring an article owns it, and the others are kept in
 * `alsoIn`. Every item is also remembered under its source and id, the key every earlier release wrote for all
 * channels: `seen:<channel>:<source>:<item id>`. That is all a channel with `dedup: per-source` reads; a channel
 * that dedups by article reads it when the article's key is new (the item's link changed, or an earlier release
 * wrote the mark) and copies it to the article, so upgrading posts nothing a second time.
 */

export type DedupMode = 'article' | 'per-source';

export interface SeenMark {
  firstSeenAt: string;
  /** Absent for an item left out by the backlog: its text was never read (intake.ts), nor sent. */
  contentHash?: string;
  /** The item's rawHash when it was last read: the same again means the same content, without cleaning. */
  rawHash?: string;
  /** CONTENT_HASH_SCHEME when the hash was taken; absent in marks written before schemes were numbered (1). */
  hashScheme?: number;
  /** The source that brought the article first, and its item id there. Absent in marks written per source. */
  sourceId?: string;
  itemId?: string;
  /** Other sources that carried the same article later, in the order they were seen. */
  alsoIn?: string[];
  /** Seen on the source's first sight and left out by its backlog policy: another source may still announce it. */
  backlog?: true;
  /** Written just before the delivery was queued: the source's next poll queues it again (idempotently). */
  pending?: true;
  /** Already read as another item's earlier id (seen-marks' otherIds): from now on it stands only for its own id. */
  claimed?: true;
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
  /** Marks read under another item's earlier id in this round: claimed once the round is over (see othersClaimed). */
  private readonly readUnderOtherIds = new Map<string, SeenMark>();
  /**
   * Every mark this object has read (undefined: none stored) or written, by key. Filled for a whole feed at once by
   * `prefetch`, so a round reads its marks in one go; every write goes through here, so later reads in the round see
   * it, as they would in the store.
   */
  private readonly known = new Map<string, SeenMark | undefined>();

  constructor(
    private readonly store: Store,
    private readonly channelId: string,
    private readonly mode: DedupMode,
  ) {}

  /** The identity this channel dedups `item` by: its article, or its source and id. */
  identity(item: Item): string {
    return this.mode === 'article' ? keyOf(item) : `${item.sourceId}:${item.id}`;
  }

  /**
   * Reads every mark `get` may read for these items, in at most two store reads: by article first, then under their
   * own and earlier ids only for the items whose article has no mark (`get` reads no further for the others). A poll
   * of a feed already seen finds nearly every article, so it reads one key an item, not two.
   */
  async prefetch(items: readonly Item[]): Promise<void> {
    let rest = items;
    if (this.mode === 'article') {
      await this.readMany(items.map((item) => this.articleKeyOf(item)));
      rest = items.filter((item) => this.known.get(this.articleKeyOf(item)) === undefined);
    }
    const keys: string[] = [];
    for (const item of rest) {
      keys.push(this.ownKeyOf(item));
      for (const id of item.otherIds ?? []) keys.push(perSourceKey(this.channelId, item.sourceId, id));
    }
    await this.readMany(keys);
  }

  private async readMany(keys: readonly string[]): Promise<void> {
    const wanted = new Set<string>();
    for (const key of keys) if (!this.known.has(key)) wanted.add(key);
    if (wanted.size === 0) return;
    const list = [...wanted];
    const marks = (await this.store.kv.getMany(list)) as Array<SeenMark | undefined>;
    for (let i = 0; i < list.length; i++) this.known.set(list[i]!, marks[i] ?? undefined);
  }

  /**
   * `get`'s answer without a promise, when the marks already read decide it without a write: the article's mark, or
   * none at all (article, own id and earlier ids all read and absent). Undefined when `get` must be asked. A poll
   * asks this for every entry of its feed, and a promise per entry was a third of reading the marks.
   */
  alreadyRead(item: Item): { mark: SeenMark | undefined } | undefined {
    if (this.mode === 'article') {
      const article = this.known.get(this.articleKeyOf(item));
      if (article) return { mark: article };
    }
    const own = this.ownKeyOf(item);
    if (!this.known.has(own) || this.known.get(own)) return undefined;
    for (const id of item.otherIds ?? []) {
      const key = perSourceKey(this.channelId, item.sourceId, id);
      if (!this.known.has(key) || this.known.get(key)) return undefined;
    }
    return this.mode === 'article' && !this.known.has(this.articleKeyOf(item)) ? undefined : { mark: undefined };
  }

  /** The keys of an item, made once a round: a feed's items are looked up several times each. */
  private readonly keysOfItem = new WeakMap<Item, { article: string; own: string }>();

  private keysOf(item: Item): { article: string; own: string } {
    let keys = this.keysOfItem.get(item);
    if (!keys) {
      keys = { article: articleMarkKey(this.channelId, keyOf(item)), own: perSourceKey(this.channelId, item.sourceId, item.id) };
      this.keysOfItem.set(item, keys);
    }
    return keys;
  }

  private articleKeyOf(item: Item): string {
    return this.keysOf(item).article;
  }

  private ownKeyOf(item: Item): string {
    return this.keysOf(item).own;
  }

  /**
   * The mark for `item`: its article's (article mode), else the one kept under its own id (every release wrote
   * those), else one kept under an id it had before (`otherIds`), which is then copied to the item's own keys.
   */
  async get(item: Item): Promise<SeenMark | undefined> {
    if (this.mode === 'article') {
      const mark = await this.read(this.articleKeyOf(item));
      if (mark) return mark;
    }
    const own = await this.read(this.ownKeyOf(item));
    if (own) {
      if (this.mode === 'article') await this.writeArticle(item, { ...own, sourceId: item.sourceId, itemId: item.id });
      return own;
    }
    for (const id of item.otherIds ?? []) {
      const key = perSourceKey(this.channelId, item.sourceId, id);
      const old = await this.read(key);
      if (!old || old.claimed) continue;
      // Entries that shared one link were one item to an earlier release: every one of them in this round was seen.
      this.readUnderOtherIds.set(key, old);
      const { claimed: _claimed, ...kept } = old;
      const moved: SeenMark = { ...kept, sourceId: item.sourceId, itemId: item.id };
      await this.set(item, moved);
      return moved;
    }
    return undefined;
  }

  /** Writes the mark under the item's own id and, by article, under its article. */
  async set(item: Item, mark: SeenMark): Promise<void> {
    await this.write(this.entriesOf(item, mark));
  }

  /**
   * `set` for each pair, then the marks read under other ids this round claimed (see othersClaimed), in one store
   * write: what a round learnt is remembered together.
   */
  async setAllAndClaimOthers(marks: ReadonlyArray<readonly [Item, SeenMark]>): Promise<void> {
    const entries: Array<{ key: string; value: SeenMark }> = [];
    for (const [item, mark] of marks) entries.push(...this.entriesOf(item, mark));
    await this.write([...entries, ...this.othersClaimed()]);
  }

  /**
   * Takes the article for each item before its delivery is queued (`pending`), so another source polled after a
   * crash in between finds it taken; one store write for all. Only other sources read it, through the article: per
   * source, queueing again on the next round finds the same delivery, so there is nothing to write.
   */
  async claimAll(items: readonly Item[], markOf: (item: Item) => SeenMark): Promise<void> {
    if (this.mode !== 'article') return;
    await this.write(items.map((item) => this.articleEntry(item, { sourceId: item.sourceId, itemId: item.id, ...markOf(item), pending: true })));
  }

  /**
   * Marks found under another id this round, to stand only for that id from now on: an entry that comes later and
   * shares the old link is new (it was not in the feed when the earlier release saw it).
   */
  private othersClaimed(): Array<{ key: string; value: SeenMark }> {
    const entries = [...this.readUnderOtherIds].map(([key, mark]) => ({ key, value: { ...mark, claimed: true as const } }));
    this.readUnderOtherIds.clear();
    return entries;
  }

  /** Records that `item`'s source carries an article another source brought first; false when it was already noted. */
  async noteAlsoIn(item: Item, mark: SeenMark, at: string): Promise<boolean> {
    if (mark.alsoIn?.includes(item.sourceId)) return false;
    await this.writeArticle(item, { ...mark, alsoIn: [...(mark.alsoIn ?? []), item.sourceId] });
    const summary = ((await this.store.kv.get(summaryKey(this.channelId))) as AlsoInSummary | undefined) ?? { bySource: {}, recent: [] };
    summary.bySource[item.sourceId] = (summary.bySource[item.sourceId] ?? 0) + 1;
    summary.recent = [
      ...summary.recent,
      { source: item.sourceId, firstSource: mark.sourceId ?? '?', at, ...(item.title ? { title: item.title } : {}), ...(item.url ? { url: item.url } : {}) },
    ].slice(-RECENT);
    await this.store.kv.set(summaryKey(this.channelId), summary);
    return true;
  }

  private async writeArticle(item: Item, mark: SeenMark): Promise<void> {
    await this.write([this.articleEntry(item, mark)]);
  }

  private entriesOf(item: Item, mark: SeenMark): Array<{ key: string; value: SeenMark }> {
    const own = { key: this.ownKeyOf(item), value: mark };
    return this.mode === 'article' ? [own, this.articleEntry(item, { sourceId: item.sourceId, itemId: item.id, ...mark })] : [own];
  }

  private articleEntry(item: Item, mark: SeenMark): { key: string; value: SeenMark } {
    return { key: this.articleKeyOf(item), value: mark };
  }

  private async read(key: string): Promise<SeenMark | undefined> {
    if (this.known.has(key)) return this.known.get(key);
    const mark = (await this.store.kv.get(key)) as SeenMark | undefined;
    this.known.set(key, mark);
    return mark;
  }

  /** In order, in one store write (one alone through kv.set); remembered for this round's later reads. */
  private async write(entries: ReadonlyArray<{ key: string; value: SeenMark }>): Promise<void> {
    if (entries.length === 0) return;
    if (entries.length === 1) await this.store.kv.set(entries[0]!.key, entries[0]!.value);
    else await this.store.kv.setMany(entries as Array<{ key: string; value: SeenMark }>);
    for (const { key, value } of entries) this.known.set(key, value);
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
