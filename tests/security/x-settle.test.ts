/**
 * Issue 13, point 8: an X thread whose part was sent but whose answer was lost (a process killed with
 * SIGKILL, a dropped connection) must not be left `uncertain` where X allows reading the account's posts:
 * a failing read is tried again, the search reaches further back than one page, and X's way of returning
 * a post's text does not hide it. Where X does not allow reading and the id truly cannot be known, the
 * reason tells the operator exactly what to do — and doing it finishes the thread exactly once.
 *
 * A SIGKILL after a part landed leaves the delivery `publishing` with the intent `{ pending: i }` and no
 * id for part i; `crashAfterSending` writes exactly that state (through the real store) and, when the part
 * "landed", posts it to the X stand-in with the account's own credentials, as the killed process did.
 */
import pino from 'pino';
import { TwitterApi } from 'twitter-api-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { XChannelSchema } from '../../src/platforms/x/config.js';
import type { ComposedThread, Delivery } from '../../src/core/delivery.js';
import type { Item } from '../../src/core/item.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { samePostText } from '../../src/platforms/x/post-text.js';
import { XPublisher } from '../../src/platforms/x/publisher.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { makeItem } from '../support/items.js';
import { emulatorClientSettings, startXEmulator, type XEmulator, type XEmulatorOptions } from '../support/x-emulator/index.js';

const log = pino({ level: 'silent' });
const web = ConfigSchema.parse({}).web;
const TIMELINE = 'GET /2/users/{id}/tweets';

let x: XEmulator | undefined;
let store: SqliteStore | undefined;
afterEach(async () => {
  await x?.stop();
  await store?.close();
  x = undefined;
  store = undefined;
});

/** Four sentences: too long for one post, so the thread has at least two parts. */
const threadItem = (n: number): Item =>
  makeItem(n, {
    title: `Council notice ${n}: road works on the harbour bridge`,
    summary: Array.from({ length: 4 }, (_, i) => `Notice ${n}, point ${i}: the harbour bridge closes to cars on weekday nights while the deck is resurfaced.`).join(' '),
  });

async function setup(opts: { emulator?: XEmulatorOptions; maxAttempts?: number; apiBase?: (url: string) => string } = {}) {
  x = await startXEmulator(opts.emulator);
  const emulator = x;
  const user = emulator.addOAuth1User({ username: 'townhall' });
  const db = new SqliteStore(':memory:');
  store = db;
  const outbox = new Outbox(db, { owner: 'test', retry: { maxAttempts: opts.maxAttempts ?? 8, baseDelayMs: 1, maxDelayMs: 5 }, log });
  const publisher = (readAccess: boolean) =>
    new XPublisher({
      channel: XChannelSchema.parse({
        id: 'x', platform: 'x', apiBase: opts.apiBase?.(emulator.url) ?? emulator.url, readAccess,
        appKey: user.appKey, appSecret: user.appSecret, accessToken: user.accessToken, accessSecret: user.accessSecret,
      }),
      web,
      store: db,
      log,
    });
  // The account itself, posting outside Threadcast (or the killed process, whose answer never came back).
  const account = new TwitterApi({ appKey: user.appKey, appSecret: user.appSecret, accessToken: user.accessToken, accessSecret: user.accessSecret }, emulatorClientSettings(emulator.url));

  /** The state SIGKILL leaves when it strikes after part 1 was sent: `publishing`, intent `{ pending: 0 }`, no posts. */
  async function crashAfterSending(item: Item, landed: boolean): Promise<{ id: string; thread: ComposedThread }> {
    const queued = (await outbox.enqueue(item, 'x'))!;
    const thread = publisher(false).compose(item);
    expect(thread.parts.length).toBeGreaterThan(1);
    const at = new Date().toISOString();
    await db.saveDelivery({ ...queued, state: 'publishing', thread, attempts: 1, intent: { pending: 0 }, updatedAt: at, history: [...queued.history, { at, event: 'publishing', detail: 'attempt 1' }] });
    if (landed) await account.v2.tweet({ text: thread.parts[0]!.text });
    return { id: queued.id, thread };
  }

  /** Publishes until nothing is due any more (retries are due within milliseconds here). */
  async function drain(p: XPublisher): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      await outbox.publishDue(p);
      const open = await db.listDeliveries({ states: ['queued', 'failed', 'publishing'] });
      if (open.length === 0) return;
      if (Date.now() > deadline) throw new Error(`still open: ${open.map((d) => `${d.state} ${d.reason ?? ''}`).join('; ')}`);
      const next = Math.min(...open.map((d) => (d.notBefore ? Date.parse(d.notBefore) : Date.now())));
      await new Promise((r) => setTimeout(r, Math.max(5, Math.min(200, next - Date.now()))));
    }
  }

  /** On X: every part once, part 1 a root post, each later part replying to the part before it. */
  function expectOnXOnce(thread: ComposedThread, delivery: Delivery): void {
    const posts = emulator.posts(user.userId);
    const ids = thread.parts.map((part) => {
      const copies = posts.filter((p) => p.text === part.text);
      expect(copies, part.text).toHaveLength(1);
      return copies[0]!.id;
    });
    ids.forEach((id, i) => expect(posts.find((p) => p.id === id)!.inReplyTo).toBe(i === 0 ? undefined : ids[i - 1]));
    expect(delivery.posts.map((p) => p.id)).toEqual(ids);
  }

  const delivery = async (id: string) => (await db.getDelivery(id))!;
  return { emulator, user, outbox, publisher, account, crashAfterSending, drain, expectOnXOnce, delivery };
}

const excerptOf = (text: string) => text.replace(/\s+/g, ' ').slice(0, 50);

describe('X with readAccess: a part in doubt settles by itself', () => {
  it('a read that fails once (connection dropped after part 1 was stored, then a 503 on the read) is read again, and the thread finishes', async () => {
    const s = await setup();
    const p = s.publisher(true);
    await s.outbox.enqueue(threadItem(1), 'x');
    s.emulator.injectFault({ route: 'POST /2/tweets', kind: 'reset-after', count: 1 });
    s.emulator.injectFault({ route: TIMELINE, kind: 'error-before', status: 503, count: 1 });
    await s.outbox.publishDue(p);
    const [first] = await (store as SqliteStore).listDeliveries();
    // Not parked for an operator: tried again, with the part in doubt still marked as such.
    expect(first!.state, first!.reason).toBe('failed');
    expect(first!.intent).toEqual({ pending: 0 });
    expect(first!.reason).toContain('reads again');
    await s.drain(p);
    const done = await s.delivery(first!.id);
    expect(done.state, done.reason).toBe('published');
    s.expectOnXOnce(done.thread!, done);
  });

  it('after a SIGKILL, a read that keeps failing ends dead with what to do; `threadcast retry` then finds the post and finishes', async () => {
    const s = await setup({ maxAttempts: 3 });
    const p = s.publisher(true);
    const { id } = await s.crashAfterSending(threadItem(2), true);
    s.emulator.injectFault({ route: TIMELINE, kind: 'reset-after', count: 2 });
    await s.drain(p);
    const dead = await s.delivery(id);
    expect(dead.state, dead.reason).toBe('dead');
    expect(dead.reason).toContain(`part 1 ("${excerptOf(dead.thread!.parts[0]!.text)}…")`);
    expect(dead.reason).toContain(`threadcast retry ${id}`);
    expect(dead.intent).toEqual({ pending: 0 });
    expect(s.emulator.posts(s.user.userId)).toHaveLength(1);

    s.emulator.clearFaults();
    await s.outbox.retry(id);
    await s.drain(p);
    const done = await s.delivery(id);
    expect(done.state, done.reason).toBe('published');
    s.expectOnXOnce(done.thread!, done);
  });

  it('a 429 on the read waits for the window instead of parking the delivery, and the thread then finishes', async () => {
    const s = await setup({ emulator: { postWindow: { limit: 100, windowMs: 1000 } } });
    const p = s.publisher(true);
    const { id } = await s.crashAfterSending(threadItem(3), true);
    s.emulator.injectFault({ route: TIMELINE, kind: 'rate-limit', count: 1 });
    await s.outbox.publishDue(p);
    const waiting = await s.delivery(id);
    expect(waiting.state, waiting.reason).toBe('queued');
    // The wait is a fact on the delivery (issue #16): its kind and until, not words to read back.
    expect(waiting.wait?.kind).toBe('rate');
    expect(Date.parse(waiting.wait!.until)).toBeGreaterThan(Date.now() - 60_000);
    expect(waiting.intent).toEqual({ pending: 0 });
    await s.drain(p);
    const done = await s.delivery(id);
    expect(done.state, done.reason).toBe('published');
    s.expectOnXOnce(done.thread!, done);
  });

  it('finds part 1 behind more than a page of newer posts instead of sending it again', async () => {
    const s = await setup();
    const p = s.publisher(true);
    const { id } = await s.crashAfterSending(threadItem(4), true);
    // The account posted 25 times since (by hand, or other threads on the same account).
    for (let n = 0; n < 25; n++) await s.account.v2.tweet({ text: `A note from the front desk, number ${n}.` });
    await s.drain(p);
    const done = await s.delivery(id);
    expect(done.state, done.reason).toBe('published');
    s.expectOnXOnce(done.thread!, done);
  });

  it('part 1 on X but beyond the search: not parked as "already posted" — the reason says to delete it and retry, which then posts the whole thread once', async () => {
    // X's real window (100 posts per 15 minutes) would stop the account's own 105 posts.
    const s = await setup({ maxAttempts: 2, emulator: { postWindow: { limit: 1000, windowMs: 15 * 60_000 } } });
    const p = s.publisher(true);
    const { id } = await s.crashAfterSending(threadItem(5), true);
    const lost = s.emulator.posts(s.user.userId)[0]!;
    for (let n = 0; n < 105; n++) await s.account.v2.tweet({ text: `A note from the front desk, number ${n}.` });
    await s.drain(p);
    const stuck = await s.delivery(id);
    expect(stuck.state, stuck.reason).toBe('dead');
    expect(stuck.reason).toContain(`part 1 ("${excerptOf(stuck.thread!.parts[0]!.text)}…")`);
    expect(stuck.reason).toContain(`delete that post on X and run \`threadcast retry ${id}\``);
    // The search is bounded: one attempt after the kill, two pages (20 + 80 posts), then no more reads.
    const reads = s.emulator.requests().filter((r) => r.method === 'GET' && r.path.endsWith('/tweets'));
    expect(reads.length).toBeLessThanOrEqual(2);

    s.emulator.deletePost(lost.id);
    await s.outbox.retry(id);
    await s.drain(p);
    const done = await s.delivery(id);
    expect(done.state, done.reason).toBe('published');
    s.expectOnXOnce(done.thread!, done);
  });
});

describe('X without readAccess: what cannot be known is explained', () => {
  it('after a SIGKILL with part 1 on X, the reason names the account, the text, the channel and the exact commands', async () => {
    const s = await setup();
    const { id, thread } = await s.crashAfterSending(threadItem(6), true);
    await s.drain(s.publisher(false));
    const parked = await s.delivery(id);
    expect(parked.state).toBe('uncertain');
    const reason = parked.reason!;
    expect(reason).toContain(`part 1 ("${excerptOf(thread.parts[0]!.text)}…")`);
    expect(reason).toContain('@townhall');
    expect(reason).toContain('set readAccess: true for channel x');
    expect(reason).toContain(`delete that post on X and run \`threadcast retry ${id}\` (it posts the whole thread again)`);
    expect(reason.split(`threadcast retry ${id}`)).toHaveLength(3);
    for (const secret of [s.user.appKey, s.user.appSecret, s.user.accessToken, s.user.accessSecret]) expect(reason).not.toContain(secret);
  });

  it('keeps a password written into apiBase (a gateway login) out of the reason', async () => {
    const s = await setup({ apiBase: (url) => url.replace('http://', 'http://gateway:gw-pass-4711@') });
    const { id } = await s.crashAfterSending(threadItem(11), true);
    await s.drain(s.publisher(false));
    const parked = await s.delivery(id);
    expect(parked.state).toBe('uncertain');
    expect(parked.reason).toContain('threadcast retry');
    expect(JSON.stringify(parked)).not.toContain('gw-pass-4711');
  });

  it('following the first way out (readAccess on, then retry) attaches the rest to the part already on X', async () => {
    const s = await setup();
    await s.crashAfterSending(threadItem(7), true);
    await s.drain(s.publisher(false));
    // A dropped connection after X stored part 1, in-process, parks the same way as the kill.
    await s.outbox.enqueue(threadItem(8), 'x');
    s.emulator.injectFault({ route: 'POST /2/tweets', kind: 'reset-after', count: 1 });
    await s.drain(s.publisher(false));
    const parked = await (store as SqliteStore).listDeliveries({ states: ['uncertain'] });
    expect(parked).toHaveLength(2);
    for (const d of parked) expect(d.reason).toContain(`set readAccess: true for channel x and run \`threadcast retry ${d.id}\``);

    for (const d of parked) await s.outbox.retry(d.id);
    await s.drain(s.publisher(true));
    for (const d of parked) {
      const done = await s.delivery(d.id);
      expect(done.state, done.reason).toBe('published');
      s.expectOnXOnce(done.thread!, done);
    }
  });

  it('following the second way out (delete the post on X, then retry) posts the whole thread once', async () => {
    const s = await setup();
    const { id } = await s.crashAfterSending(threadItem(9), true);
    const p = s.publisher(false);
    await s.drain(p);
    const parked = await s.delivery(id);
    expect(parked.state).toBe('uncertain');
    expect(parked.reason).toContain(`delete that post on X and run \`threadcast retry ${id}\``);
    s.emulator.deletePost(s.emulator.posts(s.user.userId)[0]!.id);
    await s.outbox.retry(id);
    await s.drain(p);
    const done = await s.delivery(id);
    expect(done.state, done.reason).toBe('published');
    s.expectOnXOnce(done.thread!, done);
  });

  it('a re-send that settles gets no clear answer (503): it is sent again on the next attempt, not parked', async () => {
    const s = await setup();
    const p = s.publisher(false);
    const { id } = await s.crashAfterSending(threadItem(10), false);
    s.emulator.injectFault({ route: 'POST /2/tweets', kind: 'error-before', status: 503, count: 1 });
    await s.outbox.publishDue(p);
    const first = await s.delivery(id);
    expect(first.state, first.reason).toBe('failed');
    expect(first.intent).toEqual({ pending: 0 });
    await s.drain(p);
    const done = await s.delivery(id);
    expect(done.state, done.reason).toBe('published');
    s.expectOnXOnce(done.thread!, done);
  });
});

describe("X's text for a post with media", () => {
  it('matches our text although X appends the media link, and only when the post has media', () => {
    const ours = 'Photo of the new bridge https://example.org/notes/1';
    const theirs = 'Photo of the new bridge https://t.co/AbCdEf1234 https://t.co/XyZ9876543';
    expect(samePostText(theirs, ours, { mediaLink: true })).toBe(true);
    expect(samePostText(theirs, ours)).toBe(false);
    expect(samePostText('Photo of the new bridge https://t.co/AbCdEf1234', ours, { mediaLink: true })).toBe(true);
    expect(samePostText('Photo of the old bridge https://t.co/AbCdEf1234 https://t.co/XyZ9876543', ours, { mediaLink: true })).toBe(false);
  });
});
