import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DELIVERY_STATES, IllegalTransitionError, TRANSITIONS, type DeliveryState } from '../../src/core/delivery-states.js';
import type { ComposedThread, Delivery, PostRef } from '../../src/core/delivery.js';
import { ambiguous, mustWait, permanent, retryable } from '../../src/core/errors.js';
import type { Item } from '../../src/core/item.js';
import { intakeItems } from '../../src/outbox/intake.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { ScheduleSchema } from '../../src/config/schedule-schema.js';
import { ChannelPacer } from '../../src/schedule/channel-pacer.js';
import type { PublishContext, Publisher, ReconcileResult } from '../../src/platforms/publisher.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { kitFor } from '../../src/platforms/index.js';
import { XChannelSchema } from '../../src/platforms/x/config.js';
import { makeItem } from '../support/items.js';
import { startXEmulator } from '../support/x-emulator/index.js';

const log = pino({ level: 'silent' });
const retry = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 };

/**
 * A platform stand-in that behaves as scripted: the outbox's contract is with the Publisher
 * interface, and these tests check what the outbox does with each kind of answer.
 */
class ScriptedPublisher implements Publisher {
  readonly channelId = 'c1';
  readonly platform = 'test';
  readonly dryRun = false;
  readonly sent: string[] = [];
  /** publish() calls, whatever came of them: each one is a login on a platform that refuses credentials. */
  calls = 0;
  failNext: Array<Error | undefined> = [];
  /** Thrown by the next reconcile() instead of answering. */
  reconcileFailure: Error | undefined;
  /** Fail after this many parts of the next publish. */
  failAfterParts: number | undefined;
  reconcileAnswer: ReconcileResult = { status: 'resume' };
  /** compose() throws, as for an item no post can hold. */
  composeFails = false;
  /** publish() never answers, as when the process dies mid-thread. */
  hangs = false;

  compose(item: Item): ComposedThread {
    if (this.composeFails) throw permanent('the link is too long for any post');
    return { platform: 'test', parts: [{ text: `${item.title} 1/2` }, { text: `${item.summary} 2/2` }] };
  }

  async publish(delivery: Delivery, thread: ComposedThread, ctx: PublishContext): Promise<PostRef[]> {
    this.calls += 1;
    if (this.hangs) return new Promise(() => {});
    const err = this.failNext.shift();
    if (err) throw err;
    const posts = [...delivery.posts];
    for (let i = posts.length; i < thread.parts.length; i++) {
      if (this.failAfterParts !== undefined && i >= this.failAfterParts) {
        this.failAfterParts = undefined;
        throw retryable('connection reset before sending');
      }
      this.sent.push(thread.parts[i]!.text);
      const post = { id: `p-${this.sent.length}` };
      await ctx.recordPost(post);
      posts.push(post);
    }
    return posts;
  }

  async reconcile(): Promise<ReconcileResult> {
    const err = this.reconcileFailure;
    this.reconcileFailure = undefined;
    if (err) throw err;
    return this.reconcileAnswer;
  }
}

let store: SqliteStore;
let clock: number;
let outbox: Outbox;
let publisher: ScriptedPublisher;

beforeEach(() => {
  store = new SqliteStore(':memory:');
  clock = Date.parse('2026-03-01T12:00:00Z');
  outbox = new Outbox(store, { owner: 'test', retry, log, now: () => clock, random: () => 1 });
  publisher = new ScriptedPublisher();
});
afterEach(() => store.close());

const only = async () => (await store.listDeliveries())[0]!;

describe('outbox', () => {
  it('publishes a queued delivery and records its posts and history', async () => {
    await outbox.enqueue(makeItem(1), 'c1');
    expect(await outbox.publishDue(publisher)).toMatchObject({ published: 1 });
    const d = await only();
    expect(d.state).toBe('published');
    expect(d.posts.map((p) => p.id)).toEqual(['p-1', 'p-2']);
    expect(d.thread?.parts).toHaveLength(2);
    expect(d.history.map((h) => h.event)).toEqual(['queued', 'publishing', 'published']);
    expect(await outbox.publishDue(publisher)).toMatchObject({ published: 0 });
    expect(publisher.sent).toHaveLength(2);
  });

  it('retries a retryable failure after a backoff and resumes after the parts that landed', async () => {
    await outbox.enqueue(makeItem(1), 'c1');
    publisher.failAfterParts = 1;
    expect(await outbox.publishDue(publisher)).toMatchObject({ failed: 1 });
    let d = await only();
    expect(d.state).toBe('failed');
    expect(d.posts).toHaveLength(1);
    expect(Date.parse(d.notBefore!)).toBe(clock + 1000);
    expect(await outbox.publishDue(publisher)).toMatchObject({ published: 0 }); // not yet due
    clock += 1000;
    expect(await outbox.publishDue(publisher)).toMatchObject({ published: 1 });
    d = await only();
    expect(d.posts.map((p) => p.id)).toEqual(['p-1', 'p-2']);
    expect(publisher.sent).toEqual(['Garden note 1 1/2', 'The tomatoes in bed 1 were watered this morning. 2/2']);
  });

  it('waits at least until the reset time a platform gives', async () => {
    await outbox.enqueue(makeItem(1), 'c1');
    publisher.failNext = [retryable('429', { retryAt: clock + 900_000 })];
    await outbox.publishDue(publisher);
    expect((await only()).notBefore).toBe(new Date(clock + 900_000).toISOString());
  });

  it('marks a permanent failure dead with the reason kept', async () => {
    await outbox.enqueue(makeItem(1), 'c1');
    publisher.failNext = [permanent('text is too long (301 graphemes)')];
    expect(await outbox.publishDue(publisher)).toMatchObject({ dead: 1 });
    expect(await only()).toMatchObject({ state: 'dead', reason: 'text is too long (301 graphemes)' });
  });

  it('gives up after maxAttempts with a readable reason', async () => {
    await outbox.enqueue(makeItem(1), 'c1');
    publisher.failNext = [retryable('HTTP 503'), retryable('HTTP 503'), retryable('HTTP 503')];
    for (let i = 0; i < 3; i++) {
      await outbox.publishDue(publisher);
      clock += 120_000;
    }
    expect(await only()).toMatchObject({ state: 'dead', reason: 'gave up after 3 attempts: HTTP 503' });
  });

  it('gives up on a delivery still failing after retry.maxAgeHours', async () => {
    const aged = new Outbox(store, { owner: 'test', retry: { ...retry, maxAttempts: 100, maxAgeHours: 1 }, log, now: () => clock, random: () => 1 });
    await aged.enqueue(makeItem(1), 'c1');
    publisher.failNext = [retryable('HTTP 503'), retryable('HTTP 503')];
    await aged.publishDue(publisher);
    clock += 2 * 3_600_000;
    await aged.publishDue(publisher);
    expect((await only()).reason).toMatch(/^gave up: still failing 2 hours after it was queued \(retry\.maxAgeHours 1\): HTTP 503/);
  });

  it('lets an operator retry a dead delivery: it is queued again and published', async () => {
    await outbox.enqueue(makeItem(1), 'c1');
    publisher.failNext = [permanent('credentials refused')];
    await outbox.publishDue(publisher);
    const dead = await only();
    expect(dead.state).toBe('dead');
    await expect(outbox.retry('nope')).rejects.toThrow('no delivery with id nope');
    expect((await outbox.retry(dead.id)).state).toBe('queued');
    expect(await outbox.publishDue(publisher)).toMatchObject({ published: 1 });
    await expect(outbox.retry(dead.id)).rejects.toThrow(/is published; only dead, uncertain, failed or held/);
  });

  it('parks an ambiguous outcome as uncertain instead of sending again', async () => {
    await outbox.enqueue(makeItem(1), 'c1');
    publisher.failNext = [ambiguous('timed out after the request was sent')];
    expect(await outbox.publishDue(publisher)).toMatchObject({ uncertain: 1 });
    clock += 3_600_000;
    expect(await outbox.publishDue(publisher)).toMatchObject({ published: 0 });
    expect((await only()).state).toBe('uncertain');
  });

  it('on start, settles a delivery left publishing by a crash before sending anything new', async () => {
    const d = (await outbox.enqueue(makeItem(1), 'c1'))!;
    await store.saveDelivery({ ...d, state: 'publishing', thread: publisher.compose(d.item), posts: [{ id: 'p-0' }] });
    publisher.reconcileAnswer = { status: 'published', posts: [{ id: 'p-0' }] };
    await outbox.reconcileInFlight(publisher);
    expect((await only()).state).toBe('queued');
    await outbox.publishDue(publisher);
    // Only the missing second part was sent.
    expect(publisher.sent).toEqual(['The tomatoes in bed 1 were watered this morning. 2/2']);
    publisher.reconcileAnswer = { status: 'unknown', reason: 'cannot read recent posts' };
    const e = (await outbox.enqueue(makeItem(2), 'c1'))!;
    await store.saveDelivery({ ...e, state: 'publishing' });
    await outbox.reconcileInFlight(publisher);
    expect(await store.getDelivery(e.id)).toMatchObject({ state: 'uncertain', reason: 'cannot read recent posts' });
  });

  it('takes over at once a claim left by a crashed process on this host', async () => {
    const d = (await outbox.enqueue(makeItem(1), 'c1'))!;
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    await store.claimDelivery(d.id, `${hostname()}:${gone}:deadbeef`, 600_000, clock);
    expect(await outbox.publishDue(publisher)).toMatchObject({ published: 1 });
  });

  it('never takes over a live process or another host before the lease ends', async () => {
    const live = (await outbox.enqueue(makeItem(1), 'c1'))!;
    const remote = (await outbox.enqueue(makeItem(2), 'c1'))!;
    await store.claimDelivery(live.id, `${hostname()}:${process.ppid}:cafe`, 600_000, clock);
    await store.claimDelivery(remote.id, `elsewhere.example:${spawnSync(process.execPath, ['-e', '0']).pid}:cafe`, 600_000, clock);
    expect(await outbox.publishDue(publisher)).toMatchObject({ published: 0 });
    clock += 600_001;
    expect(await outbox.publishDue(publisher)).toMatchObject({ published: 2 });
  });

  it('does not publish a delivery another owner has claimed', async () => {
    const d = (await outbox.enqueue(makeItem(1), 'c1'))!;
    await store.claimDelivery(d.id, 'other-instance', 60_000, clock);
    expect(await outbox.publishDue(publisher)).toMatchObject({ published: 0 });
    expect(publisher.sent).toEqual([]);
  });
});

describe('the state table (src/core/delivery-states.ts)', () => {
  /** Every move a delivery made, read from its stored history: each entry is the state it entered. */
  const moves = (ds: Delivery[]) => ds.flatMap((d) => d.history.slice(1).map((h, i) => `${d.history[i]!.event} → ${h.event}`));
  const publishFails = async (err: Error) => {
    publisher.failNext = [err];
    await outbox.publishDue(publisher);
  };
  /** Leaves `id` publishing as a crash would (its publish never answers), then lets another process settle it. */
  const crashAndReconcile = async (id: string, answer: ReconcileResult) => {
    publisher.hangs = true;
    void new Outbox(store, { owner: `crashed-${id}`, retry, log, now: () => clock }).publishDue(publisher);
    await expect.poll(async () => (await store.getDelivery(id))!.state).toBe('publishing');
    publisher.hangs = false;
    clock += 11 * 60_000;
    publisher.reconcileAnswer = answer;
    await outbox.reconcileInFlight(publisher);
  };

  it('lists every move the outbox makes, and only those', async () => {
    // Published at once; a failure retried and published.
    const a = (await outbox.enqueue(makeItem(1), 'c1'))!;
    await outbox.publishDue(publisher);
    const b = (await outbox.enqueue(makeItem(2), 'c1'))!;
    await publishFails(retryable('HTTP 503'));
    clock += 60_000;
    await outbox.publishDue(publisher);
    // An editor's whole repertoire on a held announcement, then cancelled from the queue.
    const c = (await outbox.enqueue(makeItem(3), 'c1', { held: true }))!;
    await outbox.edit(c.id, makeItem(3, { summary: 'edited while held' }));
    await outbox.approve(c.id);
    await outbox.hold(c.id);
    await outbox.retry(c.id);
    await outbox.edit(c.id, makeItem(3, { summary: 'edited while queued' }));
    await outbox.cancel(c.id);
    // A failed delivery edited, held and cancelled; another failed one cancelled, another retried.
    const d = (await outbox.enqueue(makeItem(4), 'c1'))!;
    await publishFails(retryable('HTTP 503'));
    await outbox.edit(d.id, makeItem(4, { summary: 'edited after a failure' }));
    await outbox.hold(d.id);
    await outbox.cancel(d.id);
    const e = (await outbox.enqueue(makeItem(5), 'c1'))!;
    await publishFails(retryable('HTTP 503'));
    await outbox.cancel(e.id);
    // Failed, retried, dead, retried, uncertain, retried, waits for a budget and for credentials, then published.
    const f = (await outbox.enqueue(makeItem(6), 'c1'))!;
    await publishFails(retryable('HTTP 503'));
    await outbox.retry(f.id);
    await publishFails(permanent('refused'));
    await outbox.retry(f.id);
    await publishFails(ambiguous('timed out after sending'));
    await outbox.retry(f.id);
    await publishFails(mustWait('rate', 'rate limited', clock + 1000));
    clock += 1000;
    await publishFails(mustWait('auth', 'credentials refused', clock + 1000));
    clock += 16 * 60_000;
    await outbox.publishDue(publisher);
    // Could not be composed: from the queue, and from a failure whose stored thread an edit dropped.
    publisher.composeFails = true;
    const g = (await outbox.enqueue(makeItem(7), 'c1'))!;
    await outbox.publishDue(publisher);
    publisher.composeFails = false;
    const h = (await outbox.enqueue(makeItem(8), 'c1'))!;
    await publishFails(retryable('HTTP 503'));
    await outbox.edit(h.id, makeItem(8, { summary: 'edited into something no post can hold' }));
    publisher.composeFails = true;
    clock += 60_000;
    await outbox.publishDue(publisher);
    publisher.composeFails = false;
    // Left publishing by a crash and settled each way: found, resumed (then published), unknown.
    const i = (await outbox.enqueue(makeItem(9), 'c1'))!;
    await crashAndReconcile(i.id, { status: 'published', posts: [{ id: 'p-x' }, { id: 'p-y' }] });
    const j = (await outbox.enqueue(makeItem(10), 'c1'))!;
    await crashAndReconcile(j.id, { status: 'resume' });
    await outbox.publishDue(publisher);
    const k = (await outbox.enqueue(makeItem(11), 'c1'))!;
    await crashAndReconcile(k.id, { status: 'unknown', reason: 'cannot read recent posts' });
    // Retracted on the X stand-in: a first retract refused half-way, finished by the next.
    const x = await startXEmulator();
    try {
      const user = x.addOAuth1User();
      const channel = XChannelSchema.parse({ id: 'cx', platform: 'x', apiBase: x.url, appKey: user.appKey, appSecret: user.appSecret, accessToken: user.accessToken, accessSecret: user.accessSecret });
      const l = (await outbox.enqueue(makeItem(12), 'cx'))!;
      await outbox.publishDue(await kitFor(channel).createPublisher(channel, { web: ConfigSchema.parse({}).web, store, log }));
      x.injectFault({ route: 'DELETE /2/tweets/{id}', kind: 'error-before', status: 503 });
      const retractConfig = { channels: [channel], dryRun: false, web: ConfigSchema.parse({}).web };
      expect((await outbox.retract(l.id, retractConfig)).state).toBe('retracting');
      expect((await outbox.retract(l.id, retractConfig)).state).toBe('retracted');
    } finally {
      await x.stop();
    }

    const ends = await Promise.all([a, b, c, d, e, f, g, h, i, j, k].map(async (x) => (await store.getDelivery(x.id))!.state));
    expect(ends).toEqual(['published', 'published', 'cancelled', 'cancelled', 'cancelled', 'published', 'dead', 'dead', 'published', 'published', 'uncertain']);
    const made = new Set(moves(await store.listDeliveries()));
    const declared = DELIVERY_STATES.flatMap((from) => TRANSITIONS[from].map((to) => `${from} → ${to}`));
    expect([...made].sort()).toEqual([...declared].sort());
  });

  it('refuses a move the table does not list, with the move as data, and stores nothing', async () => {
    await outbox.enqueue(makeItem(1), 'c1');
    await outbox.publishDue(publisher);
    const published = await only();
    const transition = (outbox as unknown as { transition(d: Delivery, to: DeliveryState, detail?: string): Promise<Delivery> }).transition.bind(outbox);
    const refused = await transition(published, 'queued', 'sneaked back').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(IllegalTransitionError);
    expect(refused).toMatchObject({ kind: 'illegal-transition', deliveryId: published.id, from: 'published', to: 'queued' });
    expect(await only()).toEqual(published);
  });

  it('reads a stored `scheduled` (declared until now, never set) as queued', async () => {
    const d = (await outbox.enqueue(makeItem(1), 'c1'))!;
    await store.saveDelivery({ ...d, state: 'scheduled' as DeliveryState });
    expect((await store.getDelivery(d.id))!.state).toBe('queued');
  });
});

describe('refused credentials (issue #13)', () => {
  const refused = () => mustWait('auth', 'the PDS refused the credentials (401: AuthenticationRequired); fix them and the channel resumes', clock + 15 * 60_000);
  const KEY = 'fp-original';

  it('stop the round at the first refusal and leave the rest of the queue untouched', async () => {
    for (const n of [1, 2, 3]) await outbox.enqueue(makeItem(n), 'c1');
    publisher.failNext = [refused(), refused(), refused()];
    const summary = await outbox.publishDue(publisher, { credentials: KEY });
    expect(publisher.calls).toBe(1);
    expect(summary).toMatchObject({ published: 0, waiting: 0, failed: 0 });
    expect(summary.credentialsRefused).toMatchObject({ since: new Date(clock).toISOString(), until: new Date(clock + 15 * 60_000).toISOString(), fingerprint: KEY });
    expect(summary.credentialsRefused!.detail).toContain('refused the credentials');
    const [first, ...rest] = await store.listDeliveries();
    // The refused one keeps its place and its attempt, and says why it waits, as data.
    expect(first).toMatchObject({ state: 'queued', attempts: 0, wait: { kind: 'auth', until: new Date(clock + 15 * 60_000).toISOString() } });
    expect(first!.notBefore).toBeUndefined();
    for (const d of rest) expect(d.history.map((h) => h.event)).toEqual(['queued']);
  });

  it('are not tried again within the cool-down, even by another outbox on the same store (a restart)', async () => {
    await outbox.enqueue(makeItem(1), 'c1');
    publisher.failNext = [refused()];
    await outbox.publishDue(publisher, { credentials: KEY });
    clock += 60_000;
    const restarted = new Outbox(store, { owner: 'second', retry, log, now: () => clock, random: () => 1 });
    const summary = await restarted.publishDue(publisher, { credentials: KEY });
    expect(publisher.calls).toBe(1);
    expect(summary.credentialsRefused).toMatchObject({ since: new Date(clock - 60_000).toISOString() });
  });

  it('are tried again at once when the credentials change, and the back-off ends when they work', async () => {
    await outbox.enqueue(makeItem(1), 'c1');
    publisher.failNext = [refused()];
    await outbox.publishDue(publisher, { credentials: KEY });
    const summary = await outbox.publishDue(publisher, { credentials: 'fp-new' });
    expect(publisher.calls).toBe(2);
    expect(summary).toMatchObject({ published: 1 });
    expect(summary.credentialsRefused).toBeUndefined();
    expect((await only()).wait).toBeUndefined();
    // Working credentials clear the refusal of the old ones too: going back to those is not held against them.
    expect(await store.kv.get('channel:credentials-refused:c1')).toBeUndefined();
  });

  it('are tried once more after the cool-down; a second refusal keeps the first "since"', async () => {
    for (const n of [1, 2]) await outbox.enqueue(makeItem(n), 'c1');
    const firstAt = clock;
    publisher.failNext = [refused()];
    await outbox.publishDue(publisher, { credentials: KEY });
    clock += 15 * 60_000 + 1;
    publisher.failNext = [refused()];
    const again = await outbox.publishDue(publisher, { credentials: KEY });
    expect(publisher.calls).toBe(2);
    expect(again.credentialsRefused).toMatchObject({ since: new Date(firstAt).toISOString(), lastAt: new Date(clock).toISOString() });
    clock += 15 * 60_000 + 1;
    const recovered = await outbox.publishDue(publisher, { credentials: KEY });
    expect(recovered).toMatchObject({ published: 2 });
    expect(recovered.credentialsRefused).toBeUndefined();
    clock += 1;
    await outbox.enqueue(makeItem(3), 'c1');
    expect(await outbox.publishDue(publisher, { credentials: KEY })).toMatchObject({ published: 1 });
  });

  it('met while settling a crashed delivery stop the round before anything new is sent', async () => {
    const stuck = (await outbox.enqueue(makeItem(1), 'c1'))!;
    await store.saveDelivery({ ...stuck, state: 'publishing' });
    await outbox.enqueue(makeItem(2), 'c1');
    publisher.reconcileFailure = refused();
    const summary = await outbox.publishDue(publisher, { credentials: KEY });
    expect(summary.credentialsRefused).toBeDefined();
    expect(publisher.calls).toBe(0);
    expect((await store.getDelivery(stuck.id))!.state).toBe('publishing');
  });
});

describe('budget waits', () => {
  it('record what the delivery waits for as data, not only as words', async () => {
    await outbox.enqueue(makeItem(1), 'c1');
    publisher.failNext = [mustWait('rate', 'rate limited by the PDS', clock + 600_000)];
    expect(await outbox.publishDue(publisher)).toMatchObject({ waiting: 1 });
    expect((await only()).wait).toEqual({ kind: 'rate', until: new Date(clock + 600_000).toISOString() });
    clock += 600_000;
    await outbox.publishDue(publisher);
    expect(await only()).toMatchObject({ state: 'published' });
    expect((await only()).wait).toBeUndefined();
  });

  it("reads a wait stored under the old name 'rate-limit' as 'rate'", async () => {
    const d = (await outbox.enqueue(makeItem(1), 'c1'))!;
    const until = new Date(clock + 60_000).toISOString();
    await store.saveDelivery({ ...d, wait: { kind: 'rate-limit' as 'rate', until } });
    expect((await store.getDelivery(d.id))!.wait).toEqual({ kind: 'rate', until });
  });
});

describe('intake (dedup and backlog)', () => {
  const feed = [makeItem(5), makeItem(4), makeItem(3), makeItem(2), makeItem(1)];

  it('queues only the newest N on first sight, oldest of them first, and remembers the rest', async () => {
    const result = await intakeItems(store, outbox, 'garden', 'c1', feed, 2, () => clock);
    expect(result).toMatchObject({ queued: 2, skippedBacklog: 3, firstSight: true });
    expect((await store.listDeliveries()).map((d) => d.itemId)).toEqual(['item-4', 'item-5']);
    const again = await intakeItems(store, outbox, 'garden', 'c1', feed, 2, () => clock);
    expect(again).toMatchObject({ queued: 0, skippedBacklog: 0, firstSight: false });
  });

  it('after first sight, queues every new item whatever the backlog', async () => {
    await intakeItems(store, outbox, 'garden', 'c1', feed, 'none', () => clock);
    expect(await store.listDeliveries()).toHaveLength(0);
    const newer = [makeItem(7), makeItem(6), ...feed];
    expect(await intakeItems(store, outbox, 'garden', 'c1', newer, 'none', () => clock)).toMatchObject({ queued: 2 });
  });

  it('dedups per channel: a second channel gets its own first sight', async () => {
    await intakeItems(store, outbox, 'garden', 'c1', feed, 'all', () => clock);
    const second = await intakeItems(store, outbox, 'garden', 'c2', feed, 1, () => clock);
    expect(second).toMatchObject({ queued: 1, firstSight: true });
    expect((await store.countDeliveries('c1')).queued).toBe(5);
  });

  it('uses feed order when some items have no date', async () => {
    const undated = [makeItem(9, { publishedAt: undefined }), makeItem(3), makeItem(8)];
    await intakeItems(store, outbox, 'garden', 'c1', undated, 2, () => clock);
    expect((await store.listDeliveries()).map((d) => d.itemId)).toEqual(['item-3', 'item-9']);
  });

  it('refreshes a queued item that changed, and answers a published one with an update note (onUpdate: reply)', async () => {
    const v1 = [makeItem(1), makeItem(2)];
    await intakeItems(store, outbox, 'garden', 'c1', v1, 'all', () => clock, 'reply');
    await outbox.publishDue(publisher, { limit: 1 }); // item-1 goes out, item-2 stays queued
    const v2 = [makeItem(1, { summary: 'Corrected: the beds were watered at noon.' }), makeItem(2, { summary: 'Now with a new time.' })];
    const result = await intakeItems(store, outbox, 'garden', 'c1', v2, 'all', () => clock, 'reply');
    expect(result).toMatchObject({ queued: 0, updated: 2 });
    const all = await store.listDeliveries();
    const queued = all.find((d) => d.itemId === 'item-2')!;
    expect(queued).toMatchObject({ state: 'queued', item: { summary: 'Now with a new time.' } });
    const note = all.find((d) => d.replyTo)!;
    expect(note.item.title).toBe('Update: Garden note 1');
    expect(note.item.url).toBeUndefined();
    expect(note.replyTo).toBe(all.find((d) => d.itemId === 'item-1')!.id);
    // Seen again unchanged: nothing more.
    expect(await intakeItems(store, outbox, 'garden', 'c1', v2, 'all', () => clock, 'reply')).toMatchObject({ updated: 0, queued: 0 });
  });

  it('ignores changes by default', async () => {
    await intakeItems(store, outbox, 'garden', 'c1', [makeItem(1)], 'all', () => clock);
    await outbox.publishDue(publisher);
    expect(await intakeItems(store, outbox, 'garden', 'c1', [makeItem(1, { summary: 'changed' })], 'all', () => clock)).toMatchObject({ updated: 0 });
    expect(await store.listDeliveries()).toHaveLength(1);
  });

  it('takes an older release\'s content hash as a new baseline, not as an edit, then answers real edits again', async () => {
    const item = makeItem(1);
    // Per source, the key this mark has had since before the clean stage (article marks: tests/outbox/identity.test.ts).
    const intake = (items: Item[]) => intakeItems(store, outbox, 'garden', 'c1', items, 'all', () => clock, 'reply', false, 'per-source');
    await intake([item]);
    await outbox.publishDue(publisher);
    // A mark as the release before the clean stage wrote it: no scheme, a hash of differently cleaned text.
    const key = `seen:c1:garden:${item.id}`;
    const mark = (await store.kv.get(key)) as { firstSeenAt: string };
    await store.kv.set(key, { firstSeenAt: mark.firstSeenAt, contentHash: 'hash-of-the-old-cleaning' });
    expect(await intake([item])).toMatchObject({ updated: 0, queued: 0 });
    expect(await store.listDeliveries()).toHaveLength(1);
    const edited = makeItem(1, { summary: 'Corrected after the upgrade.', contentHash: 'edited' });
    expect(await intake([edited])).toMatchObject({ updated: 1 });
  });

  it('counts a thread found on the platform after a crash toward the channel pace', async () => {
    const pacer = new ChannelPacer(store.kv, 'c1', ScheduleSchema.parse({ maxPerDay: 1 }), () => clock);
    const d = (await outbox.enqueue(makeItem(1), 'c1'))!;
    await outbox.enqueue(makeItem(2), 'c1');
    await store.saveDelivery({ ...d, state: 'publishing', thread: publisher.compose(d.item) });
    publisher.reconcileAnswer = { status: 'published', posts: [{ id: 'p-a' }, { id: 'p-b' }] };
    expect(await outbox.publishDue(publisher, { pacer })).toMatchObject({ published: 0 });
    expect(publisher.sent).toEqual([]);
    expect((await store.getDelivery(d.id))!.state).toBe('published');
  });
});
