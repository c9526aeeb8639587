import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EUploadMimeType } from 'twitter-api-v2';
import { harness, oauth1Client, requestError, responseError, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h.emu.stop();
});
beforeEach(() => h.emu.clearFaults());

function newUser() {
  const creds = h.emu.addOAuth1User();
  return { creds, client: oauth1Client(h.emu, creds) };
}

describe('fault injection', () => {
  it('reset-after: the post IS stored although the client sees ECONNRESET', async () => {
    const { creds, client } = newUser();
    h.emu.injectFault({ route: 'POST /2/tweets', kind: 'reset-after' });
    const err = await requestError(client.v2.tweet('stored but unanswered'));
    expect(err.cause).toMatchObject({ code: 'ECONNRESET' });
    expect(h.emu.posts(creds.userId).map((p) => p.text)).toEqual(['stored but unanswered']);
    expect(h.emu.requests().at(-1)).toMatchObject({ fault: 'reset-after', status: 0, userId: creds.userId });
    // Retrying the same text is then a duplicate: exactly what a naive retry would hit on X.
    expect((await responseError(client.v2.tweet('stored but unanswered'))).code).toBe(403);
  });

  it('reset-before: nothing is stored', async () => {
    const { creds, client } = newUser();
    h.emu.injectFault({ route: 'POST /2/tweets', kind: 'reset-before' });
    const err = await requestError(client.v2.tweet('never stored'));
    expect(err.cause).toMatchObject({ code: 'ECONNRESET' });
    expect(h.emu.posts(creds.userId)).toEqual([]);
    await client.v2.tweet('never stored'); // the fault was used up; not a duplicate
  });

  it('error-after: 503 but the post is stored; error-before: 503 and nothing stored; custom status', async () => {
    const { creds, client } = newUser();
    h.emu.injectFault({ route: 'POST /2/tweets', kind: 'error-after' });
    const after = await responseError(client.v2.tweet('stored despite 503'));
    expect(after.code).toBe(503);
    expect(after.data).toMatchObject({ status: 503, title: 'Service Unavailable' });
    expect(h.emu.posts(creds.userId).map((p) => p.text)).toEqual(['stored despite 503']);

    h.emu.injectFault({ route: 'POST /2/tweets', kind: 'error-before', status: 500, count: 2 });
    expect((await responseError(client.v2.tweet('x1'))).code).toBe(500);
    expect((await responseError(client.v2.tweet('x2'))).code).toBe(500);
    await client.v2.tweet('x3');
    expect(h.emu.posts(creds.userId).map((p) => p.text)).toEqual(['stored despite 503', 'x3']);
  });

  it('latency delays the real answer', async () => {
    const { client } = newUser();
    h.emu.injectFault({ route: 'GET /2/users/me', kind: 'latency', delayMs: 300 });
    const t0 = Date.now();
    await client.v2.me();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    const t1 = Date.now();
    await client.v2.me();
    expect(Date.now() - t1).toBeLessThan(250);
  });

  it('rate-limit: a 429 like X with headers; the client has then been told the window is spent', async () => {
    const { creds, client } = newUser();
    h.emu.injectFault({ route: 'POST /2/tweets', kind: 'rate-limit' });
    const err = await responseError(client.v2.tweet('limited'));
    expect(err.code).toBe(429);
    expect(err.data).toEqual({ title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 });
    expect(err.headers['x-rate-limit-remaining']).toBe('0');
    expect(Number(err.headers['x-rate-limit-reset'])).toBeGreaterThan(Date.now() / 1000);
    expect(h.emu.posts(creds.userId)).toEqual([]);
    await client.v2.tweet('too early');
    expect(h.emu.requests().at(-1)).toMatchObject({ status: 201, whileWindowKnownSpent: true });
  });

  it('matches routes with path templates, wildcards and user filters', async () => {
    const a = newUser();
    const b = newUser();
    h.emu.injectFault({ route: 'POST /2/media/upload/{id}/append', kind: 'error-before' });
    expect((await responseError(a.client.v2.uploadMedia(Buffer.alloc(10), { media_type: EUploadMimeType.Png }))).code).toBe(503);
    h.emu.injectFault({ route: '*', kind: 'error-before', userId: b.creds.userId });
    await a.client.v2.me();
    expect((await responseError(b.client.v2.me())).code).toBe(503);
  });

  it('probability faults hit a share of requests', async () => {
    const { client } = newUser();
    h.emu.injectFault({ route: 'GET /2/users/me', kind: 'error-before', probability: 0.5 });
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => client.v2.me()));
    const failed = results.filter((r) => r.status === 'rejected').length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(35);
  });
});
