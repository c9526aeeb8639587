/**
 * The X client's timeout is Node's socket idle time, which a server that keeps sending a byte now and then never
 * reaches. A bad gateway configured as apiBase held a publish, the publish lane and SIGTERM for ever (found in
 * review). The same time now bounds each whole call.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bearerClient } from '../../../src/platforms/x/client.js';
import { classifyXError } from '../../../src/platforms/x/errors.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); })));
});

/** Answers 200 at once, then one byte of its JSON body every 100 ms, never finishing. */
async function tricklingServer(): Promise<{ base: string; requests: () => number }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"data":{"id":"1","text":"');
    const timer = setInterval(() => res.write('a'), 100);
    res.on('close', () => clearInterval(timer));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

describe('the X client against a server that never finishes its answer', () => {
  it('gives up once the timeout has passed in all, and the failure reads as a post that may exist', async () => {
    const { base, requests } = await tricklingServer();
    const client = bearerClient(base, 'token-for-a-test-server', { timeoutMs: 1_000 });
    const started = Date.now();
    const err = await client.v2.tweet('hello').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(requests()).toBe(1);
    // The socket was never idle for a second, yet the call ended about when the whole call had taken one.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const classified = classifyXError(err, 'channel x', { mayHaveApplied: true });
    expect(classified).toMatchObject({ kind: 'ambiguous', fault: { kind: 'transient' } });
  }, 15_000);
});
