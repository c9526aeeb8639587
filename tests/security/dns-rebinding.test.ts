/**
 * DNS rebinding, over real HTTP on 127.0.0.1: a web page on a name its owner controls has the name resolve to this
 * server and reads it as its own origin, so every request it makes carries that name in its Host header. Protects:
 * the server answers only IP addresses, localhost and the names in server.allowedHosts, on every route (the public
 * ones too, which need no token), before any route runs; the list is read again after a config reload.
 */
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/app/app.js';
import { type Config } from '../../src/config/schema.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';
import { rawRequest, type RawAnswer } from '../support/raw-request.js';

const TOKEN = 'dns-rebinding-token-0123456789';
const log = pino({ level: 'silent' });
const devNull = { write: () => true } as unknown as NodeJS.WritableStream;

function configFor(dir: string, allowedHosts: string[]): Config {
  return ConfigSchema.parse({
    store: `sqlite:${path.join(dir, 'state.sqlite')}`,
    server: { port: 0, allowedHosts },
    dryRun: true,
    channels: [{ id: 'bsky', platform: 'bluesky', identifier: 'someone.test', password: 'not-used-in-dry-run' }],
  });
}

/** One request with exactly this Host header (fetch would send the URL's own), with the editor token. */
function withHost(server: RunningServer, host: string, method: string, route: string, body?: unknown): Promise<RawAnswer> {
  return rawRequest(server.url, method, route, { host, authorization: `Bearer ${TOKEN}` }, body);
}

const ROUTES = ['/healthz', '/readyz', '/metrics', '/', '/api/channels'];

describe('the Host header', () => {
  let store: Store;
  let app: App;
  let server: RunningServer;
  let config: Config;
  let port: string;

  beforeAll(async () => {
    const dir = tempDir('threadcast-rebinding-');
    config = configFor(dir, ['threadcast.example.org', '.internal.example']);
    store = await openStore(config.store);
    app = new App({ config, store, log, out: devNull as never });
    server = await startServer({ config: () => config, store: () => store, queue: () => app.editorQueue, log, env: { THREADCAST_API_TOKEN: TOKEN } });
    port = new URL(server.url).port;
  });

  afterAll(async () => {
    await server?.close();
    await app?.close();
    await store?.close();
  });

  const refused = () => [
    'evil.example',
    `evil.example:${port}`,
    'EVIL.Example',
    'localhost.evil.example',
    '127.0.0.1.nip.io',
    'threadcast.example.org.evil.example',
    'threadcast.example.org-evil.example',
    'xinternal.example',
    'internal.example.evil',
    '[evil.example]',
    'user@localhost',
  ];

  it.each(ROUTES)('refuses %s under every name it was not given, without running the route', async (route) => {
    for (const host of refused()) {
      const answer = await withHost(server, host, 'GET', route);
      expect(answer.status, `${host} ${route} → ${answer.status} ${answer.body.slice(0, 120)}`).toBe(403);
      expect(JSON.parse(answer.body)).toEqual({ error: expect.stringContaining('server.allowedHosts') });
      expect(answer.body).not.toMatch(/bsky|uptimeSeconds|threadcast_|<html/i);
    }
  });

  it('serves IP addresses, localhost and the allowed names', async () => {
    const served = [
      `127.0.0.1:${port}`,
      '127.0.0.1',
      '127.0.0.1.',
      '10.0.0.5:8787',
      `[::1]:${port}`,
      `localhost:${port}`,
      'LOCALHOST.',
      `app.localhost:${port}`,
      'threadcast.example.org',
      'Threadcast.Example.Org.:443',
      'internal.example',
      `a.b.internal.example:${port}`,
    ];
    for (const host of served) {
      const answer = await withHost(server, host, 'GET', '/healthz');
      expect(answer.status, `${host} → ${answer.status} ${answer.body.slice(0, 120)}`).toBe(200);
      expect(answer.body).toContain('uptimeSeconds');
    }
    expect((await withHost(server, 'threadcast.example.org', 'GET', '/api/channels')).status).toBe(200);
  });

  it('refuses an empty Host header (sent raw: Node\'s client fills one in)', async () => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (answer += c));
    const ended = new Promise<void>((resolve) => socket.on('end', () => resolve()));
    socket.end('GET /healthz HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n');
    await ended;
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
    expect(answer).not.toContain('uptimeSeconds');
  });

  it('changes nothing for a refused request that carries the token', async () => {
    const before = await store.countDeliveries();
    const answer = await withHost(server, 'evil.example', 'POST', '/api/announcements', { text: 'Text an outside page must never queue.' });
    expect(answer.status).toBe(403);
    expect(await store.countDeliveries()).toEqual(before);
  });

  it('reads the list again after a reload', async () => {
    expect((await withHost(server, 'new.example.net', 'GET', '/healthz')).status).toBe(403);
    const before = config;
    config = configFor(tempDir('threadcast-rebinding-reload-'), ['new.example.net']);
    try {
      expect((await withHost(server, 'new.example.net', 'GET', '/healthz')).status).toBe(200);
      expect((await withHost(server, 'threadcast.example.org', 'GET', '/healthz')).status).toBe(403);
    } finally {
      config = before;
    }
  });
});

describe('a server that listens on a name', () => {
  it('answers to that name', async () => {
    const listening = ConfigSchema.parse({ store: 'sqlite::memory:', server: { port: 0 }, channels: [{ id: 'c', platform: 'x' }] });
    // The guard reads server.host per request; the server itself listens on 127.0.0.1 (no resolver knows the name).
    let config: Config = listening;
    const never = (): never => {
      throw new Error('no route here reads the store');
    };
    const server = await startServer({ config: () => config, store: never, queue: never, log, env: {} });
    try {
      expect((await rawRequest(server.url, 'GET', '/healthz', { host: 'bind-name.example' })).status).toBe(403);
      config = { ...listening, server: { ...listening.server, host: 'bind-name.example' } };
      expect((await rawRequest(server.url, 'GET', '/healthz', { host: 'bind-name.example:8787' })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('server.allowedHosts', () => {
  it.each(['https://threadcast.example.org', 'threadcast.example.org:443', 'threadcast.example.org/x', 'user@example.org', ' ', '[::1]'])('refuses %j, naming the field', (entry) => {
    const parsed = ConfigSchema.safeParse({ store: 'sqlite::memory:', server: { allowedHosts: [entry] }, channels: [{ id: 'c', platform: 'x' }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['server', 'allowedHosts', 0]);
  });
});
