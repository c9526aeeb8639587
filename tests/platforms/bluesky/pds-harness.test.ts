/**
 * Proves the real-PDS test harness (tests/support/pds) works: a real @atproto/pds on 127.0.0.1,
 * request accounting, and the three fault modes.
 */
import net from 'node:net';
import os from 'node:os';
import { AtpAgent } from '@atproto/api';
import { TID } from '@atproto/common-web';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { pdsClient, type TestAccount } from '../../support/pds/client.js';

const POST = 'app.bsky.feed.post';
const pds = pdsClient(inject('pdsUrl'));

let alice: TestAccount;
let agent: AtpAgent;

function post(text: string): Record<string, unknown> {
  return { $type: POST, text, createdAt: new Date().toISOString() };
}

/** An applyWrites create with a client-chosen rkey, as the Bluesky adapter sends threads. */
function applyCreate(a: AtpAgent, text: string, rkey = TID.nextStr()) {
  return {
    rkey,
    call: (signal?: AbortSignal) =>
      a.com.atproto.repo.applyWrites(
        {
          repo: a.assertDid,
          writes: [{ $type: 'com.atproto.repo.applyWrites#create', collection: POST, rkey, value: post(text) }],
        },
        { signal },
      ),
  };
}

async function rejection(p: Promise<unknown>): Promise<Error & { status?: number; error?: string; headers?: Record<string, string> }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  alice = await pds.createAccount('alice');
  agent = new AtpAgent({ service: pds.url });
  await agent.login({ identifier: alice.handle, password: alice.appPassword });
});

describe('real PDS on 127.0.0.1', () => {
  it('serves on a loopback URL and creates accounts with app passwords', async () => {
    expect(new URL(pds.url).hostname).toBe('127.0.0.1');
    expect(alice.did).toMatch(/^did:plc:/);
    expect(alice.handle).toMatch(/^alice-[0-9a-f]{6}\.test$/);
    expect(alice.appPassword).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
    // The session is an app-password session, and the DID document points the agent back at the harness.
    expect(agent.session?.did).toBe(alice.did);
    expect(agent.pdsUrl?.origin).toBe(new URL(pds.url).origin);
    const repo = await pds.describeRepo(alice.did);
    expect(repo.handle).toBe(alice.handle);
  });

  it('listens on 127.0.0.1 only (harness, PDS app and PLC)', async () => {
    const health = await pds.health();
    expect(health.booted).toBe(true);
    const ports = [new URL(pds.url).port, health.pdsAddress?.port, health.plcAddress?.port].map(Number);
    expect(health.pdsAddress?.address).toBe('127.0.0.1');
    expect(health.plcAddress?.address).toBe('127.0.0.1');
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
    for (const port of ports) {
      expect(port).toBeGreaterThan(0);
      if (external) expect(await canConnect(external, port)).toBe(false);
      expect(await canConnect('127.0.0.1', port)).toBe(true);
    }
  });

  it('creates a post with createRecord and reads it back with getRecord', async () => {
    const res = await agent.com.atproto.repo.createRecord({ repo: alice.did, collection: POST, record: post('hello, PDS') });
    expect(res.data.validationStatus).toBe('valid');
    const rkey = res.data.uri.split('/').pop()!;
    const rec = await pds.getRecord<{ text: string }>(alice.did, POST, rkey);
    expect(rec?.cid).toBe(res.data.cid);
    expect(rec?.value.text).toBe('hello, PDS');
    const recorded = await pds.requests('com.atproto.repo.createRecord', { did: alice.did });
    expect(recorded.at(-1)).toMatchObject({ reachedPds: true, status: 200, body: { record: { text: 'hello, PDS' } } });
  });

  it('counts exactly one createSession per login', async () => {
    const before = await pds.count('com.atproto.server.createSession', { did: alice.did });
    await pds.login(alice);
    expect(await pds.count('com.atproto.server.createSession', { did: alice.did })).toBe(before + 1);
    await pds.login(alice);
    const counts = await pds.counts({ did: alice.did });
    expect(counts['com.atproto.server.createSession']?.total).toBe(before + 2);
    expect(counts['com.atproto.server.createSession']?.byStatus['200']).toBe(before + 2);
  });

  it('refuses a post of 301 graphemes with 400 (real lexicon validation)', async () => {
    const err = await rejection(
      agent.com.atproto.repo.createRecord({ repo: alice.did, collection: POST, record: post('é'.repeat(301)) }),
    );
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/grapheme.*301/);
    expect((await pds.counts({ did: alice.did }))['com.atproto.repo.createRecord']?.byStatus['400']).toBeGreaterThanOrEqual(1);
    // 300 is fine.
    await expect(
      agent.com.atproto.repo.createRecord({ repo: alice.did, collection: POST, record: post('é'.repeat(300)) }),
    ).resolves.toBeTruthy();
  });
});

describe('fault injection', () => {
  it('before: answers 429 with ratelimit headers and the PDS never sees the write', async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 60);
    await pds.fault({
      method: 'com.atproto.repo.applyWrites',
      mode: 'before',
      status: 429,
      headers: { 'ratelimit-reset': reset, 'ratelimit-remaining': '0' },
      did: alice.did,
    });
    const w = applyCreate(agent, 'never lands');
    const err = await rejection(w.call());
    expect(err.status).toBe(429);
    expect(err.error).toBe('RateLimitExceeded');
    expect(err.headers?.['ratelimit-reset']).toBe(reset);

    expect(await pds.getRecord(alice.did, POST, w.rkey)).toBeNull();
    const texts = (await pds.listRecords<{ text: string }>(alice.did, POST)).map((r) => r.value.text);
    expect(texts).not.toContain('never lands');
    const recorded = (await pds.requests('com.atproto.repo.applyWrites', { did: alice.did })).at(-1);
    expect(recorded).toMatchObject({ reachedPds: false, status: 429, pdsStatus: null, fault: 'before' });
    expect(recorded?.body).toMatchObject({ writes: [{ rkey: w.rkey, value: { text: 'never lands' } }] });

    // The fault was for one request only.
    const again = applyCreate(agent, 'lands');
    await again.call();
    expect(await pds.getRecord(alice.did, POST, again.rkey)).not.toBeNull();
  });

  it('after: the write is committed although the client gets a 500', async () => {
    await pds.fault({ method: 'com.atproto.repo.applyWrites', mode: 'after', status: 500, did: alice.did });
    const w = applyCreate(agent, 'committed despite 500');
    const err = await rejection(w.call());
    expect(err.status).toBe(500);
    const rec = await pds.getRecord<{ text: string }>(alice.did, POST, w.rkey);
    expect(rec?.value.text).toBe('committed despite 500');
    const recorded = (await pds.requests('com.atproto.repo.applyWrites', { did: alice.did })).at(-1);
    expect(recorded).toMatchObject({ reachedPds: true, pdsStatus: 200, status: 500, fault: 'after' });
  });

  it('after with status 0: the socket is destroyed after the write is committed', async () => {
    await pds.fault({ method: 'com.atproto.repo.applyWrites', mode: 'after', status: 0, did: alice.did });
    const w = applyCreate(agent, 'committed, connection reset');
    await expect(w.call()).rejects.toThrow();
    expect(await pds.getRecord(alice.did, POST, w.rkey)).not.toBeNull();
    const c = (await pds.counts({ did: alice.did }))['com.atproto.repo.applyWrites'];
    expect(c?.byStatus['0']).toBe(1);
  });

  it('hold: the record is readable before the delayed answer arrives', async () => {
    await pds.fault({ method: 'com.atproto.repo.applyWrites', mode: 'hold', delayMs: 1500, did: alice.did });
    const w = applyCreate(agent, 'held answer');
    const started = Date.now();
    let settled = false;
    const call = w.call().finally(() => {
      settled = true;
    });
    const rec = await pds.waitForRecord<{ text: string }>(alice.did, POST, w.rkey, { timeoutMs: 1200 });
    expect(rec.value.text).toBe('held answer');
    expect(settled).toBe(false);
    const res = await call;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(res.data.results?.[0]).toMatchObject({ cid: rec.cid });
  });

  it('hold: a client that gives up never sees the answer, but the write is committed', async () => {
    const fault = await pds.fault({ method: 'com.atproto.repo.applyWrites', mode: 'hold', delayMs: 30_000, did: alice.did });
    const w = applyCreate(agent, 'client gave up');
    const ac = new AbortController();
    const call = w.call(ac.signal);
    await pds.waitForRecord(alice.did, POST, w.rkey);
    expect((await pds.faults({ did: alice.did })).find((f) => f.id === fault.id)?.held).toBe(1);
    ac.abort();
    await expect(call).rejects.toThrow();
    expect(await pds.release(fault.id)).toBe(1);
    expect(await pds.faults({ did: alice.did })).toEqual([]);
  });

  it('faults scoped to another account leave this one alone', async () => {
    const bob = await pds.createAccount('bob');
    await pds.fault({ method: '*', mode: 'before', status: 502, did: bob.did });
    const w = applyCreate(agent, 'not bob');
    await w.call();
    expect(await pds.getRecord(alice.did, POST, w.rkey)).not.toBeNull();
    const bobAgent = await rejection(pds.login(bob));
    expect(bobAgent.status).toBe(502);
    expect(await pds.count('com.atproto.server.createSession', { did: bob.did, status: 502 })).toBe(1);
    await pds.clearFaults({ did: bob.did });
  });
});

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 1000 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}
