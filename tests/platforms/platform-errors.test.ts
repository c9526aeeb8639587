/**
 * The one error at the platform edge, from real answers: the X emulator and the real PDS refuse, limit
 * and drop requests, and each failure arrives as a PlatformError whose kind, HTTP status, platform code and
 * retry time come from the answer's fields. No credential appears in its text.
 */
import net from 'node:net';
import { AtpAgent } from '@atproto/api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PlatformError } from '../../src/core/errors.js';
import { classifyBlueskyError } from '../../src/platforms/bluesky/errors.js';
import { oauth1Client } from '../../src/platforms/x/client.js';
import { classifyXError } from '../../src/platforms/x/errors.js';
import { pdsClient } from '../support/pds/client.js';
import { startXEmulator, type XEmulator } from '../support/x-emulator/index.js';

const where = 'channel test';

async function failureOf(request: () => Promise<unknown>): Promise<unknown> {
  try {
    await request();
  } catch (err) {
    return err;
  }
  throw new Error('the request did not fail');
}

/** A port nothing listens on: bound, read, closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('X failures as data', () => {
  let x: XEmulator;
  beforeAll(async () => {
    x = await startXEmulator();
  });
  afterAll(() => x.stop());

  it('refused credentials: auth, 401, a wait for an operator, and no secret in the text', async () => {
    const user = x.addOAuth1User();
    const wrong = { ...user, accessSecret: 'not-the-secret-4f9a' };
    const err = classifyXError(await failureOf(() => oauth1Client(x.url, wrong).v2.me()), where, { mayHaveApplied: false });
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).fault).toMatchObject({ kind: 'auth', httpStatus: 401 });
    expect(err).toMatchObject({ kind: 'retryable', wait: 'auth' });
    expect(err.retryAt).toBeGreaterThan(Date.now());
    for (const secret of [wrong.accessSecret, user.appSecret, user.accessToken, user.appKey]) expect(err.message).not.toContain(secret);
  });

  it('a duplicate post: duplicate, 403, permanent', async () => {
    const user = x.addOAuth1User();
    const client = oauth1Client(x.url, user);
    await client.v2.tweet({ text: 'the same words twice' });
    const err = classifyXError(await failureOf(() => client.v2.tweet({ text: 'the same words twice' })), where, { mayHaveApplied: true });
    expect((err as PlatformError).fault).toMatchObject({ kind: 'duplicate', httpStatus: 403 });
    expect(err.kind).toBe('permanent');
  });

  it("a spent rate window: rate, 429, waiting until the window's reset", async () => {
    const user = x.addOAuth1User();
    x.injectFault({ route: 'POST /2/tweets', kind: 'rate-limit', userId: user.userId });
    const err = classifyXError(await failureOf(() => oauth1Client(x.url, user).v2.tweet({ text: 'too soon' })), where, { mayHaveApplied: true });
    const fault = (err as PlatformError).fault;
    expect(fault).toMatchObject({ kind: 'rate', httpStatus: 429 });
    expect(fault.retryAfter).toBeGreaterThan(Date.now() - 1000);
    expect(err).toMatchObject({ kind: 'retryable', wait: 'rate', retryAt: fault.retryAfter });
  });

  it('a 5xx after sending: transient, and ambiguous because the post may exist', async () => {
    const user = x.addOAuth1User();
    x.injectFault({ route: 'POST /2/tweets', kind: 'error-after', status: 503, userId: user.userId });
    const err = classifyXError(await failureOf(() => oauth1Client(x.url, user).v2.tweet({ text: 'maybe landed' })), where, { mayHaveApplied: true });
    expect((err as PlatformError).fault).toMatchObject({ kind: 'transient', httpStatus: 503 });
    expect(err.kind).toBe('ambiguous');
  });

  it('no answer at all: transient with the system code and no status, safe to send again', async () => {
    const user = x.addOAuth1User();
    const base = `http://127.0.0.1:${await closedPort()}`;
    const err = classifyXError(await failureOf(() => oauth1Client(base, user).v2.tweet({ text: 'never left' })), where, { mayHaveApplied: true });
    expect((err as PlatformError).fault).toEqual({ kind: 'transient', errno: 'ECONNREFUSED' });
    expect(err.kind).toBe('retryable');
    expect(err.detail).toBe('could not reach X (ECONNREFUSED)');
  });
});

describe('Bluesky failures as data', () => {
  const pds = pdsClient(inject('pdsUrl'));

  it("a refused login: auth, 401, the PDS's own code, and no password in the text", async () => {
    const account = await pds.createAccount('errors');
    const password = 'wrong-password-7c1e';
    const agent = new AtpAgent({ service: pds.url });
    const err = classifyBlueskyError(await failureOf(() => agent.login({ identifier: account.handle, password })), where);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).fault).toMatchObject({ kind: 'auth', httpStatus: 401, platformCode: 'AuthenticationRequired' });
    expect(err).toMatchObject({ kind: 'retryable', wait: 'auth' });
    expect(err.message).not.toContain(password);
    expect(err.message).not.toContain(account.appPassword);
  });

  it('a PDS that is not there: transient without a status', async () => {
    const agent = new AtpAgent({ service: `http://127.0.0.1:${await closedPort()}` });
    const err = classifyBlueskyError(await failureOf(() => agent.login({ identifier: 'nobody.test', password: 'x' })), where);
    expect((err as PlatformError).fault.kind).toBe('transient');
    expect((err as PlatformError).fault.httpStatus).toBeUndefined();
    expect(err.kind).toBe('retryable');
  });
});
