/**
 * The Mastodon kit against the strict stand-in (tests/support/mastodon-standin), driven through the real outbox
 * and store: threads by in_reply_to_id, one status per part even across crashes (Idempotency-Key, reading back),
 * images with alt text, rate limits and refused tokens as data, and the instance's own limits.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../../src/core/errors.js';
import { Outbox } from '../../../src/outbox/outbox.js';
import { composeForChannel } from '../../../src/platforms/compose-for-channel.js';
import { ConfigSchema } from '../../../src/platforms/config-schema.js';
import { composeWithLimits, type MastodonPart } from '../../../src/platforms/mastodon/compose.js';
import { MastodonChannelSchema, type MastodonChannelConfig } from '../../../src/platforms/mastodon/config.js';
import { mastodonKit } from '../../../src/platforms/mastodon/kit.js';
import { MastodonPublisher } from '../../../src/platforms/mastodon/publisher.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { makeItem } from '../../support/items.js';
import { startMastodonStandin, type MastodonStandin, type StandinAccount, type StandinOptions } from '../../support/mastodon-standin/index.js';

const log = pino({ level: 'silent' });
const web = { ...ConfigSchema.parse({}).web, allowPrivateHosts: [] };

const sentences = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `Sentence ${i + 1} of the ${tag} note tells readers one more detail about the river walk and the new bridge.`).join(' ');

let standin: MastodonStandin;
let store: SqliteStore;
let clock: number;
const outbox = (logger = log) => new Outbox(store, { owner: 'test', retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 }, log: logger, now: () => clock });

async function start(opts: StandinOptions = {}) {
  standin = await startMastodonStandin(opts);
}
beforeEach(() => {
  store = new SqliteStore(':memory:');
  clock = Date.now();
});
afterEach(async () => {
  store.close();
  await standin?.stop();
});

function channel(account: Pick<StandinAccount, 'token'>, extra: Record<string, unknown> = {}): MastodonChannelConfig {
  return MastodonChannelSchema.parse({ id: 'masto', platform: 'mastodon', instance: standin.url, accessToken: account.token, template: { maxParts: 3 }, ...extra });
}

function publisherFor(account: Pick<StandinAccount, 'token'>, extra: Record<string, unknown> = {}, logger = log): MastodonPublisher {
  return new MastodonPublisher({ channel: { ...channel(account, extra), accessToken: account.token }, web, store, log: logger });
}

/** The account's statuses, checked to be one thread: each replying to the one before. */
function thread(account: StandinAccount) {
  const statuses = standin.statusesOf(account.id);
  statuses.forEach((s, i) => expect(s.inReplyToId).toBe(i === 0 ? null : statuses[i - 1]!.id));
  return statuses;
}

describe('Mastodon threads', () => {
  it('posts a thread of 3 parts in reply order, with visibility, language and content warning, as composed', async () => {
    await start();
    const account = standin.addAccount('river');
    // Built as run builds it: the kit's factory.
    const publisher = await mastodonKit.createPublisher(channel(account, { visibility: 'unlisted', language: 'de', spoilerText: 'River walk' }), { web, store, log });
    const box = outbox();
    await box.enqueue(makeItem(1, { summary: sentences(12, 'first'), language: 'en-GB' }), 'masto');
    expect(await box.publishDue(publisher)).toMatchObject({ published: 1 });

    const [delivery] = await store.listDeliveries({ states: ['published'] });
    const statuses = thread(account);
    expect(statuses).toHaveLength(3);
    expect(statuses.map((s) => s.text)).toEqual(delivery!.thread!.parts.map((p) => p.text));
    expect(delivery!.posts.map((p) => p.id)).toEqual(statuses.map((s) => s.id));
    expect(delivery!.posts[0]!.url).toBe(`${standin.url}/@river/${statuses[0]!.id}`);
    for (const s of statuses) expect(s).toMatchObject({ visibility: 'unlisted', language: 'en', spoilerText: 'River walk' });
    // Every part carried its own key.
    const keys = standin.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/statuses').map((r) => r.idempotencyKey);
    expect(new Set(keys).size).toBe(3);
    expect(standin.violations).toEqual([]);
  });

  it('a crash after a part was sent, before it was recorded: the retry sends it with the same Idempotency-Key and gets the first status back', async () => {
    await start();
    // Without read:statuses the retry cannot read the account's statuses: only the key can keep it from posting twice.
    const account = standin.addAccount('keyed', ['write:statuses', 'write:media', 'read:accounts']);
    const publisher = publisherFor(account);
    const box = outbox();
    await box.enqueue(makeItem(2, { summary: sentences(12, 'second') }), 'masto');
    standin.requests.length = 0;
    // Part 2 is applied, and then the connection drops: as if the process died before recording it.
    standin.loseAnswerOf(2);
    const first = await box.publishDue(publisher);
    expect(first).toMatchObject({ failed: 1 });
    const [failed] = await store.listDeliveries({ states: ['failed'] });
    expect(failed!.posts).toHaveLength(1);
    expect(standin.statusesOf(account.id)).toHaveLength(2);

    clock += 60_000;
    expect(await box.publishDue(publisher)).toMatchObject({ published: 1 });
    const statuses = thread(account);
    expect(statuses).toHaveLength(3);
    const [published] = await store.listDeliveries({ states: ['published'] });
    expect(published!.posts.map((p) => p.id)).toEqual(statuses.map((s) => s.id));
    // Part 2 went twice, with one key, and the instance answered the status it had made the first time.
    const creates = standin.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/statuses');
    expect(creates.map((r) => r.status)).toEqual([200, 0, 200, 200]);
    expect(creates[2]!.idempotencyKey).toBe(creates[1]!.idempotencyKey);
    expect(creates[3]!.idempotencyKey).not.toBe(creates[1]!.idempotencyKey);
    expect(standin.requests.filter((r) => r.path === `/api/v1/accounts/${account.id}/statuses`).map((r) => r.status)).toEqual([403]);
    expect(standin.violations).toEqual([]);
  });

  it('reconciles a delivery left mid-publish by reading the account statuses: the parts that landed are found, none sent again', async () => {
    await start();
    const account = standin.addAccount('reader');
    const publisher = publisherFor(account);
    const box = outbox();
    await box.enqueue(makeItem(3, { summary: sentences(12, 'third') }), 'masto');
    // The last part lands, its answer is lost.
    standin.loseAnswerOf(3);
    expect(await box.publishDue(publisher)).toMatchObject({ failed: 1 });
    const [failed] = await store.listDeliveries({ states: ['failed'] });
    expect(failed!.posts).toHaveLength(2);
    // As a process killed during that request leaves it: still publishing, with its plan.
    await store.saveDelivery({ ...failed!, state: 'publishing' });
    const before = standin.requests.filter((r) => r.method === 'POST').length;

    await box.reconcileInFlight(publisher);
    const [published] = await store.listDeliveries({ states: ['published'] });
    const statuses = thread(account);
    expect(statuses).toHaveLength(3);
    expect(published!.posts.map((p) => p.id)).toEqual(statuses.map((s) => s.id));
    expect(standin.requests.filter((r) => r.method === 'POST')).toHaveLength(before);
    expect(standin.requests.some((r) => r.path === `/api/v1/accounts/${account.id}/statuses`)).toBe(true);
    expect(standin.violations).toEqual([]);
  });
});

describe('Mastodon images', () => {
  it('uploads images with their alt text as description, waits out the 202 processing, and attaches them to part 1 only', async () => {
    await start({ mediaProcessingPolls: 2 });
    const account = standin.addAccount('photos');
    const dir = mkdtempSync(path.join(tmpdir(), 'tc-masto-'));
    const files = await Promise.all(
      ['red', 'blue'].map(async (color, i) => {
        const file = path.join(dir, `${color}.png`);
        writeFileSync(file, await sharp({ create: { width: 40 + i, height: 30, channels: 3, background: color } }).png().toBuffer());
        return file;
      }),
    );
    const publisher = new MastodonPublisher({ channel: { ...channel(account), accessToken: account.token }, web, store, log, mediaPoll: { intervalMs: 10, timeoutMs: 5000 } });
    const box = outbox();
    await box.enqueue(makeItem(4, { summary: sentences(8, 'photo'), images: [{ url: files[0]!, alt: 'A red square on a page' }, { url: files[1]!, alt: 'A blue square' }] }), 'masto');
    expect(await box.publishDue(publisher)).toMatchObject({ published: 1 });

    const statuses = thread(account);
    expect(statuses.length).toBeGreaterThan(1);
    expect(statuses[0]!.mediaIds).toHaveLength(2);
    expect(statuses.slice(1).every((s) => s.mediaIds.length === 0)).toBe(true);
    expect(statuses[0]!.mediaIds.map((m) => standin.mediaById(m)!.description)).toEqual(['A red square on a page', 'A blue square']);
    const uploads = standin.requests.filter((r) => r.path === '/api/v2/media');
    expect(uploads.map((r) => r.status)).toEqual([202, 202]);
    for (const m of statuses[0]!.mediaIds) {
      expect(standin.requests.filter((r) => r.path === `/api/v1/media/${m}`).map((r) => r.status)).toEqual([206, 206, 200]);
    }
    expect(standin.violations).toEqual([]);
  });
});

describe('Mastodon refusals as data', () => {
  it('a 429 makes the delivery wait until X-RateLimit-Reset, as a structured wait', async () => {
    await start({ statusWindow: { limit: 2, windowMs: 10 * 60_000 } });
    const account = standin.addAccount('busy');
    const box = outbox();
    await box.enqueue(makeItem(5, { summary: sentences(12, 'busy') }), 'masto');
    const publisher = publisherFor(account);
    const failure = await publisher.publish((await store.listDeliveries({}))[0]!, publisher.compose(makeItem(5, { summary: sentences(12, 'busy') })), {
      log,
      recordPost: async () => undefined,
      saveIntent: async () => undefined,
    }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(PlatformError);
    const refused = standin.requests.find((r) => r.status === 429)!;
    expect(refused).toBeDefined();
    const fault = (failure as PlatformError).fault;
    expect(fault).toMatchObject({ kind: 'rate', httpStatus: 429 });
    expect((failure as PlatformError).wait).toBe('rate');
    expect(fault.retryAfter).toBeGreaterThan(Date.now() + 9 * 60_000);

    // Through the outbox: the delivery waits, with kind and time as fields.
    const other = standin.addAccount('busy2');
    const busy = publisherFor(other);
    expect(await box.publishDue(busy)).toMatchObject({ waiting: 1 });
    const [waiting] = await store.listDeliveries({});
    expect(waiting!.wait!.kind).toBe('rate');
    expect(Date.parse(waiting!.wait!.until)).toBeGreaterThan(Date.now() + 9 * 60_000);
    // The window is remembered: the next attempt waits without asking the instance.
    const posts = standin.requests.filter((r) => r.method === 'POST').length;
    clock = Date.parse(waiting!.wait!.until) - 1000;
    await store.saveDelivery({ ...waiting!, notBefore: undefined });
    expect(await box.publishDue(busy)).toMatchObject({ waiting: 1 });
    expect(standin.requests.filter((r) => r.method === 'POST')).toHaveLength(posts);
    expect(standin.violations).toEqual([]);
  });

  it('a refused token (401) is an auth wait for the channel, and doctor says credentials', async () => {
    await start();
    const box = outbox();
    await box.enqueue(makeItem(6), 'masto');
    const publisher = publisherFor({ token: 'not-a-token' });
    const summary = await box.publishDue(publisher);
    expect(summary.credentialsRefused).toBeDefined();
    const [waiting] = await store.listDeliveries({});
    expect(waiting!.wait!.kind).toBe('auth');
    expect(standin.statusesOf('any')).toEqual([]);
    const check = await publisher.checkAccount();
    expect(check).toMatchObject({ ok: false, problem: 'credentials' });
    expect(JSON.stringify(check)).not.toContain('not-a-token');

    const account = standin.addAccount('doctor');
    expect(await publisherFor(account).checkAccount()).toMatchObject({ ok: true, account: `@doctor@${new URL(standin.url).host}` });
    expect(standin.violations).toEqual([]);
  });
});

describe('Mastodon instance limits', () => {
  /** A logger whose warnings the test reads. */
  function recordingLog() {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    return { logger, warnings: () => lines.filter((l) => l.level === 40) };
  }

  it('posts the thread exactly as composed (as preview showed it) when the instance allows more than the channel composes for', async () => {
    await start({ maxCharacters: 1000 });
    const account = standin.addAccount('roomy');
    const item = makeItem(7, { summary: sentences(12, 'roomy') });
    const { logger, warnings } = recordingLog();
    const publisher = publisherFor(account, {}, logger);
    const box = outbox(logger);
    await box.enqueue(item, 'masto');
    const previewed = composeForChannel(item, channel(account));
    expect(previewed.parts[0]).toMatchObject({ limit: 500, urlWeight: 23 });
    expect(await box.publishDue(publisher)).toMatchObject({ published: 1 });

    const [delivery] = await store.listDeliveries({ states: ['published'] });
    expect(delivery!.thread).toEqual(previewed);
    expect(thread(account).map((s) => s.text)).toEqual(previewed.parts.map((p) => p.text));
    expect(warnings()).toEqual([]);
    // The channel may compose for the instance's whole room: fewer, longer statuses.
    const wide = composeForChannel(item, channel(account, { maxCharacters: 1000 })).parts as MastodonPart[];
    expect(wide.length).toBeLessThan(previewed.parts.length);
    expect(Math.max(...wide.map((p) => p.characters))).toBeGreaterThan(500);
    expect(standin.violations).toEqual([]);
  });

  it("composes again for the instance's limits before any part is posted when it allows less, keeps that thread in the plan, and warns to set maxCharacters", async () => {
    await start({ maxCharacters: 300 });
    const account = standin.addAccount('narrow');
    const item = makeItem(8, { summary: sentences(12, 'narrow') });
    const { logger, warnings } = recordingLog();
    const publisher = publisherFor(account, {}, logger);
    const box = outbox(logger);
    await box.enqueue(item, 'masto');
    expect(await box.publishDue(publisher)).toMatchObject({ published: 1 });

    const narrow = composeWithLimits(item, channel(account).template, { maxCharacters: 300, charactersReservedPerUrl: 23 }, undefined);
    const statuses = thread(account);
    expect(statuses.map((s) => s.text)).toEqual(narrow.map((p) => p.text));
    expect(statuses.map((s) => s.text)).not.toEqual(composeForChannel(item, channel(account)).parts.map((p) => p.text));
    const [delivery] = await store.listDeliveries({ states: ['published'] });
    expect(delivery!.intent).toMatchObject({ texts: narrow.map((p) => p.text) });
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ composedFor: 500, instanceMaxCharacters: 300 });
    expect(String(warnings()[0]!.msg)).toContain('set maxCharacters: 300 on channel masto');
    // Asked once, kept in the store: another publisher on the same store does not ask again.
    const asked = standin.requests.filter((r) => r.path === '/api/v2/instance').length;
    expect(asked).toBe(1);
    await box.enqueue(makeItem(9, { summary: sentences(3, 'short') }), 'masto');
    expect(await box.publishDue(publisherFor(account, {}, logger))).toMatchObject({ published: 1 });
    expect(standin.requests.filter((r) => r.path === '/api/v2/instance')).toHaveLength(asked);
    expect(standin.violations).toEqual([]);
  });

  it("doctor's probe names the account and the instance's limits, and advises maxCharacters when the channel's differs", async () => {
    await start({ maxCharacters: 1000 });
    const account = standin.addAccount('probe');
    const host = new URL(standin.url).host;
    const off = await publisherFor(account).checkAccount();
    expect(off).toMatchObject({ ok: true, account: `@probe@${host}`, advice: expect.stringContaining('set maxCharacters: 1000 on channel masto') });
    expect((off as { detail: string }).detail).toContain('the instance allows 1000 characters a status (a URL counts 23)');
    const set = await publisherFor(account, { maxCharacters: 1000 }).checkAccount();
    expect(set).toMatchObject({ ok: true, account: `@probe@${host}` });
    expect(set).not.toHaveProperty('advice');
    expect(standin.violations).toEqual([]);
  });
});

describe('the stand-in itself', () => {
  it('refuses a request the OpenAPI document does not allow, and flags an answer that does not match it', async () => {
    await start();
    const account = standin.addAccount('strict');
    const post = (body: unknown) =>
      fetch(`${standin.url}/api/v1/statuses`, { method: 'POST', headers: { authorization: `Bearer ${account.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Each request the document does not allow is refused, and says why.
    const refusedFor = async (request: () => Promise<Response>, why: string) => {
      standin.violations.length = 0;
      expect((await request()).status).toBe(422);
      expect(standin.violations).toContainEqual(expect.stringContaining(why));
    };
    await refusedFor(() => post({ status: 'Hello', visibility: 'everyone' }), 'body/visibility must be equal to one of the allowed values');
    await refusedFor(() => post({ status: 'Hello', content_warning: 'CW' }), 'body property content_warning is not in the document');
    await refusedFor(() => post({ status: 'Hello', in_reply_to_id: 7 }), 'body/in_reply_to_id must be string');
    await refusedFor(
      () => fetch(`${standin.url}/api/v1/statuses`, { method: 'POST', headers: { authorization: `Bearer ${account.token}` }, body: new URLSearchParams({ status: 'Hello' }) }),
      'application/x-www-form-urlencoded body is not in the document',
    );
    await refusedFor(() => fetch(`${standin.url}/api/v1/accounts/${account.id}/statuses?limit=many`, { headers: { authorization: `Bearer ${account.token}` } }), 'query limit must be integer');
    await refusedFor(() => fetch(`${standin.url}/api/v1/accounts/${account.id}/statuses?sort=new`, { headers: { authorization: `Bearer ${account.token}` } }), 'query parameter sort is not in the document');
    standin.violations.length = 0;
    expect(standin.statusesOf(account.id)).toEqual([]);

    const { checkResponse } = await import('../../support/mastodon-standin/openapi.js');
    const good = (await (await post({ status: 'Hello' })).json()) as Record<string, unknown>;
    expect(checkResponse({ method: 'POST', template: '/api/v1/statuses', status: 200, headers: {}, body: good })).toEqual([]);
    const { account: _dropped, ...withoutAccount } = good;
    expect(checkResponse({ method: 'POST', template: '/api/v1/statuses', status: 200, headers: {}, body: withoutAccount }).length).toBeGreaterThan(0);
    expect(checkResponse({ method: 'POST', template: '/api/v1/statuses', status: 200, headers: { 'x-ratelimit-reset': 'soon' }, body: good })).toEqual([expect.stringContaining('X-RateLimit-Reset')]);
    expect(checkResponse({ method: 'POST', template: '/api/v1/statuses', status: 418, headers: {}, body: good })).toEqual([expect.stringContaining('418')]);
    standin.violations.length = 0;
  });
});
