import { CONTENT_HASH_SCHEME, type Item } from '../core/item.js';
import { itemsSeenTotal } from '../core/metrics.js';
import type { Store } from '../store/store.js';
import type { Outbox } from './outbox.js';

export type BacklogPolicy = 'none' | 'all' | number;

export type UpdatePolicy = 'ignore' | 'reply';

export interface IntakeResult {
  channelId: string;
  queued: number;
  /** Seen items whose content changed and were refreshed in the queue or answered with an update note. */
  updated: number;
  /** Items seen for the first time but left out by the backlog policy. */
  skippedBacklog: number;
  firstSight: boolean;
}

interface SeenMark {
  firstSeenAt: string;
  contentHash: string;
  /** CONTENT_HASH_SCHEME when the hash was taken; absent in marks written before schemes were numbered (1). */
  hashScheme?: number;
}

const seenKey = (channelId: string, item: Item) => `seen:${channelId}:${item.sourceId}:${item.id}`;
const primedKey = (channelId: string, sourceId: string) => `primed:${channelId}:${sourceId}`;

/**
 * Dedup and backlog: an item once seen on a channel is never queued there again, across restarts.
 * On a channel's first sight of a source only the backlog policy's share of what is already in the
 * feed is queued, so adding a feed does not flood followers.
 */
export async function intakeItems(
  store: Store,
  outbox: Outbox,
  sourceId: string,
  channelId: string,
  items: readonly Item[],
  backlog: BacklogPolicy,
  now: () => number = Date.now,
  onUpdate: UpdatePolicy = 'ignore',
  /** Review mode: new items wait as `held` until an editor approves them. */
  held = false,
): Promise<IntakeResult> {
  const firstSight = (await store.kv.get(primedKey(channelId, sourceId))) === undefined;
  const unseen: Item[] = [];
  let updated = 0;
  for (const item of items) {
    const mark = (await store.kv.get(seenKey(channelId, item))) as SeenMark | undefined;
    if (mark === undefined) unseen.push(item);
    else if ((mark.hashScheme ?? 1) !== CONTENT_HASH_SCHEME) {
      // Hashed by an older release: a difference may be our cleaning, not the item. Re-take the hash, post nothing.
      await store.kv.set(seenKey(channelId, item), { ...mark, contentHash: item.contentHash, hashScheme: CONTENT_HASH_SCHEME });
    } else if (mark.contentHash !== item.contentHash) {
      // The new content is remembered only once the update is handled, so a crash in between retries it.
      if (onUpdate === 'reply' && (await outbox.applyUpdate(item, channelId))) updated += 1;
      await store.kv.set(seenKey(channelId, item), { ...mark, contentHash: item.contentHash });
    }
  }

  const toQueue = firstSight ? newest(unseen, backlog) : unseen;
  const chosen = new Set(toQueue);
  // Oldest first, so a backlog goes out in the order it was written.
  const ordered = oldestFirst(toQueue);
  let queued = 0;
  for (const [order, item] of ordered.entries()) {
    if (await outbox.enqueue(item, channelId, { order, held })) queued += 1;
  }
  const at = new Date(now()).toISOString();
  for (const item of unseen) {
    const mark: SeenMark = { firstSeenAt: at, contentHash: item.contentHash, hashScheme: CONTENT_HASH_SCHEME };
    await store.kv.set(seenKey(channelId, item), mark);
  }
  if (firstSight) await store.kv.set(primedKey(channelId, sourceId), at);
  if (unseen.length > 0) itemsSeenTotal.inc({ source: sourceId, channel: channelId }, unseen.length);
  return { channelId, queued, updated, skippedBacklog: unseen.length - chosen.size, firstSight };
}

/** Feeds list newest first; dates, when every item has one, are more trustworthy than position. */
function newestFirst(items: readonly Item[]): Item[] {
  const dated = items.every((i) => i.publishedAt !== undefined);
  if (!dated) return [...items];
  return [...items].sort((a, b) => Date.parse(b.publishedAt!) - Date.parse(a.publishedAt!));
}

function newest(items: readonly Item[], backlog: BacklogPolicy): Item[] {
  if (backlog === 'all') return [...items];
  if (backlog === 'none') return [];
  return newestFirst(items).slice(0, backlog);
}

function oldestFirst(items: readonly Item[]): Item[] {
  return newestFirst(items).reverse();
}
