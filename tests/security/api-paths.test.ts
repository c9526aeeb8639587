/**
 * Hostile request paths against the editor API, over real HTTP on 127.0.0.1 with raw request lines (no
 * client normalises them). Protects: the token guard decides on the route the router runs, so no spelling of
 * a path (percent-encoding, dot segments, doubled slashes, case, a trailing slash) reaches an API route
 * without the token — with the API on, and with it off — and no refused request changes any state.
 */
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/app/app.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { type Config } from '../../src/config/schema.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';
import { rawRequest, type RawAnswer } from '../support/raw-request.js';

const TOKEN = 'hostile-paths-token-0123456789';
const log = pino({ level: 'silent' });
const devNull = { write: () => true } as unknown as NodeJS.WritableStream;

/** Sends the request line exactly as written: fetch and URL would clean the path up first. */
function raw(server: RunningServer, method: string, rawPath: string, opts: { token?: string; body?: unknown } = {}): Promise<RawAnswer> {
  return rawRequest(server.url, method, rawPath, opts.token ? { authorization: `Bearer ${opts.token}` } : {}, opts.body);
}

/** Spellings of `/api/channels` that a router may decode or clean into the API route. */
const CHANNEL_SPELLINGS = [
  '/api/channels',
  '/%61pi/channels',
  '/a%70i/channels',
  '/%61%70%69/channels',
  '/%61%50%49/channels',
  '/api/%63hannels',
  '/api%2fchannels',
  '/api%2Fchannels',
  '//api/channels',
  '/./api/channels',
  '/x/../api/channels',
  '/%2e/api/channels',
  '/%2E%2E/api/channels',
  '/api/./channels',
  '/api//channels',
  '/api/channels/',
  '/api/channels?view=queue',
  '/api/channels#x',
  '/api/channels;x',
  '/API/channels',
  '/Api/Channels',
  '/api/channels%00',
  '/%2561pi/channels',
  '/api\\channels',
  '/\\api/channels',
];

function configFor(dir: string): Config {
  return ConfigSchema.parse({
    store: `sqlite:${path.join(dir, 'state.sqlite')}`,
    server: { port: 0 },
    dryRun: true,
    editor: { review: true },
    channels: [{ id: 'bsky', platform: 'bluesky', identifier: 'someone.test', password: 'not-used-in-dry-run' }],
  });
}

describe.each([
  ['on', { THREADCAST_API_TOKEN: TOKEN }],
  ['off', {}],
] as const)('editor API %s: hostile paths', (_mode, env) => {
  let store: Store;
  let app: App;
  let server: RunningServer;
  let deliveryId: string;

  beforeAll(async () => {
    const config = configFor(tempDir('threadcast-hostile-api-'));
    store = await openStore(config.store);
    app = new App({ config, store, log, out: devNull as never });
    const queued = await app.editorQueue.add({ text: 'A held announcement that no outsider may touch.' }, { where: 'test' });
    deliveryId = queued.deliveries[0]!.id;
    server = await startServer({ config: () => config, store: () => store, queue: () => app.editorQueue, log, env });
  });

  afterAll(async () => {
    await server?.close();
    await app?.close();
    await store?.close();
  });

  it.each(CHANNEL_SPELLINGS)('GET %s without a token never answers 2xx', async (p) => {
    const answer = await raw(server, 'GET', p);
    expect(answer.status, `${p} → ${answer.status} ${answer.body.slice(0, 120)}`).toBeGreaterThanOrEqual(400);
    expect(answer.body).not.toContain('"channels"');
  });

  it.each(CHANNEL_SPELLINGS)('HEAD %s without a token never answers 2xx', async (p) => {
    expect((await raw(server, 'HEAD', p)).status).toBeGreaterThanOrEqual(400);
  });

  it('refuses a queued announcement through an encoded path, and nothing is queued', async () => {
    const before = await store.countDeliveries();
    for (const p of ['/%61pi/announcements', '/a%70i/announcements', '//api/announcements', '/api/./announcements', '/api/announcements/']) {
      const answer = await raw(server, 'POST', p, { body: { text: 'Outsider text that must never be published.' } });
      expect(answer.status, `${p} → ${answer.status} ${answer.body}`).toBeGreaterThanOrEqual(400);
    }
    expect(await store.countDeliveries()).toEqual(before);
  });

  it.each(['approve', 'cancel', 'hold'])('refuses %s through an encoded path, and the delivery keeps its state', async (action) => {
    const id = encodeURIComponent(deliveryId);
    for (const p of [`/a%70i/deliveries/${id}/${action}`, `/%61pi/deliveries/${id}/${action}`, `/api/deliveries/${id}/${action}/`, `//api/deliveries/${id}/${action}`]) {
      const answer = await raw(server, 'POST', p, { body: {} });
      expect(answer.status, `${p} → ${answer.status} ${answer.body}`).toBeGreaterThanOrEqual(400);
    }
    expect((await store.getDelivery(deliveryId))?.state).toBe('held');
  });

  it('serves the page and the health routes without a token, and nothing else', async () => {
    for (const p of ['/', '/assets/app.js', '/assets/app.css', '/healthz']) expect((await raw(server, 'GET', p)).status, p).toBe(200);
    expect([200, 503]).toContain((await raw(server, 'GET', '/readyz')).status);
    expect((await raw(server, 'GET', '/%61pi/deliveries?view=history')).status).toBeGreaterThanOrEqual(400);
  });
});
