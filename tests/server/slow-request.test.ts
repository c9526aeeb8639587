/**
 * A client that announces a request body and never sends it is cut off after REQUEST_TIMEOUT_MS: each such
 * connection holds a file descriptor, and the server may listen beyond loopback (the Dockerfile binds 0.0.0.0).
 */
import net from 'node:net';
import pino from 'pino';
import { expect, it } from 'vitest';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { REQUEST_TIMEOUT_MS, startServer } from '../../src/server/server.js';

it('closes a connection whose request body never comes, soon after the request timeout', { timeout: REQUEST_TIMEOUT_MS + 30_000 }, async () => {
  const config = ConfigSchema.parse({ store: 'sqlite::memory:', server: { host: '127.0.0.1', port: 0 }, channels: [{ id: 'c', platform: 'x' }] });
  const never = (): never => {
    throw new Error('not reached by a request that never ends');
  };
  const server = await startServer({ config: () => config, store: never, queue: never, log: pino({ level: 'silent' }), env: {} });
  try {
    const url = new URL(server.url);
    const socket = net.connect(Number(url.port), url.hostname);
    const started = Date.now();
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
    socket.on('error', () => undefined);
    // Read what comes (a 401, then a 408): an unread socket never reports its close.
    socket.resume();
    socket.write('POST /api/announcements HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{"te');
    const after = await Promise.race([closed, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), REQUEST_TIMEOUT_MS + 20_000))]);
    socket.destroy();
    expect(after).toBeDefined();
    expect(after!).toBeLessThan(REQUEST_TIMEOUT_MS + 10_000);
  } finally {
    await server.close();
  }
});
