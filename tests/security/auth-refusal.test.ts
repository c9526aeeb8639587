/**
 * Issue #13, point 5: refused credentials must not look like success, and must not spend the account's
 * login budget (Bluesky: about 30 createSession calls per 5 minutes) one delivery at a time. Against the
 * real PDS, with a wrong app password: one login per round at most, none while the back-off holds, one
 * again as soon as the credentials change; `once`, /readyz (readiness) and `status` all say so.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App } from '../../src/app/app.js';
import { readiness } from '../../src/server/health.js';
import { loadConfigFile, parseConfigText } from '../../src/platforms/config-schema.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { runCli, tempDir, writeFile } from '../support/cli.js';
import { pdsClient, type TestAccount } from '../support/pds/client.js';
import { startWebsite, type Website } from '../support/website.js';

const pds = pdsClient(inject('pdsUrl'));
const WRONG = 'wxyz-wxyz-wxyz-wxyz';
const LOGIN = 'com.atproto.server.createSession';

let site: Website;
beforeAll(async () => {
  site = await startWebsite([
    { slug: 'one', title: 'Pool opens on Monday', summary: 'The outdoor pool opens for the season.' },
    { slug: 'two', title: 'Road works on Elm Street', summary: 'One lane is closed this week.' },
    { slug: 'three', title: 'Library hours change', summary: 'The library opens at nine from now on.' },
  ]);
});
afterAll(() => site.close());

function configText(dir: string): string {
  return `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: info, format: json }
web:
  allowPrivateHosts: ['127.0.0.1']
sources:
  - id: site
    feed: ${site.feedUrl}
    backlog: all
channels:
  - id: bsky
    platform: bluesky
    service: ${pds.url}
    identifier: \${BLUESKY_IDENTIFIER}
    password: \${BLUESKY_APP_PASSWORD}
    cards: false
`;
}

describe('refused Bluesky credentials, through the CLI', { timeout: 180_000 }, () => {
  let account: TestAccount;
  let dir: string;
  let config: string;
  const env = (password: string) => ({ BLUESKY_IDENTIFIER: account.handle, BLUESKY_APP_PASSWORD: password });
  const once = (password: string) => runCli(['--config', config, 'once'], { cwd: dir, env: env(password), timeoutMs: 120_000 });
  const status = (password: string, ...args: string[]) => runCli(['--config', config, 'status', ...args], { cwd: dir, env: env(password) });
  const logins = () => pds.count(LOGIN, { did: account.did });
  const ready = async (password: string) => {
    const store = new SqliteStore(path.join(dir, 'state.sqlite'));
    try {
      return await readiness(loadConfigFile(config, env(password)).config, store);
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    account = await pds.createAccount('refused');
    dir = tempDir('threadcast-auth-');
    config = writeFile(dir, 'threadcast.yaml', configText(dir));
  });

  it('a round with every login refused fails, logs in once for three items, and leaves the queue as it was', async () => {
    const result = await once(WRONG);
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/channel bsky: FAILED — credentials refused since \S+; not tried again before \S+ unless they change: .*refused the credentials \(401/);
    expect(result.stdout).toContain('3 still queued (3 due now)');
    expect(await logins()).toBe(1);
    expect(await pds.listRecords(account.did, 'app.bsky.feed.post')).toHaveLength(0);
    expect(result.stdout + result.stderr).not.toContain(WRONG);
  });

  it('/readyz says the channel is not ready: its credentials were refused, and what to fix', async () => {
    const result = await ready(WRONG);
    expect(result.ready).toBe(false);
    const check = result.checks.find((c) => c.name === 'channel bsky')!;
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(/^credentials refused by the platform since \S+ \(last at \S+\): .*refused the credentials \(401/);
    expect(check.detail).toContain('fix: create a new app password');
    expect(check.detail).not.toContain(WRONG);
  });

  it('status has a line for the channel: refused since when, backing off until when', async () => {
    const text = await status(WRONG);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {2}credentials refused since (\S+) \(last at \S+\); backing off until (\S+) \(sooner when they change\): .*refused the credentials/m);
    expect(text.stdout).toMatch(/^ {2}fix: create a new app password/m);
    const json = JSON.parse((await status(WRONG, '--json')).stdout);
    const refusal = json.channels[0].credentialsRefused;
    // A 15-minute cool-down, as the PDS error said it (its clock read a moment before the outbox's).
    const coolDown = Date.parse(refusal.until) - Date.parse(refusal.lastAt);
    expect(coolDown).toBeGreaterThan(14 * 60_000);
    expect(coolDown).toBeLessThanOrEqual(15 * 60_000);
    expect(json.channels[0].waiting).toMatchObject({ reason: 'auth', until: refusal.until });
    expect(JSON.stringify(json)).not.toContain(WRONG);
  });

  it('an immediate second once with the same credentials does not log in at all, and fails again', async () => {
    const again = await once(WRONG);
    expect(again.code, again.stdout).toBe(1);
    expect(again.stdout).toContain('channel bsky: FAILED — credentials refused');
    expect(await logins()).toBe(1);
  });

  it('the store keeps a fingerprint of the refused credentials, never the credentials', async () => {
    const store = new SqliteStore(path.join(dir, 'state.sqlite'));
    try {
      const stored = JSON.stringify(await store.kv.get('channel:credentials-refused:bsky'));
      expect(stored).toMatch(/"fingerprint":"[0-9a-f]{16}"/);
      expect(stored).not.toContain(WRONG);
      expect(stored).not.toContain(WRONG.replace(/-/g, ''));
    } finally {
      await store.close();
    }
  });

  it('changed credentials are tried at once: one login, everything published, the channel ready again', async () => {
    const fixed = await once(account.appPassword);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stdout).toContain('channel bsky: 3 published');
    expect(fixed.stdout).toContain('nothing left in the queue');
    expect(await logins()).toBe(2);
    const check = (await ready(account.appPassword)).checks.find((c) => c.name === 'channel bsky')!;
    expect(check).toMatchObject({ ok: true });
    expect(JSON.parse((await status(account.appPassword, '--json')).stdout).channels[0].credentialsRefused).toBeNull();
  });
});

describe('refused Bluesky credentials, over time', () => {
  it('are tried once more when the cool-down has passed, and not before', async () => {
    const account = await pds.createAccount('cooldown');
    const dir = tempDir('threadcast-auth-');
    const { config } = parseConfigText(configText(dir), 'threadcast.yaml', { BLUESKY_IDENTIFIER: account.handle, BLUESKY_APP_PASSWORD: WRONG });
    const store = new SqliteStore(':memory:');
    let clock = Date.now();
    const app = new App({ config, store, log: pino({ level: 'silent' }), out: new Writable({ write: (_c, _e, done) => done() }), now: () => clock });
    try {
      const first = await app.cycle();
      expect(first.channels[0]).toMatchObject({ ok: false });
      expect(await pds.count(LOGIN, { did: account.did })).toBe(1);
      const since = first.channels[0]!.credentialsRefused!.since;

      clock += 14 * 60_000;
      expect((await app.publishAll())[0]!.credentialsRefused).toMatchObject({ since });
      expect(await pds.count(LOGIN, { did: account.did })).toBe(1);

      clock += 2 * 60_000;
      const later = (await app.publishAll())[0]!;
      expect(await pds.count(LOGIN, { did: account.did })).toBe(2);
      expect(later).toMatchObject({ ok: false, credentialsRefused: { since } });
      expect(later.credentialsRefused!.lastAt).not.toBe(since);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
