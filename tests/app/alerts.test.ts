/**
 * Alerts (issue 18, point 8): the app's real outbox publishing to the X stand-in, a webhook on a loopback HTTP server.
 * A delivery that becomes uncertain or dead, and a source failing `alerts.sourceFailures` polls in a row, each give
 * an error-level log line and one JSON POST; a receiver that fails is retried; loopback is reached only when
 * `web.allowPrivateHosts` names it; nothing secret is in a body, and the webhook's token is in no log line.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/app/app.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';
import { until } from '../support/wait.js';
import { startXEmulator, type XEmulator } from '../support/x-emulator/index.js';

const WEBHOOK_TOKEN = 'hook-token-4f1c9a7e2b';

interface Receiver {
  url: string;
  bodies: Array<Record<string, unknown>>;
  /** Answers for the next requests, in order (a status, or one with its Retry-After); 204 once they are used up. */
  answers: Array<number | { status: number; retryAfter: string }>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Omit<Receiver, 'url' | 'close'> = { bodies: [], answers: [] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      expect(req.method).toBe('POST');
      expect(req.headers['content-type']).toBe('application/json');
      receiver.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      const answer = receiver.answers.shift() ?? 204;
      if (typeof answer === 'number') res.writeHead(answer).end();
      else res.writeHead(answer.status, { 'retry-after': answer.retryAfter }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    ...receiver,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/${WEBHOOK_TOKEN}?token=${WEBHOOK_TOKEN}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  } as Receiver;
}

/** A feed host that always fails. */
async function startBrokenFeed(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(500).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.xml`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let x: XEmulator;
let feed: Awaited<ReturnType<typeof startBrokenFeed>>;
beforeAll(async () => {
  x = await startXEmulator();
  feed = await startBrokenFeed();
});
afterAll(async () => {
  await x.stop();
  await feed.close();
});

let receiver: Receiver;
let store: Store;
let app: App;
let logLines: Array<{ level: number; msg: string; [k: string]: unknown }>;
afterEach(async () => {
  await app?.close();
  await store?.close();
  await receiver?.close();
});

async function start(opts: { allowLoopback: boolean }) {
  receiver = await startReceiver();
  const user = x.addOAuth1User();
  const config = ConfigSchema.parse({
    store: `sqlite:${path.join(tempDir('threadcast-alerts-'), 'state.sqlite')}`,
    web: { allowPrivateHosts: opts.allowLoopback ? ['127.0.0.1'] : [] },
    alerts: { webhook: receiver.url },
    retry: { maxAttempts: 1 },
    sources: [{ id: 'broken', feed: feed.url }],
    channels: [{ id: 'x', platform: 'x', apiBase: x.url, appKey: user.appKey, appSecret: user.appSecret, accessToken: user.accessToken, accessSecret: user.accessSecret, template: { maxParts: 3 } }],
  });
  logLines = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as (typeof logLines)[number]);
      done();
    },
  });
  store = await openStore(config.store);
  app = new App({ config, store, log: pino({ level: 'info' }, sink), out: new Writable({ write: (_c, _e, done) => done() }) });
  return { user, config };
}

const longText = (tag: string) => Array.from({ length: 7 }, (_, i) => `Point ${i + 1} of the ${tag} notice: the ferry timetable changes for the winter months on every line.`).join(' ');

describe('alerts on a loopback webhook', () => {
  it('a delivery that becomes uncertain, then one that becomes dead: one JSON POST and one error line each', async () => {
    const { user } = await start({ allowLoopback: true });
    // The first part is stored but its answer lost; sending it again is refused as a duplicate: only an operator can tell.
    await app.editorQueue.add({ text: longText('first') }, { where: 'test' });
    x.injectFault({ route: 'POST /2/tweets', kind: 'reset-after' });
    expect(await app.publishAll()).toMatchObject([{ uncertain: 1 }]);
    // X refuses the next thread outright: nothing to retry.
    await app.editorQueue.add({ text: longText('second') }, { where: 'test' });
    x.injectFault({ route: 'POST /2/tweets', kind: 'error-before', status: 400 });
    expect(await app.publishAll()).toMatchObject([{ dead: 1 }]);
    await app.alerts.idle();

    const [uncertain] = await store.listDeliveries({ states: ['uncertain'] });
    const [dead] = await store.listDeliveries({ states: ['dead'] });
    if (!uncertain || !dead) throw new Error('expected one uncertain and one dead delivery');
    expect(receiver.bodies).toEqual([
      expect.objectContaining({ event: 'delivery.uncertain', delivery: expect.objectContaining({ id: uncertain.id, channelId: 'x', reason: uncertain.reason, posts: uncertain.posts.length }) }),
      expect.objectContaining({ event: 'delivery.dead', delivery: expect.objectContaining({ id: dead.id, channelId: 'x', reason: dead.reason }) }),
    ]);
    for (const body of receiver.bodies) {
      expect(body.text).toMatch(/^delivery .+ on channel x is (uncertain|dead): /);
      for (const secret of [user.appKey, user.appSecret, user.accessToken, user.accessSecret, WEBHOOK_TOKEN]) expect(JSON.stringify(body)).not.toContain(secret);
    }
    const errors = logLines.filter((l) => l.level === 50 && String(l.msg).startsWith('alert: '));
    expect(errors.map((l) => l.alert)).toEqual(['delivery.uncertain', 'delivery.dead']);
    expect(JSON.stringify(logLines)).not.toContain(WEBHOOK_TOKEN);
  });

  it('a source failing sourceFailures (3) polls in a row raises one alert; a receiver answering 503 is tried again', async () => {
    const { config } = await start({ allowLoopback: true });
    receiver.answers.push(503, 503);
    for (let i = 0; i < 4; i++) expect(await app.pollRound(config.sources)).toMatchObject([{ ok: false }]);
    await app.alerts.idle();
    // Three POSTs of the one alert: two answered 503, the third taken.
    expect(receiver.bodies).toHaveLength(3);
    for (const body of receiver.bodies) expect(body).toMatchObject({ event: 'source.failing', source: { id: 'broken', consecutiveFailures: 3, error: expect.stringContaining('HTTP 500') } });
    expect(logLines.filter((l) => l.level === 50 && l.alert === 'source.failing')).toHaveLength(1);
    expect(JSON.stringify(logLines)).not.toContain(WEBHOOK_TOKEN);
  });

  it('a stop does not wait for a receiver that asks for ten minutes: the retry is called off, and said', async () => {
    const { config } = await start({ allowLoopback: true });
    receiver.answers.push({ status: 429, retryAfter: '600' });
    for (let i = 0; i < 3; i++) await app.pollRound(config.sources);
    // The first POST was answered 429; the retry waits up to ten minutes, which the service's close calls off.
    await until('the first POST', async () => (receiver.bodies.length === 1 ? true : undefined), 10_000);
    const started = Date.now();
    await app.close({ callOffAlerts: true });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(receiver.bodies).toHaveLength(1);
    expect(logLines.find((l) => l.msg === 'alert webhook not tried again: the service is stopping or reloading; the alert is only in this log')).toMatchObject({
      level: 50,
      alert: 'source.failing',
      attempts: 1,
    });
  });

  it('reaches a loopback receiver only when web.allowPrivateHosts names it: otherwise the guard refuses, and says so', async () => {
    const { config } = await start({ allowLoopback: false });
    for (let i = 0; i < 3; i++) await app.pollRound(config.sources);
    await app.alerts.idle();
    expect(receiver.bodies).toEqual([]);
    const refused = logLines.find((l) => l.msg === 'alert webhook failed; the alert is only in this log');
    expect(refused).toMatchObject({ level: 50, alert: 'source.failing', attempts: 1, receiver: `${new URL(receiver.url).origin}/` });
    expect(String(refused!.err)).toMatch(/127\.0\.0\.1/);
    expect(JSON.stringify(logLines)).not.toContain(WEBHOOK_TOKEN);
  });
});
