/**
 * No secret ever leaves the process: the service runs with known secret values against a real PDS and the X
 * emulator (OAuth 1.0a and OAuth 2 with rotating tokens), publishes, and is asked everything an operator or
 * editor can ask. Then every log line, command output, HTTP response and stored value is searched for the
 * secrets, for their URL-encoded and base64 forms, and for any bearer JWT at rest.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, startCli, tempDir, writeFile } from '../support/cli.js';
import { pdsClient } from '../support/pds/client.js';
import { startWebsite, type Website } from '../support/website.js';
import { until } from '../support/wait.js';
import { startXEmulator, type XEmulator } from '../support/x-emulator/index.js';
import { blueskyEnv, xOAuth1Env } from '../support/credentials-env.js';

const pds = pdsClient(inject('pdsUrl'));
const API_TOKEN = 'api-token-5f0c1d2e3a4b5c6d7e8f9a0b';
const SECRET_KEY = 'sealing-key-0a9b8c7d6e5f4a3b2c1d';

let x: XEmulator;
let site: Website;
beforeAll(async () => {
  x = await startXEmulator();
  site = await startWebsite([
    { slug: 'a', title: 'Allotment waiting list opens', summary: 'Sign up at the community centre from Monday.', ogImage: true },
    { slug: 'b', title: 'Bus stop moved for roadworks', summary: 'The stop on Mill Lane moves 50 metres north until March.' },
  ]);
});
afterAll(async () => {
  await x?.stop();
  await site?.close();
});


describe('secrets', { timeout: 120_000 }, () => {
  it('appear in no log line, output, HTTP response or stored value', async () => {
    const account = await pds.createAccount('leakcheck');
    const oauth1 = x.addOAuth1User({ username: 'leakone' });
    const oauth2 = x.addOAuth2User({ username: 'leaktwo', confidential: true });
    const dir = tempDir('threadcast-leak-');
    const config = writeFile(
      dir,
      'threadcast.yaml',
      `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: trace, format: json }
secretKey: \${THREADCAST_SECRET_KEY}
server: { port: 0 }
publishEvery: "* * * * * *"
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
  - id: x1
    platform: x
    apiBase: ${x.url}
    readAccess: true
    appKey: \${X_API_KEY}
    appSecret: \${X_API_SECRET}
    accessToken: \${X_ACCESS_TOKEN}
    accessSecret: \${X_ACCESS_SECRET}
  - id: x2
    platform: x
    apiBase: ${x.url}
    auth: oauth2
    clientId: \${X_OAUTH2_CLIENT_ID}
    clientSecret: \${X_OAUTH2_CLIENT_SECRET}
    refreshToken: \${X_OAUTH2_REFRESH_TOKEN}
`,
    );
    const env = {
      ...blueskyEnv(account),
      ...xOAuth1Env(oauth1),
      X_OAUTH2_CLIENT_ID: oauth2.clientId,
      X_OAUTH2_CLIENT_SECRET: oauth2.clientSecret!,
      X_OAUTH2_REFRESH_TOKEN: oauth2.refreshToken,
      THREADCAST_API_TOKEN: API_TOKEN,
      THREADCAST_SECRET_KEY: SECRET_KEY,
    };
    const seen: Array<[where: string, text: string]> = [];

    const child = startCli(['--config', config, 'run'], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const base = await until('the web page', async () => stdout.match(/^web page: (\S+)$/m)?.[1]);

    const call = async (route: string, init: RequestInit = {}, token: string | null = API_TOKEN) => {
      const headers = new Headers(init.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      if (init.body) headers.set('content-type', 'application/json');
      const res = await fetch(new URL(route, base), { ...init, headers });
      const text = await res.text();
      seen.push([`HTTP ${init.method ?? 'GET'} ${route}`, `${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${text}`]);
      return text;
    };

    const history = await until('every channel published both items', async () => {
      const body = JSON.parse(await call('/api/deliveries?view=history')) as { deliveries: Array<{ id: string; state: string }> };
      return body.deliveries.filter((d) => d.state === 'published').length === 6 ? body.deliveries : undefined;
    });
    for (const route of ['/', '/assets/app.js', '/assets/app.css', '/healthz', '/readyz', '/metrics', '/api/channels', '/api/deliveries?view=queue']) await call(route);
    await call(`/api/deliveries/${encodeURIComponent(history[0]!.id)}`);
    await call('/api/preview', { method: 'POST', body: JSON.stringify({ text: 'A preview with a link.', url: `${site.url}/articles/a/` }) });
    await call('/api/announcements', { method: 'POST', body: JSON.stringify({ text: 'Library hours change next week.' }) });
    await call('/api/announcements', { method: 'POST', body: JSON.stringify({ text: '' }) });
    await call('/api/deliveries/none/approve', { method: 'POST', body: '{}' });
    await call('/api/channels', {}, null);
    await call('/api/channels', {}, 'wrong-token-1234567890abcdef');
    await until('the announcement published', async () => {
      const body = JSON.parse(await call('/api/deliveries?view=history')) as { deliveries: Array<{ state: string }> };
      return body.deliveries.filter((d) => d.state === 'published').length === 9 ? true : undefined;
    });

    for (const args of [['status', '--json'], ['status'], ['queue', 'list', '--json'], ['queue', 'show', history[0]!.id], ['config', 'check']]) {
      const result = await runCli(['--config', config, ...args], { cwd: dir, env });
      seen.push([`threadcast ${args.join(' ')}`, result.stdout + result.stderr]);
    }

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    seen.push(['run stdout', stdout], ['run stderr', stderr]);
    expect(stderr).toContain('"msg":"published"');

    const db = new Database(path.join(dir, 'state.sqlite'), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
    for (const { name } of tables) {
      for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Array<Record<string, unknown>>) {
        seen.push([`store ${name}`, Object.values(row).map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v))).join('\t')]);
      }
    }
    db.close();
    expect(seen.filter(([where]) => where.startsWith('store')).length).toBeGreaterThan(20);

    const rotated = x.oauth2State(oauth2.userId);
    expect(rotated.revokedRefreshTokens).toContain(oauth2.refreshToken);
    const secrets: Record<string, string> = {
      ...Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'BLUESKY_IDENTIFIER' && k !== 'X_API_KEY' && k !== 'X_OAUTH2_CLIENT_ID')),
      'account password': account.password,
      ...Object.fromEntries(rotated.validRefreshTokens.map((t, i) => [`rotated refresh token ${i}`, t])),
      ...Object.fromEntries(rotated.validAccessTokens.map((t, i) => [`OAuth 2 access token ${i}`, t])),
    };
    const forms = (value: string) => [value, encodeURIComponent(value), Buffer.from(value).toString('base64')];
    const hits: string[] = [];
    for (const [where, text] of seen) {
      for (const [name, value] of Object.entries(secrets)) {
        if (forms(value).some((f) => text.includes(f))) hits.push(`${name} in ${where}`);
      }
      // Session tokens from the PDS are JWTs; none may sit anywhere in the clear.
      if (/eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/.test(text)) hits.push(`a JWT in ${where}`);
    }
    expect(hits).toEqual([]);
  });
});
