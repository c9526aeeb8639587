/**
 * The Bluesky adapter against the real PDS, driven through the outbox: limits enforced before any
 * request, and sessions that are resumed, refreshed and replaced only when the PDS refuses them.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { AtpSessionData } from '@atproto/api';
import { BlueskyChannelSchema } from '../../../src/platforms/bluesky/config.js';
import { ConfigSchema } from '../../../src/platforms/config-schema.js';
import { Outbox } from '../../../src/outbox/outbox.js';
import { BlueskyPublisher } from '../../../src/platforms/bluesky/publisher.js';
import { unseal } from '../../../src/store/sealed.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { pdsClient, type TestAccount } from '../../support/pds/client.js';
import { makeItem } from '../../support/items.js';

const pds = pdsClient(inject('pdsUrl'));
const log = pino({ level: 'silent' });
const web = ConfigSchema.parse({}).web;

let store: SqliteStore;
beforeEach(() => {
  store = new SqliteStore(':memory:');
});
afterEach(() => store.close());

function publisherFor(account: TestAccount) {
  const channel = BlueskyChannelSchema.parse({ id: 'bsky', platform: 'bluesky', service: pds.url, identifier: account.handle, password: account.appPassword, cards: false });
  return new BlueskyPublisher({ channel: { ...channel, identifier: account.handle, password: account.appPassword }, web, store, log });
}

const outboxFor = () => new Outbox(store, { owner: 'test', retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 }, log });

describe('Bluesky limits', () => {
  it('a part over 300 graphemes or 3000 bytes never reaches the PDS: the delivery is dead with the reason', async () => {
    const account = await pds.createAccount('limits');
    const publisher = publisherFor(account);
    const outbox = outboxFor();
    const tooManyGraphemes = 'a'.repeat(301);
    const tooManyBytes = '🧑🏽‍💻'.repeat(250); // 250 graphemes, 3750 bytes
    for (const [n, text] of [tooManyGraphemes, tooManyBytes].entries()) {
      const delivery = (await outbox.enqueue(makeItem(n), 'bsky'))!;
      // As if composed by another version, or altered in the store: the adapter checks again.
      await store.saveDelivery({ ...delivery, thread: { platform: 'bluesky', parts: [{ text: 'fine' }, { text }] } });
    }
    expect(await outbox.publishDue(publisher)).toMatchObject({ dead: 2, published: 0 });
    const reasons = (await store.listDeliveries({ states: ['dead'] })).map((d) => d.reason);
    expect(reasons).toEqual([
      expect.stringContaining('part 2 has 301 graphemes and 301 bytes; Bluesky allows 300 and 3000'),
      expect.stringContaining('part 2 has 250 graphemes and 3750 bytes'),
    ]);
    expect(await pds.requests('com.atproto.repo.applyWrites', { did: account.did })).toHaveLength(0);
    expect(await pds.requests('com.atproto.repo.createRecord', { did: account.did })).toHaveLength(0);
    expect(await pds.count('com.atproto.server.createSession', { did: account.did })).toBe(0);
  });

  it('counts graphemes as compose does: what compose fitted, the PDS takes; one more cluster, and the reason gives the count', async () => {
    const account = await pds.createAccount('clusters');
    const publisher = publisherFor(account);
    const outbox = outboxFor();
    // Clusters that are several code units and code points each: naive counts would be far over 300.
    const clusters = ['👩‍👩‍👧‍👦', '🇺🇦', 'e\u0301\u0323', '\u1100\u1161\u11a8', '1️⃣'];
    const summary = Array.from({ length: 400 }, (_, i) => clusters[i % clusters.length]!.repeat(1 + (i % 3))).join(' ');
    await outbox.enqueue(makeItem(1, { summary, url: undefined }), 'bsky');
    const over = `${'\u1100\u1161\u11a8'.repeat(100)}${'\r\n'.repeat(100)}${'e\u0301'.repeat(101)}`; // 301 graphemes, 1 203 code units
    const delivery = (await outbox.enqueue(makeItem(2), 'bsky'))!;
    await store.saveDelivery({ ...delivery, thread: { platform: 'bluesky', parts: [{ text: over }] } });

    expect(await outbox.publishDue(publisher)).toMatchObject({ published: 1, dead: 1 });
    const [published] = await store.listDeliveries({ states: ['published'] });
    const fitted = published!.thread!.parts.map((p) => p.text);
    expect(fitted.length).toBeGreaterThan(1);
    const records = (await pds.listRecords<{ text: string; createdAt: string }>(account.did, 'app.bsky.feed.post')).sort((a, b) => a.value.createdAt.localeCompare(b.value.createdAt));
    expect(records.map((r) => r.value.text)).toEqual(fitted);
    const [dead] = await store.listDeliveries({ states: ['dead'] });
    expect(dead!.reason).toContain(`part 1 has 301 graphemes and ${Buffer.byteLength(over)} bytes; Bluesky allows 300 and 3000`);
  });
});

describe('Bluesky sessions', () => {
  it('stores the session sealed, so neither the app password nor the tokens are readable in the store', async () => {
    const account = await pds.createAccount('sealed');
    const outbox = outboxFor();
    await outbox.enqueue(makeItem(1), 'bsky');
    expect(await outbox.publishDue(publisherFor(account))).toMatchObject({ published: 1 });
    const stored = JSON.stringify(await store.kv.get('bluesky:session:bsky'));
    const session = unseal<AtpSessionData>(await store.kv.get('bluesky:session:bsky'), account.appPassword, 'bluesky:session:bsky')!;
    expect(session.did).toBe(account.did);
    expect(stored).not.toContain(session.accessJwt);
    expect(stored).not.toContain(session.refreshJwt);
    expect(stored).not.toContain(account.appPassword);
  });

  it('logs in anew only when the PDS refuses the stored session', async () => {
    const account = await pds.createAccount('refused');
    const outbox = outboxFor();
    await outbox.enqueue(makeItem(1), 'bsky');
    await outbox.publishDue(publisherFor(account));
    // A fresh publisher (a restart) resumes: no new login.
    await outbox.enqueue(makeItem(2), 'bsky');
    await outbox.publishDue(publisherFor(account));
    expect(await pds.count('com.atproto.server.createSession', { did: account.did })).toBe(1);

    // Revoke the stored session on the PDS, as a password change or "log out everywhere" would.
    const session = unseal<AtpSessionData>(await store.kv.get('bluesky:session:bsky'), account.appPassword, 'bluesky:session:bsky')!;
    const revoked = await fetch(`${pds.url}/xrpc/com.atproto.server.deleteSession`, { method: 'POST', headers: { authorization: `Bearer ${session.refreshJwt}` } });
    expect(revoked.status).toBe(200);

    await outbox.enqueue(makeItem(3), 'bsky');
    expect(await outbox.publishDue(publisherFor(account))).toMatchObject({ published: 1 });
    expect(await pds.count('com.atproto.server.createSession', { did: account.did })).toBe(2);
  });

  it('a stored session refused on a write is an ordinary retry with one new login, not refused credentials', async () => {
    const account = await pds.createAccount('stale');
    let clock = Date.now();
    const outbox = new Outbox(store, { owner: 'test', retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 }, log, now: () => clock });
    await outbox.enqueue(makeItem(1), 'bsky');
    expect(await outbox.publishDue(publisherFor(account))).toMatchObject({ published: 1 });
    await outbox.enqueue(makeItem(2), 'bsky');
    // The restarted publisher resumes the stored session (which refreshes it) ...
    const restarted = publisherFor(account);
    expect(await restarted.checkAccount()).toMatchObject({ ok: true, detail: expect.stringContaining('resumed the stored session') });
    // ... which the PDS then refuses on the write, and its refresh with it, as a revoked session. (A refresh the PDS
    // granted would have the agent send the write again at once, with the new token, within the same attempt.)
    await pds.fault({ method: 'com.atproto.repo.applyWrites', mode: 'before', status: 401, did: account.did, body: { error: 'AuthRequired', message: 'Token has been revoked' } });
    await pds.fault({ method: 'com.atproto.server.refreshSession', mode: 'before', status: 400, did: account.did, body: { error: 'ExpiredToken', message: 'Token has been revoked' } });
    const refused = await outbox.publishDue(restarted, { credentials: 'same' });
    expect(refused).toMatchObject({ failed: 1, waiting: 0 });
    expect(refused.credentialsRefused).toBeUndefined();
    clock += 2_000;
    expect(await outbox.publishDue(restarted, { credentials: 'same' })).toMatchObject({ published: 1 });
    expect(await pds.count('com.atproto.server.createSession', { did: account.did })).toBe(2);
  });
});
