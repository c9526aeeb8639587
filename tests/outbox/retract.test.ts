/**
 * Retracting a published thread (issue 18, point 7), through the real outbox and store, against each platform's
 * test server: the X stand-in, the Mastodon stand-in and the real PDS. Every part is deleted, the History says so
 * once, a retract cut short is finished by the next one, and what cannot be retracted is refused with the reason.
 */
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { ChannelConfig } from '../../src/config/schema.js';
import type { Delivery } from '../../src/core/delivery.js';
import { EditorError } from '../../src/core/errors.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { BlueskyChannelSchema } from '../../src/platforms/bluesky/config.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { DryRunPublisher } from '../../src/platforms/dry-run.js';
import { kitFor } from '../../src/platforms/index.js';
import { MastodonChannelSchema } from '../../src/platforms/mastodon/config.js';
import { XChannelSchema } from '../../src/platforms/x/config.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { makeItem } from '../support/items.js';
import { startMastodonStandin, type MastodonStandin } from '../support/mastodon-standin/index.js';
import { pdsClient } from '../support/pds/client.js';
import { startXEmulator, type XEmulator } from '../support/x-emulator/index.js';

const log = pino({ level: 'silent' });
const web = ConfigSchema.parse({}).web;
const pds = pdsClient(inject('pdsUrl'));

// Long enough for three parts on every platform; each thread's own words, since X refuses a duplicate text.
const longItem = (n: number) =>
  makeItem(n, { summary: Array.from({ length: 9 }, (_, i) => `Sentence ${i + 1} of note ${n} tells readers one more detail about the river walk and the new bridge opening.`).join(' ') });

let x: XEmulator;
let mastodon: MastodonStandin;
let store: SqliteStore;
beforeAll(async () => {
  x = await startXEmulator();
  mastodon = await startMastodonStandin();
});
afterAll(async () => {
  await x.stop();
  await mastodon.stop();
});
beforeEach(() => {
  store = new SqliteStore(':memory:');
});
afterEach(() => store.close());

const outbox = () => new Outbox(store, { owner: 'test', retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 }, log });
const configFor = (channel: ChannelConfig) => ({ channels: [channel], dryRun: false, web });

function xChannel(): ChannelConfig {
  const user = x.addOAuth1User();
  return XChannelSchema.parse({ id: 'x', platform: 'x', apiBase: x.url, appKey: user.appKey, appSecret: user.appSecret, accessToken: user.accessToken, accessSecret: user.accessSecret, template: { maxParts: 3 } });
}

function mastodonChannel(): ChannelConfig {
  const account = mastodon.addAccount(`retract${Math.random().toString(36).slice(2, 8)}`);
  return MastodonChannelSchema.parse({ id: 'masto', platform: 'mastodon', instance: mastodon.url, accessToken: account.token, template: { maxParts: 3 } });
}

/** Publishes one long item on the channel with its kit's own publisher; the published delivery. */
async function published(channel: ChannelConfig, n: number): Promise<Delivery> {
  const box = outbox();
  const queued = (await box.enqueue(longItem(n), channel.id))!;
  const publisher = await kitFor(channel).createPublisher(channel, { web, store, log });
  expect(await box.publishDue(publisher)).toMatchObject({ published: 1 });
  const delivery = (await store.getDelivery(queued.id))!;
  expect(delivery.posts.length).toBeGreaterThanOrEqual(2);
  return delivery;
}

const events = (d: Delivery) => d.history.map((h) => h.event);

describe('retract on X (the X stand-in)', () => {
  it('deletes every part with DELETE /2/tweets/:id and records it in the History once', async () => {
    const channel = xChannel();
    const delivery = await published(channel, 1);
    const ids = delivery.posts.map((p) => p.id);
    expect(x.posts().filter((p) => ids.includes(p.id))).toHaveLength(ids.length);

    const done = await outbox().retract(delivery.id, configFor(channel));
    expect(done.state).toBe('retracted');
    expect(x.posts().filter((p) => ids.includes(p.id))).toEqual([]);
    const deletes = x.requests().filter((r) => r.method === 'DELETE');
    // The last part first: no reply is left under a deleted post.
    expect(deletes.map((r) => r.path)).toEqual([...ids].reverse().map((id) => `/2/tweets/${id}`));
    expect(deletes.every((r) => r.status === 200)).toBe(true);
    expect(events(done).slice(-2)).toEqual(['retracting', 'retracted']);
    expect(done.history.at(-1)!.detail).toBe(`${ids.length} post(s) deleted`);
    expect(await store.getDelivery(delivery.id)).toEqual(done);
  });

  it('a retract whose answer was lost, then one refused half-way, is finished by the next; retracted is recorded once', async () => {
    const channel = xChannel();
    const delivery = await published(channel, 2);
    const ids = delivery.posts.map((p) => p.id);
    // The last part is deleted, but its answer never arrives (the connection drops, as in a crash of the link).
    x.injectFault({ route: 'DELETE /2/tweets/{id}', kind: 'reset-after' });
    const cut = await outbox().retract(delivery.id, configFor(channel));
    expect(cut.state).toBe('retracting');
    expect(cut.reason).toMatch(/^retract failed: /);
    expect(x.posts().map((p) => p.id)).not.toContain(ids.at(-1));
    expect(x.posts().filter((p) => ids.includes(p.id))).toHaveLength(ids.length - 1);

    // The next one: the already-deleted last part answers 404 (gone, not a failure); then X fails the one after.
    x.injectFault({ route: `DELETE /2/tweets/${ids.at(-2)}`, kind: 'error-before', status: 503 });
    const refused = await outbox().retract(delivery.id, configFor(channel));
    expect(refused.state).toBe('retracting');
    expect(x.requests().filter((r) => r.method === 'DELETE').map((r) => r.status).slice(-2)).toEqual([404, 503]);

    const done = await outbox().retract(delivery.id, configFor(channel));
    expect(done.state).toBe('retracted');
    expect(done.reason).toBeUndefined();
    expect(x.posts().filter((p) => ids.includes(p.id))).toEqual([]);
    expect(done.history.at(-1)!.detail).toBe(`${ids.length - 1} post(s) deleted, 1 already gone`);
    expect(events(done).filter((e) => e === 'retracted')).toHaveLength(1);

    // Once retracted, a retract is refused with the reason, and the History is left as it was.
    const before = x.requests().length;
    await expect(outbox().retract(delivery.id, configFor(channel))).rejects.toThrow(new EditorError('conflict', `delivery ${delivery.id} cannot be retracted: it was retracted already`));
    expect(x.requests()).toHaveLength(before);
    expect((await store.getDelivery(delivery.id))!.history).toEqual(done.history);
  });

  it('refuses a part without an X post id before deleting anything', async () => {
    const channel = xChannel();
    const delivery = await published(channel, 3);
    const posts = [...delivery.posts.slice(0, -1), { id: 'unknown (X confirmed it by refusing a duplicate)' }];
    await store.saveDelivery({ ...delivery, posts });
    const before = x.posts().length;
    await expect(outbox().retract(delivery.id, configFor(channel))).rejects.toThrow(/part \d+ has no X post id \(unknown \(X confirmed it by refusing a duplicate\)\); delete the thread on x\.com/);
    expect(x.posts()).toHaveLength(before);
    expect((await store.getDelivery(delivery.id))!.state).toBe('published');
  });
});

describe('retract on Mastodon (the Mastodon stand-in)', () => {
  it('deletes every status with DELETE /api/v1/statuses/:id, as the API document allows', async () => {
    const channel = mastodonChannel();
    const delivery = await published(channel, 4);
    const ids = delivery.posts.map((p) => p.id);
    const done = await outbox().retract(delivery.id, configFor(channel));
    expect(done.state).toBe('retracted');
    for (const id of ids) expect(mastodon.findStatus(id)).toBeUndefined();
    const deletes = mastodon.requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => [r.path, r.status])).toEqual([...ids].reverse().map((id) => [`/api/v1/statuses/${id}`, 200]));
    expect(mastodon.violations).toEqual([]);
  });

  it('a status deleted by hand counts as gone', async () => {
    const channel = mastodonChannel();
    const delivery = await published(channel, 5);
    mastodon.removeStatus(mastodon.findStatus(delivery.posts[0]!.id)!, false);
    const done = await outbox().retract(delivery.id, configFor(channel));
    expect(done.state).toBe('retracted');
    expect(done.history.at(-1)!.detail).toBe(`${delivery.posts.length - 1} post(s) deleted, 1 already gone`);
    expect(mastodon.violations).toEqual([]);
  });
});

describe('retract on Bluesky (the real PDS)', () => {
  it('deletes every record of the thread in one applyWrites, and a second retract after a lost answer finishes it', async () => {
    const account = await pds.createAccount('retract');
    const channel = BlueskyChannelSchema.parse({ id: 'bsky', platform: 'bluesky', service: pds.url, identifier: account.handle, password: account.appPassword, cards: false, template: { maxParts: 3 } });
    const delivery = await published(channel, 6);
    const posts = () => pds.listRecords(account.did, 'app.bsky.feed.post');
    expect((await posts()).map((r) => r.uri).sort()).toEqual(delivery.posts.map((p) => p.id).sort());

    // The commit is applied, but its answer is lost: the retract stays open.
    await pds.fault({ method: 'com.atproto.repo.applyWrites', mode: 'after', status: 0, did: account.did });
    const cut = await outbox().retract(delivery.id, configFor(channel));
    expect(cut.state).toBe('retracting');
    expect(await posts()).toEqual([]);

    const done = await outbox().retract(delivery.id, configFor(channel));
    expect(done.state).toBe('retracted');
    expect(done.history.at(-1)!.detail).toBe(`0 post(s) deleted, ${delivery.posts.length} already gone`);
    const commits = (await pds.requests('com.atproto.repo.applyWrites', { did: account.did })).map((r) => r.body as { writes: Array<{ $type: string; rkey: string }> });
    // One commit publishing, one deleting every part; none for the records already gone.
    expect(commits).toHaveLength(2);
    expect(commits[1]!.writes.map((w) => w.$type)).toEqual(delivery.posts.map(() => 'com.atproto.repo.applyWrites#delete'));
    expect(commits[1]!.writes.map((w) => w.rkey)).toEqual(delivery.posts.map((p) => p.id.split('/').pop()).reverse());
    expect(events(done).filter((e) => e === 'retracted')).toHaveLength(1);
  });
});

describe('what cannot be retracted', () => {
  it('a dry run: nothing was posted, and the refusal says so', async () => {
    const channel = xChannel();
    const box = outbox();
    const queued = (await box.enqueue(longItem(7), channel.id))!;
    await box.publishDue(new DryRunPublisher(channel, new PassThrough()));
    await expect(box.retract(queued.id, configFor(channel))).rejects.toThrow(/it was a dry run, so nothing was posted and there is nothing to delete/);
    expect((await store.getDelivery(queued.id))!.state).toBe('published');
  });

  it('a thread that has not gone out, and a channel that may not post now', async () => {
    const channel = xChannel();
    const box = outbox();
    const held = (await box.enqueue(longItem(8), channel.id, { held: true }))!;
    await expect(box.retract(held.id, configFor(channel))).rejects.toThrow(/it is held; only a published thread can be retracted/);
    const delivery = await published(channel, 9);
    await expect(box.retract(delivery.id, { ...configFor(channel), dryRun: true })).rejects.toThrow(/channel x may not reach X now \(dryRun is set for all channels\)/);
    await expect(box.retract('nope', configFor(channel))).rejects.toThrow(new EditorError('not-found', 'no delivery with id nope'));
  });
});
