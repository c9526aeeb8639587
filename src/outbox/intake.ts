import { CONTENT_HASH_SCHEME, type Item } from '../core/item.js';
import { itemsFilteredTotal, itemsSeenTotal } from '../core/metrics.js';
import type { DropRule, ItemFilter } from '../sources/item-filter.js';
import type { Store } from '../store/store.js';
import type { Outbox } from './outbox.js';
import { SeenMarks, type DedupMode, type SeenMark } from './seen-marks.js';

export type BacklogPolicy = 'none' | 'all' | number;

export type UpdatePolicy = 'ignore' | 'reply';

export interface IntakeResult {
  channelId: string;
  queued: number;
  /** Seen items whose content changed and were refreshed in the queue or answered with an update note. */
  updated: number;
  /** Items seen for the first time but left out by the backlog policy. */
  skippedBacklog: number;
  /** Items seen for the first time and dropped by the source's rules, with the rule that dropped each. */
  filtered: Array<{ item: Item; rule: DropRule }>;
  /** Articles another source brought to this channel first, newly noted as "also in" this source. */
  alsoIn: number;
  firstSight: boolean;
}

const primedKey = (channelId: string, sourceId: string) => `primed:${channelId}:${sourceId}`;

/**
 * Dedup and backlog: an article once seen on a channel is never queued there again, across restarts and, unless
 * the channel dedups per source, across sources (seen-marks.ts). On a channel's first sight of a source only the
 * backlog policy's share of what is already in the feed is queued, so adding a feed does not flood followers.
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
  dedup: DedupMode = 'article',
  /** The source's rules (src/sources/source-rules.ts): an unseen item they drop is marked seen, never queued. */
  dropRuleOf: ItemFilter = () => undefined,
): Promise<IntakeResult> {
  const marks = new SeenMarks(store, channelId, dedup);
  const at = new Date(now()).toISOString();
  const firstSight = (await store.kv.get(primedKey(channelId, sourceId))) === undefined;
  const unseen: Item[] = [];
  const unseenIdentities = new Set<string>();
  let updated = 0;
  let alsoIn = 0;
  await marks.prefetch(items);
  for (const item of items) {
    const mark = (marks.alreadyRead(item) ?? { mark: await marks.get(item) }).mark;
    const fromElsewhere = mark?.sourceId !== undefined && mark.sourceId !== item.sourceId;
    // Unseen: never seen; or another source saw it only as backlog and never announced it; or this source's last
    // round stopped between writing the mark and queueing the delivery (queueing again finds the same delivery).
    if (mark === undefined || (fromElsewhere && mark.backlog) || (!fromElsewhere && mark.pending)) {
      // The same article twice in one feed (two GUIDs, one link): the first entry stands for it.
      const identity = marks.identity(item);
      if (unseenIdentities.has(identity)) continue;
      unseenIdentities.add(identity);
      unseen.push(item);
    } else if (fromElsewhere) {
      // Another source brought this article first: it is announced once, from there; this source is noted.
      if (await marks.noteAlsoIn(item, mark, at)) alsoIn += 1;
    } else if (mark.itemId !== undefined && mark.itemId !== item.id) {
      // Another entry of this same source is this article (a new GUID for the same link): announced already.
    } else if (mark.contentHash === undefined) {
      // Left out by the backlog and never read: whatever changed, nothing of it went out on this channel, and nothing
      // will (the mark is never compared with anything again): the entry is neither cleaned nor hashed.
    } else if ((mark.hashScheme ?? 1) !== CONTENT_HASH_SCHEME) {
      // Hashed by an older release: a difference may be our cleaning, not the item. Re-take the hash, post nothing.
      await marks.set(item, { ...mark, contentHash: item.contentHash, hashScheme: CONTENT_HASH_SCHEME, ...rawHashOf(item) });
    } else if (item.rawHash !== undefined && mark.rawHash === item.rawHash) {
      // The entry reads as it did: so does its content, which is therefore not cleaned again to compare.
    } else if (mark.contentHash !== item.contentHash) {
      // The new content is remembered only once the update is handled, so a crash in between retries it.
      if (onUpdate === 'reply' && (await outbox.applyUpdate(item, channelId))) updated += 1;
      await marks.set(item, { ...mark, contentHash: item.contentHash, ...rawHashOf(item) });
    } else if (item.rawHash !== undefined) {
      // Written differently, the same content: the new form is remembered, so the next poll need not clean it.
      await marks.set(item, { ...mark, rawHash: item.rawHash });
    }
  }

  // Dropped by the source's rules: marked seen like a backlog item (another source may still bring the article).
  const filtered = unseen.flatMap((item) => {
    const rule = dropRuleOf(item);
    return rule ? [{ item, rule }] : [];
  });
  const dropped = new Set(filtered.map((f) => f.item));
  const taken = unseen.filter((item) => !dropped.has(item));
  const toQueue = firstSight ? newest(taken, backlog) : taken;
  const chosen = new Set(toQueue);
  const seenNow = (item: Item): SeenMark => ({ firstSeenAt: at, contentHash: item.contentHash, hashScheme: CONTENT_HASH_SCHEME, ...rawHashOf(item) });
  // An item the backlog leaves out is remembered as seen and nothing more: no hash of its content or raw entry, so a
  // poll's item (parsed to clean and hash on first read, normalise.ts) is neither cleaned nor hashed; no later
  // change of it is ever announced.
  // One mark for all of them: the same value, written (and turned into text) once for a whole backlog.
  const leftOut: SeenMark = Object.freeze({ firstSeenAt: at, backlog: true });
  // Three writes, each for all items and in this order, so a crash between any two leaves what a crash between two
  // items always could. Claimed before queueing, so another source polled after a crash here finds the article
  // taken; this source's next round queues it again (pending).
  await marks.claimAll(toQueue, seenNow);
  // Oldest first, so a backlog goes out in the order it was written.
  const queued = (await outbox.enqueueAll(oldestFirst(toQueue), channelId, { held })).length;
  await marks.setAllAndClaimOthers(unseen.map((item) => [item, chosen.has(item) ? seenNow(item) : leftOut] as const));
  if (firstSight) await store.kv.set(primedKey(channelId, sourceId), at);
  if (unseen.length > 0) itemsSeenTotal.inc({ source: sourceId, channel: channelId }, unseen.length);
  for (const { rule } of filtered) itemsFilteredTotal.inc({ source: sourceId, channel: channelId, list: rule.list });
  return { channelId, queued, updated, alsoIn, skippedBacklog: taken.length - chosen.size, filtered, firstSight };
}

function rawHashOf(item: Item): { rawHash?: string } {
  return item.rawHash !== undefined ? { rawHash: item.rawHash } : {};
}

/** Feeds list newest first; dates, when every item has one, are more trustworthy than position. */
function newestFirst(items: readonly Item[]): Item[] {
  const dated = items.every((i) => i.publishedAt !== undefined);
  if (!dated) return [...items];
  // Each date read once, not once per comparison: a first sight sorts a whole feed. The sort is stable, so items
  // of the same date keep their order.
  const at = Float64Array.from(items, (i) => Date.parse(i.publishedAt!));
  const order = Array.from(items.keys()).sort((a, b) => at[b]! - at[a]!);
  return order.map((k) => items[k]!);
}

function newest(items: readonly Item[], backlog: BacklogPolicy): Item[] {
  if (backlog === 'all') return [...items];
  if (backlog === 'none') return [];
  return newestFirst(items).slice(0, backlog);
}

function oldestFirst(items: readonly Item[]): Item[] {
  return newestFirst(items).reverse();
}
