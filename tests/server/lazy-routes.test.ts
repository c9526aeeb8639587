/**
 * The web server listens at start but loads its routes (fastify, the editor API, metrics) with the first request:
 * a service nobody visits does not hold them. Run in a child process of the compiled server, so the modules loaded
 * are only its own.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const SERVER = pathToFileURL(path.resolve(import.meta.dirname, '../../dist/server/server.js')).href;

const SCRIPT = `
import { createRequire } from 'node:module';
import pino from 'pino';
import { startServer } from ${JSON.stringify(SERVER)};
const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('/node_modules/fastify/'));
const config = { server: { host: '127.0.0.1', port: 0, allowedHosts: [] } };
const never = () => { throw new Error('not used by /healthz'); };
const server = await startServer({ config: () => config, store: never, queue: never, log: pino({ level: 'silent' }), env: {}, describe: () => ({ probe: true }) });
const before = loaded();
await new Promise((r) => setTimeout(r, 1100));
const response = await fetch(new URL('healthz', server.url));
const body = await response.json();
const after = loaded();
await server.close();
process.stdout.write(JSON.stringify({ before, after, status: response.status, body }));
`;

it('loads fastify with the first request, not when it starts listening, and counts uptime from the listen', () => {
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: path.resolve(import.meta.dirname, '../..'), encoding: 'utf8' }));
  expect(out.before).toBe(false);
  expect(out.after).toBe(true);
  expect(out.status).toBe(200);
  expect(out.body).toMatchObject({ status: 'ok', probe: true });
  expect(out.body.uptimeSeconds).toBeGreaterThanOrEqual(1);
});
