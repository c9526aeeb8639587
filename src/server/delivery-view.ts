import { setImmediate as nextTurn } from 'node:timers/promises';
import { EDITOR_SOURCE_ID, type ChannelConfig, type Config } from '../config/schema.js';
import { DUE_STATES, FINISHED_STATES, OPEN_STATES, type DeliveryState } from '../core/delivery-states.js';
import type { Delivery } from '../core/delivery.js';
import type { WaitKind } from '../core/errors.js';
import { editorActions, type EditorAction } from '../outbox/editor-actions.js';
import { droppedText, type DroppedText } from '../compose/dropped-text.js';
import { tryComposeForChannel, type ComposeOutcome } from '../platforms/compose-for-channel.js';
import { dryRunReason } from '../platforms/create-publisher.js';
import { ChannelPacer } from '../schedule/channel-pacer.js';
import { estimateSendTimes } from '../schedule/estimate.js';
import type { Store } from '../store/store.js';

/** A delivery as the editor page shows it. Only what an editor needs: no intent, no credentials. */
export interface DeliveryView {
  id: string;
  channelId: string;
  platform: string;
  sourceId: string;
  itemId: string;
  isAnnouncement: boolean;
  state: DeliveryState;
  /** What the editor may do to it now, as the outbox would allow: the page offers these buttons and no others. */
  actions: EditorAction[];
  title: string | null;
  text: string;
  url: string | null;
  notBefore: string | null;
  /** When it is expected to go out under the channel's schedule (waiting deliveries only). */
  estimatedAt: string | null;
  reason: string | null;
  /** Why it waits with nothing sent (a rate window, a cap, a budget, refused credentials), as data the page renders. */
  wait: { kind: WaitKind; until: string } | null;
  /** The thread as it was sent, or as it will be: the stored thread if composed, else composed now. */
  parts: Array<{ text: string }>;
  /** Why it cannot be composed now (then `parts` is empty): shown on its own row, never failing the listing. */
  composeProblem: string | null;
  posts: Array<{ id: string; url: string | null }>;
  history: Array<{ at: string; event: string; detail?: string }>;
  createdAt: string;
  updatedAt: string;
  /**
   * Nothing was or will be posted: a finished delivery that the dry-run publisher recorded, or a waiting one whose
   * channel runs in dry-run now (config, channel, or missing credentials); `dryRunReason` says which.
   */
  dryRun: boolean;
  dryRunReason: string | null;
  /** The thread's images (the item's), by position: `/api/deliveries/:id/images/:index` serves a thumbnail. */
  images: Array<{ alt: string }>;
  /** Text of the item the thread leaves out (the template's maxParts), or null when all of it is shown. */
  dropped: DroppedText | null;
  /** The channel's schedule zone: its times are planned there. */
  timezone: string | null;
}

/** What the view needs besides the delivery: its channel as configured, and the config-wide dry-run switch. */
export interface ViewContext {
  channel: ChannelConfig | undefined;
  globalDryRun: boolean;
  estimatedAt?: number;
}

/** Why a delivery posts nothing, or null: what it did for a finished one, what its channel would do for one still to go. */
function dryRunOf(d: Delivery, ctx: ViewContext): string | null {
  if (FINISHED_STATES.includes(d.state)) return d.dryRun ? 'recorded in dry-run, not posted' : null;
  if (!ctx.channel) return null;
  return dryRunReason(ctx.channel, ctx.globalDryRun) ?? null;
}


/** A delivery's thread as the view shows it, and what its thread leaves out of the item's text. */
interface ViewThread {
  composed: ComposeOutcome | undefined;
  dropped: DroppedText | null;
}

/**
 * Threads composed for the views, per channel as configured (a reload brings new channel objects, and the old ones
 * go with their entries), by delivery and its last change. The page asks for the queue every few seconds, and
 * composing a long text costs milliseconds: a queue of hundreds held the process for seconds on every ask.
 */
const viewThreads = new WeakMap<ChannelConfig, Map<string, ViewThread>>();
/** Entries kept per channel, the least recently shown dropped first. */
const VIEW_THREADS_KEPT = 5_000;

function viewThread(d: Delivery, channel: ChannelConfig | undefined): ViewThread {
  const compute = (): ViewThread => {
    const composed = d.thread || !channel ? undefined : tryComposeForChannel(d.item, channel);
    const thread = d.thread ?? composed?.thread;
    return { composed, dropped: thread ? droppedText(d.item.summary, thread.parts.map((p) => p.text)) : null };
  };
  if (!channel) return compute();
  let cache = viewThreads.get(channel);
  if (!cache) viewThreads.set(channel, (cache = new Map()));
  // Every change of a delivery (an edit, a feed's update, a stored thread) is a transition, which sets updatedAt.
  const key = `${d.id}\u0000${d.updatedAt}`;
  const hit = cache.get(key);
  if (hit) cache.delete(key);
  const value = hit ?? compute();
  cache.set(key, value);
  if (cache.size > VIEW_THREADS_KEPT) cache.delete(cache.keys().next().value!);
  return value;
}

export function deliveryView(d: Delivery, ctx: ViewContext): DeliveryView {
  const { channel, estimatedAt } = ctx;
  const dryRun = dryRunOf(d, ctx);
  const { composed, dropped } = viewThread(d, channel);
  const thread = d.thread ?? composed?.thread;
  return {
    id: d.id,
    channelId: d.channelId,
    platform: channel?.platform ?? thread?.platform ?? 'unknown',
    sourceId: d.sourceId,
    itemId: d.itemId,
    isAnnouncement: d.sourceId === EDITOR_SOURCE_ID,
    state: d.state,
    actions: editorActions(d),
    title: d.item.title ?? null,
    text: d.item.summary,
    url: d.item.url ?? null,
    notBefore: d.notBefore ?? null,
    estimatedAt: estimatedAt === undefined ? null : new Date(estimatedAt).toISOString(),
    reason: d.reason ?? null,
    wait: d.wait ? { kind: d.wait.kind, until: d.wait.until } : null,
    parts: (thread?.parts ?? []).map((p) => ({ text: p.text })),
    composeProblem: composed?.failure?.reason ?? null,
    posts: d.posts.map((p) => ({ id: p.id, url: p.url ?? null })),
    history: d.history.map((h) => ({ at: h.at, event: h.event, ...(h.detail ? { detail: h.detail } : {}) })),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    dryRun: dryRun !== null,
    dryRunReason: dryRun,
    images: d.item.images.map((image) => ({ alt: image.alt ?? '' })),
    dropped,
    timezone: channel?.schedule.timezone ?? null,
  };
}

/** How many items the queue view lists unless asked for more, and at most: the page asks for more as the editor wants. */
export const QUEUE_VIEW_ITEMS = 200;
export const QUEUE_VIEW_MAX_ITEMS = 5000;

export interface QueueViews {
  /** The deliveries of the first items in the queue's order (every channel of each), and every thread being retracted. */
  views: DeliveryView[];
  /** Items waiting after those, not listed. */
  moreItems: number;
}

/**
 * Everything waiting or in flight, each with its expected send time under its channel's schedule: the first `items`
 * items only, as a first sight with `backlog: all` can queue thousands, and each listed thread is composed (once;
 * then kept) and sent to the page on every refresh.
 */
export async function queueViews(config: Config, store: Store, now = Date.now(), items = QUEUE_VIEW_ITEMS): Promise<QueueViews> {
  const views: DeliveryView[] = [];
  const channels = new Map(config.channels.map((c) => [c.id, c]));
  const waiting = await store.listDeliveries({ states: OPEN_STATES });
  const estimates = new Map<string, number>();
  for (const channel of config.channels) {
    const due = waiting.filter((d) => d.channelId === channel.id && DUE_STATES.includes(d.state));
    if (due.length === 0) continue;
    const state = await new ChannelPacer(store.kv, channel.id, channel.schedule, () => now).state();
    const times = estimateSendTimes(channel.schedule, state, due.map((d) => ({ id: d.id, ...(d.notBefore ? { notBefore: Date.parse(d.notBefore) } : {}) })), now);
    for (const [id, at] of times) estimates.set(id, at);
  }
  const turn = yieldingTurns();
  const listed = firstItems(waiting, items);
  for (const d of listed.deliveries) {
    const estimatedAt = estimates.get(d.id);
    views.push(deliveryView(d, { channel: channels.get(d.channelId), globalDryRun: config.dryRun, ...(estimatedAt === undefined ? {} : { estimatedAt }) }));
    await turn();
  }
  return { views, moreItems: listed.moreItems };
}

/**
 * The deliveries of the first `max` items, in the queue's order, with all of each item's channels: the page acts on
 * an item on every channel it waits on, so it must see them all. A thread being retracted is always listed (the page
 * shows it in History).
 */
function firstItems(waiting: readonly Delivery[], max: number): { deliveries: Delivery[]; moreItems: number } {
  const listed = new Set<string>();
  const left = new Set<string>();
  const deliveries: Delivery[] = [];
  for (const d of waiting) {
    const key = `${d.sourceId}:${d.itemId}`;
    if (d.state === 'retracting' || listed.has(key)) deliveries.push(d);
    else if (listed.size < max) {
      listed.add(key);
      deliveries.push(d);
    } else left.add(key);
  }
  return { deliveries, moreItems: left.size };
}

/**
 * Composing a view's threads the first time is CPU work in the server's process: every few milliseconds the
 * listing lets the event loop turn, so publishing, polling and /healthz never wait for a long queue's first view.
 */
function yieldingTurns(sliceMs = 10): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < sliceMs) return;
    await nextTurn();
    since = performance.now();
  };
}

/** What went out or ended, newest first. */
export async function historyViews(config: Config, store: Store, limit = 200): Promise<DeliveryView[]> {
  const channels = new Map(config.channels.map((c) => [c.id, c]));
  const done = await store.listDeliveries({ states: FINISHED_STATES });
  const views: DeliveryView[] = [];
  const turn = yieldingTurns();
  for (const d of done.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, limit)) {
    views.push(deliveryView(d, { channel: channels.get(d.channelId), globalDryRun: config.dryRun }));
    await turn();
  }
  return views;
}
