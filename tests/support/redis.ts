import { spawn, type ChildProcess } from 'node:child_process';
import { createClient } from '@redis/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { REDIS_TOOL, toolForSuite } from './real-tools.js';
import { freePort } from './wait.js';

/**
 * redis-server from PATH or THREADCAST_REDIS_SERVER; undefined when it is missing (the suites that need it skip,
 * `describe.skipIf(!REDIS_SERVER)`), and under CI importing this throws instead.
 */
export const REDIS_SERVER = toolForSuite(REDIS_TOOL);

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A throwaway redis-server on 127.0.0.1 and a free port (or `port`), no persistence, its own temp dir.
 * Resolves once it answers PING; `stop()` kills it.
 */
export async function startRedis(opts: { port?: number } = {}): Promise<RedisServer> {
  if (REDIS_SERVER === undefined) throw new Error('startRedis without a redis-server: skip the suite with describe.skipIf(!REDIS_SERVER)');
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await startOn(port);
    } catch (err) {
      // Another process may have taken the port between our probe and the server's bind.
      if (opts.port !== undefined || attempt >= 3) throw err;
    }
  }
}

async function startOn(port: number): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'threadcast-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--databases', '64'];
  const child = spawn(REDIS_SERVER!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    process.off('exit', killOnExit);
    await killAndWait(child, exited);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on port ${port} did not start:\n${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, port, stop };
}

async function killAndWait(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}


/** A raw RESP PING, so the harness does not depend on the client under test. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (b: Buffer) => {
      reply += b.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** The URL of database `db` on `server`, emptied first (a rerun may find it used): a fresh store per test. */
export async function freshDatabase(server: RedisServer, db: number): Promise<string> {
  const url = `${server.url}/${db}`;
  const client = createClient({ url });
  await client.connect();
  await client.flushDb();
  client.destroy();
  return url;
}

export interface StoreBackend {
  name: 'sqlite' | 'redis';
  /** A new, empty store's URL: a SQLite file in a new temp dir, or a flushed database of this file's redis-server. */
  fresh: () => Promise<string>;
}

/**
 * The two store backends, for a suite that runs on both: call it at the top of a test file. It starts one
 * redis-server for the file (when there is one; skip the Redis suites with `REDIS_SERVER`) and stops it after;
 * each Redis store gets its own database, counted up from `firstDb` (files running at once use different ranges).
 */
export function storeBackends(firstDb: number, sqlitePrefix?: string): StoreBackend[] {
  let redis: RedisServer | undefined;
  let nextDb = firstDb;
  beforeAll(async () => {
    if (REDIS_SERVER) redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  return [
    { name: 'sqlite', fresh: async () => `sqlite:${path.join(mkdtempSync(path.join(tmpdir(), sqlitePrefix ?? 'threadcast-')), 'state.sqlite')}` },
    { name: 'redis', fresh: () => freshDatabase(redis!, ++nextDb) },
  ];
}
