/**
 * Polling: 100 and 1,000 distinct small feeds (~20 items each, RSS 2.0 and Atom alternating) on local HTTP servers
 * that answer every request after 150 ms (a network's latency), send ETag and Last-Modified, and answer a matching
 * conditional request with 304 Not Modified. The feeds are spread in turn over 50 loopback hosts (127.0.0.1–50), as
 * feeds are spread over sites; on one host our per-host cap (4) would bind by design.
 *
 * Ours is the app's real poll round, in the shipped build (dist/, bench/lib/shipped.ts): `App.pollRound` over one
 * source per feed (the pool: 16 at once, 4 per host; fetch, parse, validators and health marks kept in a real
 * `SqliteStore`) with one channel (dry-run) that takes every source at the default backlog of 1, as an operator's
 * first run does: each feed's newest item queued, the others marked seen. The baseline is 16 workers
 * of Node's fetch + rss-parser's `parseString` over the same URLs; it sends no conditional headers. Each repetition
 * runs, alternating ours and the baseline: a first cycle (ours on a fresh store, so all 200s), then an unchanged
 * cycle (ours all 304s; the baseline downloads and parses everything again). Medians are reported. Then the same
 * on 100 feeds from servers that send no validators, as many do: both sides download every feed again, and the
 * figure is CPU time, since ours answers an unchanged body from its hash without parsing it.
 *
 * The servers run in their own child process (this file, started with tsx), so serving costs neither side CPU time
 * in the measuring process; they count requests, status codes, response body bytes and the bytes written to the
 * sockets (status line + headers + body), and report them over IPC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { articles, atomFeed, median, rssFeed } from './lib/feeds.js';
import type { BenchRow, BenchSuite } from './lib/rows.js';
import { shipped } from './lib/shipped.js';

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
type FromServer = { kind: 'ready'; ports: number[]; feedBytes: number } | { kind: 'stats'; id: number; stats: ServerStats };

const HOSTS = 50;
const LATENCY_MS = 150;
const WORKERS = 16;
const hostAddress = (h: number) => `127.0.0.${h + 1}`;

// ── the server (child process) ───────────────────────────────────────────────────────────────────────────────────

function serve(feeds: number, itemsPerFeed: number, hosts: number, latencyMs: number, validators: boolean): void {
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

  const answer = (req: IncomingMessage, res: ServerResponse) => {
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
    const headers = validators ? { etag: doc.etag, 'last-modified': doc.lastModified, 'cache-control': 'max-age=0, must-revalidate' } : {};
    if (validators && fresh) {
      stats.notModified++;
      res.writeHead(304, headers).end();
      return;
    }
    stats.ok++;
    stats.bodyBytes += doc.body.length;
    res.writeHead(200, { ...headers, 'content-type': doc.type, 'content-length': doc.body.length });
    res.end(req.method === 'HEAD' ? undefined : doc.body);
  };
  const onConnection = (socket: Socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.on('close', () => {
      closedWritten += socket.bytesWritten;
      closedRead += socket.bytesRead;
      sockets.delete(socket);
    });
  };
  const ports: number[] = [];
  for (let h = 0; h < hosts; h++) {
    // Every answer, 304s included, after the latency: the round trip a real network would cost.
    const server = createServer((req, res) => void setTimeout(() => answer(req, res), latencyMs));
    server.keepAliveTimeout = 60_000;
    server.on('connection', onConnection);
    server.listen(0, hostAddress(h), () => {
      ports[h] = (server.address() as AddressInfo).port;
      if (ports.filter((p) => p !== undefined).length === hosts) process.send!({ kind: 'ready', ports, feedBytes } satisfies FromServer);
    });
  }
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
  serve(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6]), process.argv[7] === 'validators');
}

// ── the parent ───────────────────────────────────────────────────────────────────────────────────────────────────

class FeedServer {
  private nextId = 0;
  private readonly waiting = new Map<number, (s: ServerStats) => void>();

  private constructor(
    private readonly proc: ChildProcess,
    private readonly ports: number[],
    readonly feedBytes: number,
  ) {
    proc.on('message', (msg: FromServer) => {
      if (msg.kind === 'stats') {
        this.waiting.get(msg.id)?.(msg.stats);
        this.waiting.delete(msg.id);
      }
    });
  }

  /** Feed `i`, on host i mod HOSTS. */
  url(i: number): string {
    const h = i % this.ports.length;
    return `http://${hostAddress(h)}:${this.ports[h]}/feeds/${i}.xml`;
  }

  static start(feeds: number, itemsPerFeed: number, hosts: number, latencyMs: number, validators = true): Promise<FeedServer> {
    const args = [SELF, 'serve', String(feeds), String(itemsPerFeed), String(hosts), String(latencyMs), validators ? 'validators' : 'none'];
    const proc = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), ...args], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      proc.once('error', reject);
      proc.once('exit', (code) => reject(new Error(`feed server exited with ${code} before it was ready`)));
      proc.once('message', (msg: FromServer) => {
        if (msg.kind === 'ready') resolve(new FeedServer(proc, msg.ports, msg.feedBytes));
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
  /** CPU time of the measuring process over the cycle (the servers are in their own). */
  cpuMs: number;
  /** Ours: deliveries queued in the cycle. */
  queued?: number;
  server: ServerStats;
  items: number;
  notModified: number;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

type Round = () => Promise<{ items: number; notModified: number; queued?: number }>;

export const run: BenchSuite = async (ctx) => {
  const rows: BenchRow[] = [];
  for (const feeds of ctx.quick ? [8] : [100, 1000]) rows.push(...(await measure(ctx, feeds, true)));
  // Many feed servers send no validators (or new ones with every answer): both sides download everything again.
  rows.push(...(await measure(ctx, ctx.quick ? 8 : 100, false)));
  return rows;
};

async function measure(ctx: Parameters<BenchSuite>[0], feeds: number, validators: boolean): Promise<BenchRow[]> {
  const itemsPerFeed = ctx.quick ? 5 : 20;
  const reps = ctx.quick ? 1 : feeds >= 1000 ? 3 : 5;
  const hosts = Math.min(HOSTS, feeds);

  const [{ App }, { SqliteStore }, { ConfigSchema }, { default: pino }, { default: Parser }] = await Promise.all([
    shipped<typeof import('../src/app/app.js')>('app/app.js'),
    shipped<typeof import('../src/store/sqlite-store.js')>('store/sqlite-store.js'),
    shipped<typeof import('../src/platforms/config-schema.js')>('platforms/config-schema.js'),
    import('pino'),
    import('rss-parser'),
  ]);

  const server = await FeedServer.start(feeds, itemsPerFeed, hosts, LATENCY_MS, validators);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadcast-bench-polling-'));
  const log = pino({ level: 'silent' });
  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    ctx.log(`polling: ${feeds} feeds × ${itemsPerFeed} items on ${hosts} loopback hosts, ${LATENCY_MS} ms latency, ${(server.feedBytes / 2 ** 20).toFixed(1)} MiB in all${validators ? '' : ', no validators'}`);
    const urls = Array.from({ length: feeds }, (_, i) => server.url(i));
    // The app's config, as an operator would write it: one source per feed, default limits and polling.
    const config = ConfigSchema.parse({
      store: `sqlite:${path.join(dir, 'unused.sqlite')}`,
      sources: urls.map((feed, i) => ({ id: `feed-${i}`, feed })),
      // No credentials: dry-run. Polling only queues; nothing is published in a round.
      channels: [{ id: 'bluesky-main', platform: 'bluesky' }],
    });

    const timed = async (round: Round): Promise<Cycle> => {
      const before = await server.stats();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await round();
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      return { ms, cpuMs: (cpu.user + cpu.system) / 1000, server: diff(before, await server.stats()), ...r };
    };
    let stores = 0;
    /** A fresh app on a fresh store: its first round sees every feed for the first time. */
    const freshApp = () => {
      const store = new SqliteStore(path.join(dir, `threadcast-${stores++}.sqlite`));
      const app = new App({ config, store, log, out: new PassThrough() });
      opened.push({ close: () => app.close().then(() => store.close()) });
      return app;
    };
    const oursRound = (app: InstanceType<typeof App>, sources = config.sources): Round => async () => {
      const reports = await app.pollRound(sources);
      const failed = reports.filter((r) => !r.ok);
      if (failed.length) throw new Error(`ours: ${failed.length} source(s) failed, e.g. ${failed[0]!.error}`);
      return { items: reports.reduce((n, r) => n + (r.items ?? 0), 0), notModified: reports.filter((r) => r.notModified).length, queued: reports.reduce((n, r) => n + (r.queued ?? 0), 0) };
    };
    const parser = new Parser();
    const baselineRound = (list = urls): Round => async () => {
      let next = 0;
      let items = 0;
      const worker = async () => {
        while (next < list.length) {
          const res = await fetch(list[next++]!);
          items += (await parser.parseString(await res.text())).items.length;
        }
      };
      await Promise.all(Array.from({ length: WORKERS }, worker));
      return { items, notModified: 0 };
    };

    // Warm-up on a few feeds: JIT, module caches, connection pools.
    const warm = Math.min(feeds, ctx.quick ? 2 : 32);
    const warmApp = freshApp();
    await oursRound(warmApp, config.sources.slice(0, warm))();
    await oursRound(warmApp, config.sources.slice(0, warm))();
    await baselineRound(urls.slice(0, warm))();

    const expectItems = feeds * itemsPerFeed;
    const check = (who: string, c: Cycle, items: number, notModified: number) => {
      if (c.items !== items || c.notModified !== notModified || c.server.requests !== feeds) {
        throw new Error(`${who}: ${c.items} items, ${c.notModified} not modified, ${c.server.requests} requests; expected ${items}, ${notModified}, ${feeds}`);
      }
    };
    const describe = (c: Cycle) =>
      `${fmt(c.ms)} ms, ${c.server.requests} requests on ${c.server.connections} new connection(s) (${c.server.ok} × 200, ${c.server.notModified} × 304), on the wire ${fmt(c.server.wireBytes)} B`;

    const ours1: Cycle[] = [];
    const base1: Cycle[] = [];
    const ours2: Cycle[] = [];
    const base2: Cycle[] = [];
    for (let r = 0; r < reps; r++) {
      const app = freshApp();
      const o1 = await timed(oursRound(app));
      check('ours, first cycle', o1, expectItems, 0);
      if (o1.queued !== feeds) throw new Error(`ours, first cycle: ${o1.queued} queued; expected ${feeds} (backlog 1 per feed)`);
      const b1 = await timed(baselineRound());
      check('baseline, first cycle', b1, expectItems, 0);
      const o2 = await timed(oursRound(app));
      check('ours, unchanged cycle', o2, 0, feeds);
      const b2 = await timed(baselineRound());
      check('baseline, unchanged cycle', b2, expectItems, 0);
      ours1.push(o1);
      base1.push(b1);
      ours2.push(o2);
      base2.push(b2);
      ctx.log(`  rep ${r + 1}: first: ours ${describe(o1)}; baseline ${describe(b1)}`);
      ctx.log(`  rep ${r + 1}: unchanged: ours ${describe(o2)}; baseline ${describe(b2)}`);
    }

    const med = (cs: Cycle[], f: (c: Cycle) => number) => median(cs.map(f));
    const baselineName = `${WORKERS} workers: Node fetch + rss-parser 3.13 parseString (no conditional GET)`;
    const setup = `${fmt(feeds)} feeds × ${itemsPerFeed} items on ${hosts} loopback hosts, ${LATENCY_MS} ms latency`;
    const how = `ours = App.pollRound (pool of ${config.polling.concurrency}, ${config.polling.perHost} per host; fetch, parse, validators and health marks in SQLite, one dry-run channel at backlog 1); median of ${reps} repetitions alternating ours and the baseline, after a ${warm}-feed warm-up; servers in their own process`;
    if (!validators) {
      return [
        {
          area: 'Polling',
          metric: `${setup}, servers sending no validators, unchanged cycle: CPU time of the measuring process`,
          ours: med(ours2, (c) => c.cpuMs),
          baselineName,
          baseline: med(base2, (c) => c.cpuMs),
          unit: 'ms',
          better: 'lower',
          note: `both download every feed again (${ours2[0]!.server.ok} × 200); ours finds each body's hash equal to the one it parsed last time and parses none (${ours2[0]!.notModified} not modified), the baseline parses all; wall time: ours ${fmt(med(ours2, (c) => c.ms))} ms, baseline ${fmt(med(base2, (c) => c.ms))} ms; ${how}`,
        },
      ];
    }
    const rows: BenchRow[] = [
      {
        area: 'Polling',
        metric: `${setup}, first cycle (all 200): wall time`,
        ours: med(ours1, (c) => c.ms),
        baselineName,
        baseline: med(base1, (c) => c.ms),
        unit: 'ms',
        better: 'lower',
        note: `${how}; ours on a fresh store each time (${fmt(ours1[0]!.queued ?? 0)} queued, the rest marked seen); CPU time of the measuring process: ours ${fmt(med(ours1, (c) => c.cpuMs))} ms, baseline ${fmt(med(base1, (c) => c.cpuMs))} ms`,
      },
      {
        area: 'Polling',
        metric: `${setup}, unchanged cycle: wall time`,
        ours: med(ours2, (c) => c.ms),
        baselineName,
        baseline: med(base2, (c) => c.ms),
        unit: 'ms',
        better: 'lower',
        note: `ours sends the validators it kept → ${ours2[0]!.server.notModified} × 304; the baseline downloads and parses all again; ${how}`,
      },
    ];
    if (feeds >= 1000 || ctx.quick) {
      rows.push({
        area: 'Polling',
        metric: `${setup}, unchanged cycle: response bytes on the wire (status + headers + body)`,
        ours: med(ours2, (c) => c.server.wireBytes),
        baselineName,
        baseline: med(base2, (c) => c.server.wireBytes),
        unit: 'bytes',
        better: 'lower',
        note: `counted by the servers on their sockets; body bytes alone: ours ${fmt(med(ours2, (c) => c.server.bodyBytes))}, baseline ${fmt(med(base2, (c) => c.server.bodyBytes))}; requests ${fmt(feeds)} each (ours ${fmt(med(ours2, (c) => c.server.conditional))} conditional); request bytes: ours ${fmt(med(ours2, (c) => c.server.requestBytes))}, baseline ${fmt(med(base2, (c) => c.server.requestBytes))}; no compression on either side`,
      });
    }
    return rows;
  } finally {
    for (const o of opened) await o.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
