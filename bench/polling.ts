/**
 * Polling: 1,000 distinct small feeds (~20 items each, RSS 2.0 and Atom alternating) on a local HTTP server that
 * sends ETag and Last-Modified and answers a matching conditional request with 304 Not Modified.
 *
 * Ours is the app's real poll: `pollSource(source, store, log)` for each source, one after another as
 * `App.cycle` does it, on a real `SqliteStore` so the validators persist between cycles. The baseline is
 * rss-parser's `parseURL` for the same 1,000 URLs, one after another too; it sends no conditional headers.
 * One first cycle (all 200s) primes the validators; then the second cycle is repeated, alternating ours and the
 * baseline, and the median is reported.
 *
 * The server runs in its own child process (this file, started with tsx), so serving costs neither side CPU time
 * in the measuring process; it counts requests, status codes, response body bytes and the bytes written to the
 * sockets (status line + headers + body), and reports them over IPC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { articles, atomFeed, median, rssFeed } from './lib/feeds.js';
import type { BenchRow, BenchSuite } from './lib/rows.js';

const SELF = fileURLToPath(import.meta.url);

interface ServerStats {
  requests: number;
  /** TCP connections accepted (keep-alive reuses them). */
  connections: number;
  ok: number;
  notModified: number;
  other: number;
  conditional: number;
  bodyBytes: number;
  /** Bytes written to sockets: status lines, headers and bodies. */
  wireBytes: number;
  /** Bytes read from sockets: the requests. */
  requestBytes: number;
}

type ToServer = { cmd: 'stats'; id: number };
type FromServer = { kind: 'ready'; port: number; feedBytes: number } | { kind: 'stats'; id: number; stats: ServerStats };

// ── the server (child process) ───────────────────────────────────────────────────────────────────────────────────

function serve(feeds: number, itemsPerFeed: number): void {
  interface Feed {
    body: Buffer;
    etag: string;
    lastModified: string;
    lastModifiedMs: number;
    type: string;
  }
  const docs: Feed[] = [];
  let feedBytes = 0;
  for (let i = 0; i < feeds; i++) {
    const items = articles(itemsPerFeed, 1000 + i);
    const atom = i % 2 === 1;
    const opts = { title: `Example News ${i}`, self: `http://127.0.0.1/feeds/${i}.xml` };
    const body = Buffer.from(atom ? atomFeed(items, opts) : rssFeed(items, opts));
    const newest = items[0]!.date;
    docs.push({
      body,
      etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 20)}"`,
      lastModified: newest.toUTCString(),
      lastModifiedMs: Math.floor(newest.getTime() / 1000) * 1000,
      type: atom ? 'application/atom+xml; charset=utf-8' : 'application/rss+xml; charset=utf-8',
    });
    feedBytes += body.length;
  }

  const stats: ServerStats = { requests: 0, connections: 0, ok: 0, notModified: 0, other: 0, conditional: 0, bodyBytes: 0, wireBytes: 0, requestBytes: 0 };
  const sockets = new Set<Socket>();
  let closedWritten = 0;
  let closedRead = 0;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    stats.requests++;
    const m = /^\/feeds\/(\d+)\.xml$/.exec(req.url ?? '');
    const doc = m ? docs[Number(m[1])] : undefined;
    if (!doc || (req.method !== 'GET' && req.method !== 'HEAD')) {
      stats.other++;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    if (inm !== undefined || ims !== undefined) stats.conditional++;
    // RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since counts only without it.
    const fresh =
      inm !== undefined
        ? inm.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === doc.etag)
        : ims !== undefined && !Number.isNaN(Date.parse(ims)) && Date.parse(ims) >= doc.lastModifiedMs;
    const validators = { etag: doc.etag, 'last-modified': doc.lastModified, 'cache-control': 'max-age=0, must-revalidate' };
    if (fresh) {
      stats.notModified++;
      res.writeHead(304, validators).end();
      return;
    }
    stats.ok++;
    stats.bodyBytes += doc.body.length;
    res.writeHead(200, { ...validators, 'content-type': doc.type, 'content-length': doc.body.length });
    res.end(req.method === 'HEAD' ? undefined : doc.body);
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.on('close', () => {
      closedWritten += socket.bytesWritten;
      closedRead += socket.bytesRead;
      sockets.delete(socket);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send!({ kind: 'ready', port, feedBytes } satisfies FromServer);
  });
  process.on('message', (msg: ToServer) => {
    if (msg.cmd !== 'stats') return;
    let written = closedWritten;
    let read = closedRead;
    for (const s of sockets) {
      written += s.bytesWritten;
      read += s.bytesRead;
    }
    process.send!({ kind: 'stats', id: msg.id, stats: { ...stats, wireBytes: written, requestBytes: read } } satisfies FromServer);
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url && process.argv[2] === 'serve') {
  serve(Number(process.argv[3]), Number(process.argv[4]));
}

// ── the parent ───────────────────────────────────────────────────────────────────────────────────────────────────

class FeedServer {
  private nextId = 0;
  private readonly waiting = new Map<number, (s: ServerStats) => void>();

  private constructor(
    private readonly proc: ChildProcess,
    readonly base: string,
    readonly feedBytes: number,
  ) {
    proc.on('message', (msg: FromServer) => {
      if (msg.kind === 'stats') {
        this.waiting.get(msg.id)?.(msg.stats);
        this.waiting.delete(msg.id);
      }
    });
  }

  static start(feeds: number, itemsPerFeed: number): Promise<FeedServer> {
    const proc = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), SELF, 'serve', String(feeds), String(itemsPerFeed)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      proc.once('error', reject);
      proc.once('exit', (code) => reject(new Error(`feed server exited with ${code} before it was ready`)));
      proc.once('message', (msg: FromServer) => {
        if (msg.kind === 'ready') resolve(new FeedServer(proc, `http://127.0.0.1:${msg.port}`, msg.feedBytes));
      });
    });
  }

  stats(): Promise<ServerStats> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.proc.send({ cmd: 'stats', id } satisfies ToServer);
    });
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.disconnect();
    await exited;
  }
}

function diff(a: ServerStats, b: ServerStats): ServerStats {
  const out = {} as ServerStats;
  for (const k of Object.keys(b) as Array<keyof ServerStats>) out[k] = b[k] - a[k];
  return out;
}

interface Cycle {
  ms: number;
  server: ServerStats;
  items: number;
  notModified: number;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export const run: BenchSuite = async (ctx) => {
  const feeds = ctx.quick ? 4 : 1000;
  const itemsPerFeed = ctx.quick ? 5 : 20;
  const secondCycles = ctx.quick ? 1 : 5;

  const [{ pollSource }, { SqliteStore }, { ConfigSchema }, { default: pino }, { default: Parser }] = await Promise.all([
    import('../src/app/poll-source.js'),
    import('../src/store/sqlite-store.js'),
    import('../src/config/schema.js'),
    import('pino'),
    import('rss-parser'),
  ]);

  const server = await FeedServer.start(feeds, itemsPerFeed);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadcast-bench-polling-'));
  const log = pino({ level: 'silent' });
  try {
    ctx.log(`polling: ${feeds} feeds × ${itemsPerFeed} items at ${server.base}, ${(server.feedBytes / 2 ** 20).toFixed(1)} MiB in all`);
    const urls = Array.from({ length: feeds }, (_, i) => `${server.base}/feeds/${i}.xml`);
    // The app's config, as an operator would write it: one source per feed, default limits.
    const config = ConfigSchema.parse({
      store: `sqlite:${path.join(dir, 'unused.sqlite')}`,
      sources: urls.map((feed, i) => ({ id: `feed-${i}`, feed })),
      channels: [],
    });

    const timed = async (poll: () => Promise<{ items: number; notModified: number }>): Promise<Cycle> => {
      const before = await server.stats();
      const t0 = performance.now();
      const r = await poll();
      const ms = performance.now() - t0;
      return { ms, server: diff(before, await server.stats()), ...r };
    };
    const oursCycle = (store: InstanceType<typeof SqliteStore>, sources = config.sources) => async () => {
      let items = 0;
      let notModified = 0;
      // Sequentially, as App.cycle polls its sources.
      for (const source of sources) {
        const r = await pollSource(source, store, log);
        items += r.items.length;
        if (r.notModified) notModified++;
      }
      return { items, notModified };
    };
    const parser = new Parser();
    const baselineCycle = (list = urls) => async () => {
      let items = 0;
      for (const url of list) items += (await parser.parseURL(url)).items.length;
      return { items, notModified: 0 };
    };

    // Warm-up on a few feeds with a throwaway store: JIT, module caches, connection pools.
    const warm = ctx.quick ? 1 : 20;
    const warmStore = new SqliteStore(path.join(dir, 'warmup.sqlite'));
    await oursCycle(warmStore, config.sources.slice(0, warm))();
    await oursCycle(warmStore, config.sources.slice(0, warm))();
    await warmStore.close();
    await baselineCycle(urls.slice(0, warm))();

    const store = new SqliteStore(path.join(dir, 'threadcast.sqlite'));
    try {
      const expectItems = feeds * itemsPerFeed;
      const check = (who: string, c: Cycle, items: number, notModified: number) => {
        if (c.items !== items || c.notModified !== notModified || c.server.requests !== feeds) {
          throw new Error(`${who}: ${c.items} items, ${c.notModified} not modified, ${c.server.requests} requests; expected ${items}, ${notModified}, ${feeds}`);
        }
      };
      const describe = (c: Cycle) =>
        `${fmt(c.ms)} ms, ${c.server.requests} requests on ${c.server.connections} new connection(s) (${c.server.ok} × 200, ${c.server.notModified} × 304), body ${fmt(c.server.bodyBytes)} B, on the wire ${fmt(c.server.wireBytes)} B`;

      const ours1 = await timed(oursCycle(store));
      check('ours, first cycle', ours1, expectItems, 0);
      ctx.log(`  ours     first cycle: ${describe(ours1)}`);
      const base1 = await timed(baselineCycle());
      check('baseline, first cycle', base1, expectItems, 0);
      ctx.log(`  baseline first cycle: ${describe(base1)}`);

      const ours2: Cycle[] = [];
      const base2: Cycle[] = [];
      for (let r = 0; r < secondCycles; r++) {
        const o = await timed(oursCycle(store));
        check('ours, second cycle', o, 0, feeds);
        ours2.push(o);
        const b = await timed(baselineCycle());
        check('baseline, second cycle', b, expectItems, 0);
        base2.push(b);
        ctx.log(`  second cycle ${r + 1}: ours ${describe(o)}; baseline ${describe(b)}`);
      }

      const med = (cs: Cycle[], f: (c: Cycle) => number) => median(cs.map(f));
      const oursMs = med(ours2, (c) => c.ms);
      const baseMs = med(base2, (c) => c.ms);
      return [
        {
          area: 'Polling',
          metric: `${fmt(feeds)} feeds × ${itemsPerFeed} items, second cycle (unchanged feeds): wall time`,
          ours: oursMs,
          baselineName: 'rss-parser 3.13 parseURL, sequential (no conditional GET)',
          baseline: baseMs,
          unit: 'ms',
          better: 'lower',
          note: `ours = pollSource per source, one after another as App.cycle does, validators kept in SQLite → ${ours2[0]!.server.notModified} × 304; baseline re-downloads and re-parses all; median of ${secondCycles} second cycles alternating, after one first cycle (ours ${fmt(ours1.ms)} ms, baseline ${fmt(base1.ms)} ms, all 200s) and a ${warm}-feed warm-up; server in its own process`,
        },
        {
          area: 'Polling',
          metric: `${fmt(feeds)} feeds × ${itemsPerFeed} items, second cycle: response bytes on the wire (status + headers + body)`,
          ours: med(ours2, (c) => c.server.wireBytes),
          baselineName: 'rss-parser 3.13 parseURL, sequential (no conditional GET)',
          baseline: med(base2, (c) => c.server.wireBytes),
          unit: 'bytes',
          better: 'lower',
          note: `counted by the server on its sockets; body bytes alone: ours ${fmt(med(ours2, (c) => c.server.bodyBytes))}, baseline ${fmt(med(base2, (c) => c.server.bodyBytes))}; requests ${fmt(med(ours2, (c) => c.server.requests))} each (ours ${fmt(med(ours2, (c) => c.server.conditional))} conditional); request bytes: ours ${fmt(med(ours2, (c) => c.server.requestBytes))}, baseline ${fmt(med(base2, (c) => c.server.requestBytes))}; no compression on either side`,
        },
      ] satisfies BenchRow[];
    } finally {
      await store.close();
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
