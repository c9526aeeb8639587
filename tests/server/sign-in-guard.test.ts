/**
 * The page from the two-command start: with no THREADCAST_API_TOKEN and the server on loopback, `run` makes up a
 * token for this start and prints a sign-in URL; the page takes the token from it once and drops it from the
 * address bar. A configured token is never printed, and a server reachable from other hosts never makes one up.
 */
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseApiToken, isLoopbackHost } from '../../src/server/api-token.js';
import { CHROMIUM_PATH, launchBrowser } from '../support/browser.js';
import { tempDir, writeFile } from '../support/cli.js';
import { until } from '../support/wait.js';
import { api, newToken, startServer, VIEWPORT, type RunningServer } from './editor-page-helpers.js';

describe('chooseApiToken', () => {
  it.each(['127.0.0.1', '127.8.9.10', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('makes up a token on loopback %s', (host) => {
    const first = chooseApiToken({}, host);
    const second = chooseApiToken({}, host);
    expect(isLoopbackHost(host)).toBe(true);
    expect(first.kind).toBe('generated');
    expect(first.kind === 'generated' && first.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // Random each start: no token can be guessed from an earlier one.
    expect(first.kind === 'generated' && second.kind === 'generated' && first.token !== second.token).toBe(true);
  });

  it.each(['0.0.0.0', '::', '192.168.1.20', '10.0.0.1', 'example.org', '::ffff:10.0.0.1', '128.0.0.1'])('never makes one up on %s, reachable from other hosts', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
    expect(chooseApiToken({}, host)).toEqual({ kind: 'off', problem: 'unset', detail: `THREADCAST_API_TOKEN is not set and server.host ${host} is reachable from other hosts` });
  });

  it('takes a configured token as it is, and refuses a short one even on loopback', () => {
    expect(chooseApiToken({ THREADCAST_API_TOKEN: ' 0123456789abcdef ' }, '0.0.0.0')).toEqual({ kind: 'configured', token: '0123456789abcdef' });
    expect(chooseApiToken({ THREADCAST_API_TOKEN: 'short' }, '127.0.0.1')).toMatchObject({ kind: 'off', problem: 'too-short' });
  });
});

function config(dir: string): string {
  return writeFile(
    dir,
    'threadcast.yaml',
    `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { format: json }
server: { port: 0 }
sources: []
channels:
  - id: bsky
    platform: bluesky
`,
  );
}

/** The sign-in URL from the log of `run`, or undefined. */
const signInUrlIn = (stderr: string) => /sign in at (http:\/\/\S+)/.exec(stderr)?.[1];

describe('threadcast run without THREADCAST_API_TOKEN, on loopback', { timeout: 90_000 }, () => {
  let server: RunningServer;
  let browser: Browser | undefined;
  let signIn: URL;

  beforeAll(async () => {
    const dir = tempDir('threadcast-sign-in-');
    [server, browser] = await Promise.all([startServer(config(dir), dir, {}, ''), CHROMIUM_PATH ? launchBrowser() : undefined]);
    signIn = new URL(await until('the sign-in URL in the log', async () => signInUrlIn(server.stderr()), 10_000));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (server) expect(await server.stop()).toBe(0);
  }, 30_000);

  it('prints a sign-in URL on the page address whose token opens the API', async () => {
    expect(`${signIn.origin}/`).toBe(server.baseUrl);
    const token = signIn.searchParams.get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const line = server.stderr().split('\n').find((l) => l.includes('sign in at'))!;
    expect(JSON.parse(line).msg).toContain('a one-time token for this start');

    expect((await api(server, 'GET', '/api/channels', undefined, { token })).status).toBe(200);
    const without = await api<{ error: string }>(server, 'GET', '/api/channels', undefined, { token: null });
    expect(without.status).toBe(401);
    expect(without.body.error).toBe('a bearer token is required: open the sign-in URL printed when threadcast started, or set THREADCAST_API_TOKEN and restart');
    const wrong = await api<{ error: string }>(server, 'GET', '/api/channels', undefined, { token: newToken() });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatch(/^the token is not valid: open the sign-in URL/);
  });

  it.skipIf(!CHROMIUM_PATH)('signs the page in from the URL once, and drops the token from the address bar and history', async () => {
    const context = await browser!.newContext({ viewport: VIEWPORT });
    try {
      const page = await context.newPage();
      await page.goto(signIn.toString());
      await page.getByTestId('app').waitFor({ state: 'visible', timeout: 15_000 });
      expect(await page.getByTestId('token-section').isHidden()).toBe(true);
      expect(page.url()).toBe(server.baseUrl);
      // The entry was replaced, not added to: back leads to where the tab was before, forward to the bare address.
      await page.goBack();
      expect(page.url()).toBe('about:blank');
      await page.goForward();
      expect(page.url()).toBe(server.baseUrl);
      // The tab keeps it as it keeps a typed token: a reload stays signed in, with nothing in the URL.
      await page.reload();
      await page.getByTestId('app').waitFor({ state: 'visible', timeout: 15_000 });
      expect(page.url()).toBe(server.baseUrl);
    } finally {
      await context.close();
    }
  });
});

describe('threadcast run with THREADCAST_API_TOKEN', { timeout: 90_000 }, () => {
  it('never prints the configured token, nor a sign-in URL', async () => {
    const dir = tempDir('threadcast-sign-in-set-');
    const token = newToken();
    const server = await startServer(config(dir), dir, {}, token);
    try {
      expect((await api(server, 'GET', '/api/channels')).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(`${server.stdout()}${server.stderr()}`).not.toContain(token);
    expect(signInUrlIn(server.stderr())).toBeUndefined();
  });
});
