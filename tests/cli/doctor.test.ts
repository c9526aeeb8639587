/**
 * `threadcast doctor` through the real CLI, against the shared real PDS and the strict X emulator:
 * healthy channels, refused credentials, missing credentials, an unreachable service, a skewed clock,
 * a broken store and an invalid config — and never a secret in the output.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pdsClient, type TestAccount } from '../support/pds/client.js';
import { runCli, tempDir, writeFile, type CliResult } from '../support/cli.js';
import { startXEmulator, type XEmulator } from '../support/x-emulator/index.js';
import { xOAuth1Env } from '../support/credentials-env.js';

const pds = pdsClient(inject('pdsUrl'));

interface Row {
  check: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix?: string;
}

let x: XEmulator;
let alice: TestAccount;
beforeAll(async () => {
  x = await startXEmulator();
  alice = await pds.createAccount('doctor');
});
afterAll(async () => {
  await x.stop();
});

const bskyChannel = (service: string, id = 'bsky') =>
  `  - id: ${id}\n    platform: bluesky\n    service: ${service}\n    identifier: \${BLUESKY_IDENTIFIER}\n    password: \${BLUESKY_APP_PASSWORD}\n`;
const oauth2Channel = (apiBase: string, id: string) =>
  `  - id: ${id}\n    platform: x\n    apiBase: ${apiBase}\n    auth: oauth2\n    clientId: \${X_OAUTH2_CLIENT_ID}\n    clientSecret: \${X_OAUTH2_CLIENT_SECRET}\n    refreshToken: \${X_OAUTH2_REFRESH_TOKEN}\n`;
const xChannel = (apiBase: string, id = 'x') =>
  `  - id: ${id}\n    platform: x\n    apiBase: ${apiBase}\n    appKey: \${X_API_KEY}\n    appSecret: \${X_API_SECRET}\n    accessToken: \${X_ACCESS_TOKEN}\n    accessSecret: \${X_ACCESS_SECRET}\n`;

function setup(channels: string, env: NodeJS.ProcessEnv, store?: string) {
  const dir = tempDir('threadcast-doctor-');
  const config = writeFile(
    dir,
    'threadcast.yaml',
    `store: sqlite:${store ?? path.join(dir, 'state.sqlite')}\nlog: { level: warn, format: json }\nsources: []\nchannels:\n${channels}`,
  );
  return { dir, config, run: (...args: string[]) => runCli(['--config', config, 'doctor', ...args], { cwd: dir, env, timeoutMs: 45_000 }) };
}

function oauth1Env(user: ReturnType<XEmulator['addOAuth1User']>, overrides: Partial<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { ...xOAuth1Env(user), ...overrides };
}

function checksOf(result: CliResult): Row[] {
  try {
    return (JSON.parse(result.stdout) as { checks: Row[] }).checks;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}
const rowOf = (rows: Row[], check: string) => {
  const row = rows.find((r) => r.check === check);
  expect(row, `row ${check} in ${JSON.stringify(rows)}`).toBeDefined();
  return row!;
};

/** No secret value passed in the environment may appear anywhere the command wrote. */
function expectNoSecrets(result: CliResult, secrets: Array<string | undefined>): void {
  const all = `${result.stdout}\n${result.stderr}`;
  for (const secret of secrets) {
    expect(secret && secret.length >= 8, 'a real secret to look for').toBeTruthy();
    expect(all.includes(secret!), `secret ${secret!.slice(0, 3)}… printed`).toBe(false);
  }
}

/** An HTTP server that answers every request and remembers it: proof of whether doctor reached a service. */
async function countingServer(): Promise<{ url: string; requests: () => string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = createHttpServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests: () => [...seen], close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Sequential: each run starts the whole CLI (seconds of CPU); in parallel they only starve each other.
describe('threadcast doctor', { timeout: 60_000 }, () => {
  it('all good: ok rows naming the handle and @username, exit 0; a second run reuses the stored session and tokens', async () => {
    const user = x.addOAuth1User({ username: 'doctor_ok' });
    const o2 = x.addOAuth2User({ username: 'doctor_oauth2', confidential: true });
    const env = {
      BLUESKY_IDENTIFIER: alice.handle,
      BLUESKY_APP_PASSWORD: alice.appPassword,
      ...oauth1Env(user),
      X_OAUTH2_CLIENT_ID: o2.clientId,
      X_OAUTH2_CLIENT_SECRET: o2.clientSecret!,
      X_OAUTH2_REFRESH_TOKEN: o2.refreshToken,
    };
    const s = setup(bskyChannel(pds.url) + xChannel(x.url) + oauth2Channel(x.url, 'x2'), env);
    const secrets = () => [alice.appPassword, user.appKey, user.appSecret, user.accessToken, user.accessSecret, o2.clientSecret, o2.refreshToken, ...x.oauth2State(o2.userId).validRefreshTokens];
    const logins = () => pds.count('com.atproto.server.createSession', { did: alice.did });
    const loginsBefore = await logins();

    const text = await s.run();
    expect(text.code, text.stdout + text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^check\s+status\s+detail$/);
    expect(text.stdout).toMatch(new RegExp(`^config\\s+ok\\s+${s.config.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: valid`, 'm'));
    expect(text.stdout).toMatch(/^store\s+ok\s+sqlite:.*write, read and delete work; no deliveries yet$/m);
    expect(text.stdout).toMatch(new RegExp(`^channel bsky\\s+ok\\s+@${alice.handle.replace(/\./g, '\\.')} \\(${alice.did}\\) — logged in`, 'm'));
    expect(text.stdout).toMatch(/^channel x\s+ok\s+@doctor_ok — user id \d+, OAuth 1\.0a/m);
    expect(text.stdout).toMatch(/^channel x2\s+ok\s+@doctor_oauth2 — user id \d+, OAuth 2\.0/m);
    // The environment's refresh token is spent now: only the rotated one, kept in the store, can work.
    expect(x.oauth2State(o2.userId).revokedRefreshTokens).toContain(o2.refreshToken);
    expect(text.stdout).toMatch(/^clock\s+ok\s+/m);
    expect(text.stdout).toContain('all checks passed');
    // Columns line up: every status starts in the same column.
    const statusColumn = lines[0]!.indexOf('status');
    for (const line of lines.slice(1, 7)) expect(line.slice(statusColumn)).toMatch(/^(ok|warn|fail|skip)\s/);
    expect(await logins()).toBe(loginsBefore + 1);
    expectNoSecrets(text, secrets());

    const json = await s.run('--json');
    expect(json.code, json.stderr).toBe(0);
    const rows = checksOf(json);
    expect(rows.map((r) => [r.check, r.status])).toEqual([
      ['config', 'ok'],
      ['store', 'ok'],
      ['api token', 'ok'],
      ['channel bsky', 'ok'],
      ['channel x', 'ok'],
      ['channel x2', 'ok'],
      ['clock', 'ok'],
    ]);
    expect(rowOf(rows, 'channel bsky').detail).toContain('resumed the stored session');
    expect(await logins()).toBe(loginsBefore + 1); // the sealed session was reused: no second login
    expectNoSecrets(json, secrets());
  });

  it('refused credentials: fail rows with fixes, exit 1, every other check still run, no secret printed', async () => {
    const user = x.addOAuth1User({ username: 'doctor_bad' });
    const o2 = x.addOAuth2User({ username: 'doctor_bad2', confidential: true });
    const wrongPassword = 'wxyz-wxyz-wxyz-wxyz';
    const wrongSecret = 'Wr0ngTokenSecretWr0ngTokenSecret00';
    const wrongRefresh = 'Wr0ngRefreshTokenWr0ngRefreshToken';
    const env = {
      BLUESKY_IDENTIFIER: alice.handle,
      BLUESKY_APP_PASSWORD: wrongPassword,
      ...oauth1Env(user, { X_ACCESS_SECRET: wrongSecret }),
      X_OAUTH2_CLIENT_ID: o2.clientId,
      X_OAUTH2_CLIENT_SECRET: o2.clientSecret!,
      X_OAUTH2_REFRESH_TOKEN: wrongRefresh,
    };
    const s = setup(bskyChannel(pds.url) + xChannel(x.url) + oauth2Channel(x.url, 'x2'), env);
    // One --json run: the table prints the same rows (its format and fix lines are checked in the other tests).
    const result = await s.run('--json');
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expectNoSecrets(result, [wrongPassword, wrongSecret, wrongRefresh, user.appKey, user.appSecret, user.accessToken, user.accessSecret, alice.appPassword, o2.clientSecret, o2.refreshToken]);
    const rows = checksOf(result);
    expect(rowOf(rows, 'config').status).toBe('ok');
    expect(rowOf(rows, 'store').status).toBe('ok');
    expect(rowOf(rows, 'clock').status).toBe('ok');
    const bsky = rowOf(rows, 'channel bsky');
    expect(bsky.status).toBe('fail');
    expect(bsky.detail).toContain(alice.handle);
    expect(bsky.fix).toMatch(/^create a new app password/);
    expect(bsky.fix).toContain('password ← BLUESKY_APP_PASSWORD');
    const xRow = rowOf(rows, 'channel x');
    expect(xRow.status).toBe('fail');
    expect(xRow.detail).toMatch(/X refused the credentials \(401\)/);
    expect(xRow.fix).toMatch(/^regenerate the access token and secret/);
    expect(xRow.fix).toContain('accessSecret ← X_ACCESS_SECRET');
    const x2 = rowOf(rows, 'channel x2');
    expect(x2.status).toBe('fail');
    expect(x2.detail).toMatch(/^X refused the OAuth 2\.0 token refresh: X refused the request \(400: invalid_request\)$/);
    expect(x2.fix).toMatch(/^authorize the account again/);
    expect(x2.fix).toContain('refreshToken ← X_OAUTH2_REFRESH_TOKEN');
  });

  it('missing credentials: warn rows naming the unset variables (dry-run); their services are not asked for the time; exit 0', async () => {
    const service = await countingServer();
    const s = setup(bskyChannel(service.url) + xChannel(service.url), { BLUESKY_IDENTIFIER: alice.handle, X_API_KEY: 'only-the-key-is-set' });
    const result = await s.run('--json').finally(() => service.close());
    expect(result.code, result.stderr).toBe(0);
    const rows = checksOf(result);
    const bsky = rowOf(rows, 'channel bsky');
    expect(bsky.status).toBe('warn');
    expect(bsky.detail).toBe('dry-run: credentials missing — password (BLUESKY_APP_PASSWORD not set)');
    expect(bsky.fix).toContain('set BLUESKY_APP_PASSWORD in the environment or in .env');
    const xRow = rowOf(rows, 'channel x');
    expect(xRow.status).toBe('warn');
    expect(xRow.detail).toContain('X_API_SECRET not set');
    expect(xRow.detail).toContain('X_ACCESS_SECRET not set');
    expect(xRow.detail).not.toContain('X_API_KEY');
    // Dry-run channels post nothing: doctor reaches none of their services, not even for the clock.
    expect(rowOf(rows, 'clock')).toEqual({ check: 'clock', status: 'skip', detail: 'every channel runs in dry-run: no service is asked for the time' });
    expect(service.requests()).toEqual([]);
    expectNoSecrets(result, ['only-the-key-is-set']);
  });

  it('compares the clock with live channels only, leaving out a dry-run one on another service', async () => {
    const drifting = await startXEmulator({ clockSkewMs: 10_000 });
    const service = await countingServer();
    const user = drifting.addOAuth1User({ username: 'doctor_live' });
    const s = setup(xChannel(drifting.url) + bskyChannel(service.url), { ...oauth1Env(user), BLUESKY_IDENTIFIER: alice.handle });
    const result = await s.run('--json').finally(() => Promise.all([drifting.stop(), service.close()]));
    const clock = rowOf(checksOf(result), 'clock');
    expect(clock.status).toBe('warn');
    expect(clock.detail).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ \(x\): local clock (9|10|11)(\.\d)? s behind$/);
    expect(clock.fix).toContain('enable NTP (timedatectl set-ntp true)');
    expect(service.requests()).toEqual([]);
  });

  it('an unreachable service: fail rows naming it, the clock compares what it can reach', async () => {
    const port = await closedPort();
    const user = x.addOAuth1User({ username: 'doctor_far' });
    const env = { BLUESKY_IDENTIFIER: alice.handle, BLUESKY_APP_PASSWORD: alice.appPassword, ...oauth1Env(user) };
    const s = setup(bskyChannel(`http://127.0.0.1:${port}`) + xChannel(`http://127.0.0.1:${port}`) + xChannel(x.url, 'x-near'), env);
    const result = await s.run('--json');
    expect(result.code, result.stderr).toBe(1);
    const rows = checksOf(result);
    const bsky = rowOf(rows, 'channel bsky');
    expect(bsky.status).toBe('fail');
    expect(bsky.detail).toContain(`could not reach the PDS at http://127.0.0.1:${port}`);
    const xRow = rowOf(rows, 'channel x');
    expect(xRow.status).toBe('fail');
    expect(xRow.detail).toContain(`X could not be reached at http://127.0.0.1:${port}`);
    expect(xRow.detail).toContain('ECONNREFUSED');
    expect(xRow.fix).toContain('reachable from this host');
    expect(rowOf(rows, 'channel x-near').status).toBe('ok');
    const clock = rowOf(rows, 'clock');
    expect(clock.status).toBe('ok');
    expect(clock.detail).toContain(`http://127.0.0.1:${port}/ (bsky, x): not compared (unreachable`);
    expectNoSecrets(result, [alice.appPassword, user.appSecret, user.accessToken, user.accessSecret]);
  });

  it('a clock over 60 s off fails with the NTP fix; the X credentials still work', async () => {
    const behind = await startXEmulator({ clockSkewMs: -120_000 });
    const user = behind.addOAuth1User({ username: 'doctor_skew' });
    const result = await setup(xChannel(behind.url), oauth1Env(user))
      .run()
      .finally(() => behind.stop());
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^channel x\s+ok\s+@doctor_skew/m);
    expect(result.stdout).toMatch(/^clock\s+fail\s+http:\/\/127\.0\.0\.1:\d+\/ \(x\): local clock 1[12]\d s ahead$/m);
    expect(result.stdout).toMatch(/^\s+fix: enable NTP \(timedatectl set-ntp true\)/m);
    expect(result.stdout).toContain('1 failed, 0 warnings');
  });

  it('a broken store fails with a fix, and the other checks still run', async () => {
    const dir = tempDir('threadcast-doctor-store-');
    const notAFolder = writeFile(dir, 'plain-file', 'not a folder');
    const env = { BLUESKY_IDENTIFIER: alice.handle, BLUESKY_APP_PASSWORD: alice.appPassword };
    const s = setup(bskyChannel(pds.url) + xChannel(x.url), env, path.join(notAFolder, 'sub', 'state.sqlite'));
    const result = await s.run('--json');
    expect(result.code, result.stderr).toBe(1);
    const rows = checksOf(result);
    const store = rowOf(rows, 'store');
    expect(store.status).toBe('fail');
    expect(store.detail).toContain('ENOTDIR');
    expect(store.fix).toContain(`the folder ${path.join(notAFolder, 'sub')} cannot be created or used (a file is in its way)`);
    // Credentials are still checked, with a throwaway store.
    const bsky = rowOf(rows, 'channel bsky');
    expect(bsky.status).toBe('ok');
    expect(bsky.detail).toContain(`@${alice.handle}`);
    expect(bsky.detail).toContain('store unavailable: the session was not kept');
    expect(rowOf(rows, 'channel x').status).toBe('warn');
    expect(rowOf(rows, 'clock').status).toBe('ok');
    expectNoSecrets(result, [alice.appPassword]);
  });

  it.each([
    ['a long enough token', '', { THREADCAST_API_TOKEN: 'Sixteen+CharsOfRandomness' }, 'ok', /^THREADCAST_API_TOKEN is set, 16\+ characters: the editor API takes it$/],
    ['a short token', '', { THREADCAST_API_TOKEN: 'short-tok' }, 'fail', /^THREADCAST_API_TOKEN is shorter than 16 characters: the editor API stays off$/],
    ['no token on loopback', '', {}, 'ok', /^THREADCAST_API_TOKEN is not set; server\.host 127\.0\.0\.1 is loopback, so `run` makes up a one-time token and logs a sign-in URL at start$/],
    ['no token on all addresses', 'server: { host: 0.0.0.0 }\n', {}, 'warn', /^THREADCAST_API_TOKEN is not set and server\.host 0\.0\.0\.0 is reachable from other hosts: the editor API stays off$/],
    ['no server', 'server: { enabled: false }\n', { THREADCAST_API_TOKEN: 'short-tok' }, 'skip', /^server\.enabled is false: no editor page or API$/],
  ] as const)('the editor API token: %s', async (_name, server, env, status, detail) => {
    const dir = tempDir('threadcast-doctor-token-');
    const config = writeFile(dir, 'threadcast.yaml', `store: sqlite:${path.join(dir, 's.sqlite')}\n${server}sources: []\nchannels:\n  - id: bsky\n    platform: bluesky\n`);
    const result = await runCli(['--config', config, 'doctor', '--json'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(status === 'fail' ? 1 : 0);
    const row = rowOf(checksOf(result), 'api token');
    expect(row.status).toBe(status);
    expect(row.detail).toMatch(detail);
    if (status === 'fail' || status === 'warn') expect(row.fix).toMatch(/^set THREADCAST_API_TOKEN to 16 or more random characters \(e\.g\. openssl rand -hex 24\)/);
    if ('THREADCAST_API_TOKEN' in env) expect(`${result.stdout}${result.stderr}`).not.toContain(env.THREADCAST_API_TOKEN);
  });

  it('an invalid config: exit 2 with the place, like every other command', async () => {
    const dir = tempDir('threadcast-doctor-bad-');
    const config = writeFile(dir, 'threadcast.yaml', `store: sqlite:${path.join(dir, 's.sqlite')}\nsources:\n  - id: news\n    feed: feed.xml\n    bakclog: 1\n`);
    const result = await runCli(['--config', config, 'doctor', '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('threadcast: invalid configuration');
    expect(result.stderr).toContain(`${config}:5  sources[0].bakclog: unknown key "bakclog"`);
    expect(result.stdout).toBe('');
  });
});
