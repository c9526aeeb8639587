/**
 * Issue 4's fault acceptance: 100 items on a strict X emulator that faults about a fifth of all
 * post requests, in every way it can (latency, errors and resets before and after storing, 429s),
 * with a small rate window. Every thread must end complete exactly once, or uncertain with a reason —
 * never duplicated, never an orphan reply, never lost — and nothing may be sent into a spent window.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/platforms/config-schema.js';
import { XChannelSchema } from '../../../src/platforms/x/config.js';
import type { Delivery } from '../../../src/core/delivery.js';
import { Outbox } from '../../../src/outbox/outbox.js';
import { XPublisher } from '../../../src/platforms/x/publisher.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { startXEmulator, type FaultSpec, type XEmulator } from '../../support/x-emulator/index.js';
import { makeItem } from '../../support/items.js';
import { prng } from '../../support/prng.js';

const log = pino({ level: 'silent' });
const web = ConfigSchema.parse({}).web;
const KINDS: FaultSpec['kind'][] = ['latency', 'error-before', 'error-after', 'reset-before', 'reset-after', 'rate-limit'];


const words = ['harbour', 'library', 'garden', 'bridge', 'market', 'school', 'river', 'station', 'museum', 'park'];
function summaryFor(n: number, random: () => number): string {
  const sentences = 1 + Math.floor(random() * 7);
  return Array.from({ length: sentences }, (_, i) => `Item ${n} note ${i}: the ${words[(n + i) % words.length]} team shared an update about opening times and access.`).join(' ');
}

let x: XEmulator | undefined;
let store: SqliteStore | undefined;
afterEach(async () => {
  await x?.stop();
  await store?.close();
});

async function runFaultScenario(opts: { items: number; readAccess: boolean; seed: number }) {
  const random = prng(opts.seed);
  x = await startXEmulator({ postWindow: { limit: 50, windowMs: 2000 }, random });
  const user = x.addOAuth1User({ username: 'faulty' });
  for (const kind of KINDS) x.injectFault({ route: 'POST /2/tweets', kind, probability: 0.04, delayMs: 50 });
  store = new SqliteStore(':memory:');
  const outbox = new Outbox(store, { owner: 'test', retry: { maxAttempts: 30, baseDelayMs: 20, maxDelayMs: 200 }, log, random });
  const channel = XChannelSchema.parse({
    id: 'x', platform: 'x', apiBase: x.url, readAccess: opts.readAccess,
    // X's real 100 per 15 minutes would stop this test; the emulator's small window is what is under test.
    limits: { postsPer15Minutes: 10_000, postsPer24Hours: 100_000 },
    appKey: user.appKey, appSecret: user.appSecret, accessToken: user.accessToken, accessSecret: user.accessSecret,
  });
  const publisher = new XPublisher({ channel, web, store, log });
  for (let n = 0; n < opts.items; n++) await outbox.enqueue(makeItem(n, { summary: summaryFor(n, random), url: undefined }), 'x', { order: n });

  const deadline = Date.now() + 120_000;
  for (;;) {
    await outbox.publishDue(publisher);
    const open = await store.listDeliveries({ states: ['queued', 'failed', 'publishing'] });
    if (open.length === 0) break;
    if (Date.now() > deadline) {
      const sample = open.slice(0, 3).map((d) => `${d.state} ${d.notBefore ?? ''} ${d.reason ?? ''} ${JSON.stringify(d.history.slice(-3))}`);
      throw new Error(`${open.length} deliveries still open, e.g.\n${sample.join('\n')}`);
    }
    const next = Math.min(...open.map((d) => (d.notBefore ? Date.parse(d.notBefore) : Date.now())));
    await new Promise((r) => setTimeout(r, Math.max(10, Math.min(500, next - Date.now()))));
  }
  return { user, deliveries: await store.listDeliveries() };
}

function checkExactlyOnce(emulator: XEmulator, userId: string, deliveries: Delivery[]) {
  const stored = emulator.posts(userId);
  const byId = new Map(stored.map((p) => [p.id, p]));
  const counts = { published: 0, uncertain: 0 };
  for (const d of deliveries) {
    expect(['published', 'uncertain'], `${d.id}: ${d.state} ${d.reason ?? ''}`).toContain(d.state);
    const parts = d.thread!.parts.map((p) => p.text);
    if (d.state === 'uncertain') {
      counts.uncertain += 1;
      expect(d.reason, d.id).toBeTruthy();
      continue;
    }
    counts.published += 1;
    expect(d.posts).toHaveLength(parts.length);
    d.posts.forEach((post, i) => {
      if (post.id.startsWith('unknown')) return; // the last part, proven by X's duplicate refusal
      const onX = byId.get(post.id)!;
      expect(onX.text).toBe(parts[i]);
      expect(onX.inReplyTo).toBe(i === 0 ? undefined : d.posts[i - 1]!.id);
    });
  }
  // Every post on X is a part of exactly one delivery, and every reply answers the part before it.
  const partOwner = new Map<string, { d: Delivery; i: number }>();
  for (const d of deliveries) d.thread!.parts.forEach((p, i) => partOwner.set(p.text, { d, i }));
  const seen = new Set<string>();
  for (const post of stored) {
    const owner = partOwner.get(post.text);
    expect(owner, `post ${post.id} belongs to no delivery`).toBeDefined();
    expect(seen.has(post.text), `duplicate of ${post.text}`).toBe(false);
    seen.add(post.text);
    if (owner!.i === 0) expect(post.inReplyTo).toBeUndefined();
    else expect(byId.get(post.inReplyTo!)?.text, `orphan reply ${post.id}`).toBe(owner!.d.thread!.parts[owner!.i - 1]!.text);
  }
  return counts;
}

describe('X under faults', () => {
  it('100 items, ~20% faults of every kind, read access: every thread complete exactly once or uncertain with a reason', { timeout: 150_000 }, async () => {
    const { user, deliveries } = await runFaultScenario({ items: 100, readAccess: true, seed: 7 });
    expect(deliveries).toHaveLength(100);
    const counts = checkExactlyOnce(x!, user.userId, deliveries);
    const posts = x!.requests().filter((r) => r.method === 'POST' && r.path === '/2/tweets');
    const faulted = posts.filter((r) => r.fault);
    expect(faulted.length / posts.length).toBeGreaterThan(0.12);
    for (const kind of KINDS) expect(faulted.some((r) => r.fault?.includes(kind)), kind).toBe(true);
    expect(x!.requests().filter((r) => r.whileWindowKnownSpent)).toEqual([]);
    // With read access every unknown outcome can be settled.
    expect(counts).toEqual({ published: 100, uncertain: 0 });
  });

  it('without read access, settles by the duplicate answer and parks only what cannot be known', { timeout: 150_000 }, async () => {
    const { user, deliveries } = await runFaultScenario({ items: 40, readAccess: false, seed: 11 });
    const counts = checkExactlyOnce(x!, user.userId, deliveries);
    expect(counts.published + counts.uncertain).toBe(40);
    expect(counts.published).toBeGreaterThan(20);
    for (const d of deliveries.filter((d) => d.state === 'uncertain')) expect(d.reason).toMatch(/did not say its id|may exist|may or may not/);
    expect(x!.requests().filter((r) => r.whileWindowKnownSpent)).toEqual([]);
  });
});

describe('a store that fails to keep the rate headers after X took a post', () => {
  it('still counts the post as sent: published once, its money kept, nothing sent again', async () => {
    x = await startXEmulator();
    const user = x.addOAuth1User({ username: 'blip' });
    const failing = new SqliteStore(':memory:');
    store = failing;
    // The rate state's lease fails once, right after X has answered the post: the headers are not kept.
    let failNextLease = false;
    const acquire = failing.acquireLease.bind(failing);
    failing.acquireLease = async (name: string, owner: string, ttl: number, now: number) => {
      if (failNextLease && name.startsWith('x-rate:')) {
        failNextLease = false;
        throw new Error('redis store: no answer within 10000 ms (acquireLease)');
      }
      return acquire(name, owner, ttl, now);
    };
    const channel = XChannelSchema.parse({
      id: 'x', platform: 'x', apiBase: x.url, readAccess: false, monthlyBudgetUsd: 10,
      appKey: user.appKey, appSecret: user.appSecret, accessToken: user.accessToken, accessSecret: user.accessSecret,
    });
    const publisher = new XPublisher({ channel, web, store: failing, log });
    const gate = (publisher as unknown as { gate: { observe: (headers: unknown, now: number) => void } }).gate;
    const observe = gate.observe.bind(gate);
    gate.observe = (headers, now) => {
      observe(headers, now);
      failNextLease = true;
    };
    const outbox = new Outbox(failing, { owner: 'test', retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1 }, log });
    await outbox.enqueue(makeItem(1, { summary: 'A short note about the harbour opening times.', url: undefined }), 'x', { order: 0 });
    await outbox.publishDue(publisher);
    const [delivery] = await failing.listDeliveries();
    expect(delivery!.state).toBe('published');
    expect(x.posts(user.userId)).toHaveLength(1);
    expect(await failing.kv.get(`x:spend:x:${new Date().toISOString().slice(0, 7)}`)).toBeGreaterThan(0);
  });
});

describe('money given back across the end of a month', () => {
  it('goes back to the month it was taken from', async () => {
    x = await startXEmulator();
    const user = x.addOAuth1User({ username: 'midnight' });
    // X refuses the post with a 429, which surely stored nothing: the money reserved for it goes back.
    x.injectFault({ route: 'POST /2/tweets', kind: 'rate-limit', probability: 1 });
    store = new SqliteStore(':memory:');
    // Each reading of the clock moves it on a millisecond; the send starts a few readings before midnight, so the
    // money is taken in January and, read again, the clock says February by the time X has answered.
    const midnight = Date.UTC(2027, 1, 1);
    let clock = midnight - 3;
    const channel = XChannelSchema.parse({
      id: 'x', platform: 'x', apiBase: x.url, readAccess: false, monthlyBudgetUsd: 10,
      appKey: user.appKey, appSecret: user.appSecret, accessToken: user.accessToken, accessSecret: user.accessSecret,
    });
    const publisher = new XPublisher({ channel, web, store, log, now: () => clock++ });
    const outbox = new Outbox(store, { owner: 'test', retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, log });
    await outbox.enqueue(makeItem(1, { summary: 'A short note about the harbour opening times.', url: undefined }), 'x', { order: 0 });
    await outbox.publishDue(publisher);
    expect(x.posts(user.userId)).toHaveLength(0);
    expect(await store.kv.get('x:spend:x:2027-01')).toBe(0);
    expect((await store.kv.get('x:spend:x:2027-02')) ?? 0).toBe(0);
  });
});
