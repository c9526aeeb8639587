/**
 * Idle: what `threadcast run` costs a machine between posts. The compiled CLI runs with 100 sources (feeds on a
 * local HTTP server that answers 304 to conditional requests, polled every minute), two dry-run channels and a
 * store holding 100,000 seen marks; after its first cycle, /proc/<pid> is sampled every second for 60 s:
 * median and peak VmRSS, and utime + stime per minute. Baselines, sampled the same way over the same window:
 * an idle Node process (`node -e "setInterval(() => {}, 1000)"`, the least any long-running bot does) and the
 * same `threadcast run` with 0 sources. In the same window: `threadcast run` on the shipped config
 * (config/threadcast.yaml and its sample feed, copied to a scratch folder, no credentials: what `npm start` runs).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parseFeed } from '../src/sources/parse-feed.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import buildCli, { BUILT_CLI } from '../tests/support/build-cli.js';
import { isRunning, killChildrenOnSignals, sampleProc, startWatched, stopWatched, type ProcSample, type Watched } from './lib/idle-proc.js';
import type { BenchContext, BenchRow, BenchSuite } from './lib/rows.js';


interface Sizes {
  sources: number;
  /** Seen marks per (source, channel): the feed's current items plus older ones that have scrolled out of it. */
  seenPerSource: number;
  feedItems: number;
  windowSeconds: number;
}

const FULL: Sizes = { sources: 100, seenPerSource: 500, feedItems: 10, windowSeconds: 60 };
const QUICK: Sizes = { sources: 10, seenPerSource: 20, feedItems: 10, windowSeconds: 5 };

const CHANNELS = ['x-main', 'bluesky-main'];
/** The shipped config and the sample feed it reads, as `npm start` runs them. */
const SHIPPED = ['threadcast.yaml', 'sample-feed.xml'].map((f) => path.resolve(import.meta.dirname, '../config', f));
const MiB = 2 ** 20;

const sourceId = (s: number) => `src-${String(s).padStart(3, '0')}`;

// ── the feeds ───────────────────────────────────────────────────────────────────────────────────────────────────

/** An RSS 2.0 feed of a site's newest `count` posts, newest first, the newest being post `newest`. */
function feedXml(s: number, newest: number, count: number): string {
  const id = sourceId(s);
  const items: string[] = [];
  for (let p = newest; p > newest - count; p--) {
    const date = new Date(Date.UTC(2026, 0, 1) + (s * 1000 + p) * 3_600_000).toUTCString();
    items.push(`    <item>
      <title>Update ${p} from ${id}: the council's budget, the river path and the new library hours</title>
      <link>https://${id}.example.org/${p}/budget-river-library/?utm_source=rss</link>
      <guid isPermaLink="false">https://${id}.example.org/?p=${p}</guid>
      <pubDate>${date}</pubDate>
      <category>News</category>
      <description><![CDATA[<p>The council approved the budget for next year on Tuesday. The river path gets new lighting along
      its 2.4 km, the central library opens on Sunday afternoons from December, and the bus line to the university
      runs every ten minutes at peak hours. Post ${p} of ${id}; details and the full minutes are on the site.</p>]]></description>
    </item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>${id} news</title>
    <link>https://${id}.example.org/</link>
    <description>Local news from ${id}</description>
    <language>en</language>
${items.join('\n')}
  </channel>
</rss>
`;
}

interface FeedServer {
  server: Server;
  base: string;
  counts: { full: number; notModified: number; other: number };
}

/** Each feed with a fixed ETag and Last-Modified; a request carrying either validator gets 304. */
async function startFeedServer(bodies: Map<string, string>): Promise<FeedServer> {
  const counts = { full: 0, notModified: 0, other: 0 };
  const lastModified = new Date(Date.UTC(2026, 0, 1)).toUTCString();
  const server = createServer((req, res) => {
    const name = /^\/feeds\/([a-z0-9-]+)\.xml$/.exec(req.url ?? '')?.[1];
    const body = name ? bodies.get(name) : undefined;
    if (!name || body === undefined) {
      counts.other++;
      res.writeHead(404).end();
      return;
    }
    const etag = `"${name}-v1"`;
    if (req.headers['if-none-match'] === etag || req.headers['if-modified-since'] === lastModified) {
      counts.notModified++;
      res.writeHead(304, { etag, 'last-modified': lastModified }).end();
      return;
    }
    counts.full++;
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag, 'last-modified': lastModified }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}`, counts };
}

// ── the store ───────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * The state of a bot that has run for a while: per source and channel, `seenPerSource` seen marks (the feed's
 * current items, with the content hash the parser gives them, and older ones that have left the feed), and the
 * primed mark, so the first poll finds nothing new. The current items' marks and the primed marks go through
 * SqliteStore.kv, as intake.ts writes them; the older marks (98% of them) are inserted in one transaction over a
 * second connection, as the very rows keyv writes (checked against one written through kv), which takes a
 * fraction of a second instead of 20 s of one-commit-per-key writes.
 */
async function seedStore(file: string, sizes: Sizes, bodies: Map<string, string>, base: string): Promise<number> {
  const at = new Date(Date.UTC(2026, 0, 1)).toISOString();
  const older: Array<[string, { firstSeenAt: string; contentHash: string }]> = [];
  let written = 0;
  let probe: { key: string; mark: { firstSeenAt: string; contentHash: string } } | undefined;
  const store = new SqliteStore(file);
  try {
    for (let s = 0; s < sizes.sources; s++) {
      const id = sourceId(s);
      const url = `${base}/feeds/${id}.xml`;
      const current = parseFeed(bodies.get(id)!, { sourceId: id, location: url, baseUrl: url }).items;
      if (current.length !== sizes.feedItems) throw new Error(`${id}: parsed ${current.length} items, expected ${sizes.feedItems}`);
      const inFeed = new Set(current.map((i) => i.id));
      for (const channel of CHANNELS) {
        for (const item of current) {
          const key = `seen:${channel}:${id}:${item.id}`;
          const mark = { firstSeenAt: at, contentHash: item.contentHash };
          await store.kv.set(key, mark);
          probe ??= { key, mark };
          written++;
        }
        for (let p = 0; p < sizes.seenPerSource - current.length; p++) {
          const itemId = `https://${id}.example.org/?p=${p}`;
          if (inFeed.has(itemId)) throw new Error(`${itemId} is in the feed`);
          older.push([`seen:${channel}:${id}:${itemId}`, { firstSeenAt: at, contentHash: ((p * 2654435761) >>> 0).toString(16).padStart(32, '0') }]);
        }
        await store.kv.set(`primed:${channel}:${id}`, at);
      }
    }
  } finally {
    await store.close();
  }
  const db = new Database(file);
  try {
    const row = db.prepare<[string], { key: string; value: string }>("SELECT key, value FROM kv WHERE key LIKE '%' || ?").get(probe!.key);
    if (!row || row.value !== JSON.stringify({ value: probe!.mark })) throw new Error(`keyv wrote ${probe!.key} as ${JSON.stringify(row)}, not as the bulk insert would`);
    const prefix = row.key.slice(0, row.key.length - probe!.key.length);
    const insert = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)');
    db.transaction(() => {
      for (const [key, mark] of older) insert.run(prefix + key, JSON.stringify({ value: mark }));
    })();
    written += older.length;
  } finally {
    db.close();
  }
  return written;
}

function configYaml(dir: string, sources: number, base: string): string {
  const lines = [
    `store: sqlite:${path.join(dir, 'state.sqlite')}`,
    'log:',
    '  level: info',
    '  format: json',
    'server:',
    '  port: 0',
    // Feed fetches are not behind the SSRF guard (that covers link-card pages and images); allowing 127.0.0.1
    // here changes nothing for them and keeps the config valid should it ever be.
    'web:',
    '  allowPrivateHosts: ["127.0.0.1"]',
    sources === 0 ? 'sources: []' : 'sources:',
  ];
  for (let s = 0; s < sources; s++) {
    lines.push(`  - id: ${sourceId(s)}`, `    feed: ${base}/feeds/${sourceId(s)}.xml`, '    pollEvery: "* * * * *"');
  }
  // No credentials: both channels run in dry-run.
  lines.push('channels:', `  - id: ${CHANNELS[0]}`, '    platform: x', `  - id: ${CHANNELS[1]}`, '    platform: bluesky');
  return `${lines.join('\n')}\n`;
}

// ── measuring ───────────────────────────────────────────────────────────────────────────────────────────────────

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(w: Watched, what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (!isRunning(w)) throw new Error(`${w.name} exited before ${what}:\n${w.stdout.slice(-1000)}${w.stderr.slice(-2000)}`);
    if (Date.now() > end) throw new Error(`${w.name}: no ${what} within ${timeoutMs / 1000} s:\n${w.stderr.slice(-2000)}`);
    await sleep(100);
  }
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

interface Figures {
  medianRss: number;
  peakRss: number;
  /** CPU seconds per minute: the scheduler's ns count when there is one, else utime + stime. */
  cpuPerMinute: number;
  /** utime + stime per minute, in whole 10 ms ticks. */
  ticksPerMinute: number;
  hwm: number;
}

function figures(samples: ProcSample[], seconds: number): Figures {
  const rss = samples.map((x) => x.rss);
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const ticksPerMinute = ((last.cpu - first.cpu) * 60) / seconds;
  const precise = first.cpuPrecise !== undefined && last.cpuPrecise !== undefined ? ((last.cpuPrecise - first.cpuPrecise) * 60) / seconds : undefined;
  return {
    medianRss: median(rss) / MiB,
    peakRss: Math.max(...rss) / MiB,
    cpuPerMinute: precise ?? ticksPerMinute,
    ticksPerMinute,
    hwm: last.hwm / MiB,
  };
}

export const run: BenchSuite = async (ctx: BenchContext) => {
  const sizes = ctx.quick ? QUICK : FULL;
  buildCli(); // rebuilds dist/ only when a file under src/ is newer than it
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build`);

  const bodies = new Map<string, string>();
  for (let s = 0; s < sizes.sources; s++) bodies.set(sourceId(s), feedXml(s, sizes.seenPerSource - 1, sizes.feedItems));
  const feeds = await startFeedServer(bodies);
  const dir = mkdtempSync(path.join(tmpdir(), 'threadcast-bench-idle-'));
  const dir0 = mkdtempSync(path.join(tmpdir(), 'threadcast-bench-idle0-'));
  const dirShipped = mkdtempSync(path.join(tmpdir(), 'threadcast-bench-idle-shipped-'));
  const procs: Watched[] = [];
  const removeDirs = () => {
    for (const d of [dir, dir0, dirShipped]) rmSync(d, { recursive: true, force: true });
  };
  const releaseSignals = killChildrenOnSignals(removeDirs);
  try {
    const t0 = Date.now();
    const seen = await seedStore(path.join(dir, 'state.sqlite'), sizes, bodies, feeds.base);
    ctx.log(`   seeded ${seen.toLocaleString('en-US')} seen marks (${sizes.sources} sources × ${CHANNELS.length} channels × ${sizes.seenPerSource}) (current items through SqliteStore.kv, older ones bulk-inserted) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // The 0-source baseline gets the same store file: the only difference is the sources.
    copyFileSync(path.join(dir, 'state.sqlite'), path.join(dir0, 'state.sqlite'));
    const config = path.join(dir, 'threadcast.yaml');
    const config0 = path.join(dir0, 'threadcast.yaml');
    writeFileSync(config, configYaml(dir, sizes.sources, feeds.base));
    writeFileSync(config0, configYaml(dir0, 0, feeds.base));

    const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_NO_WARNINGS: '1' };
    const idleNode = startWatched('node -e setInterval', process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { env });
    procs.push(idleNode);
    const zero = startWatched('threadcast run (0 sources)', process.execPath, [BUILT_CLI, '--config', config0, 'run'], { cwd: dir0, env });
    procs.push(zero);
    const ours = startWatched(`threadcast run (${sizes.sources} sources)`, process.execPath, [BUILT_CLI, '--config', config, 'run'], { cwd: dir, env });
    procs.push(ours);
    mkdirSync(path.join(dirShipped, 'config'));
    for (const file of SHIPPED) copyFileSync(file, path.join(dirShipped, 'config', path.basename(file)));
    const shipped = startWatched('threadcast run (shipped config)', process.execPath, [BUILT_CLI, 'run'], { cwd: dirShipped, env });
    procs.push(shipped);

    // The first cycle: every source polled (a full fetch each, nothing new), then a publish round.
    const started = Date.now();
    await waitFor(ours, 'web page line', () => ours.stdout.includes('web page:'), 60_000);
    await waitFor(ours, `${sizes.sources} polls`, () => count(ours.stderr, '"msg":"polled"') >= sizes.sources, 120_000);
    await waitFor(zero, 'leadership', () => zero.stdout.includes('web page:') && zero.stderr.includes('leader: this instance'), 60_000);
    // Its sample feed's items all go out (dry-run) in its first cycle: each is printed as a thread.
    await waitFor(shipped, 'its first poll and the dry-run threads', () => shipped.stderr.includes('"msg":"polled"') && shipped.stderr.includes('"msg":"dry-run: recorded as published"'), 60_000);
    ctx.log(`   first cycle of ${sizes.sources} sources done ${((Date.now() - started) / 1000).toFixed(1)} s after start (feeds: ${feeds.counts.full} full, ${feeds.counts.notModified} not modified)`);
    // Let the publish round after the polls finish.
    await sleep(ctx.quick ? 1000 : 3000);
    const queued = count(ours.stderr, '"queued":') - count(ours.stderr, '"queued":0');
    if (queued > 0) ctx.log(`   warning: ${queued} polls queued items; the seeded seen marks did not cover the feeds`);

    const watched = [ours, zero, idleNode, shipped];
    const samples: ProcSample[][] = watched.map(() => []);
    const before = { ...feeds.counts };
    const windowStart = Date.now();
    ctx.log(`   sampling /proc every second for ${sizes.windowSeconds} s`);
    for (let i = 0; i <= sizes.windowSeconds; i++) {
      await sleep(Math.max(0, windowStart + i * 1000 - Date.now()));
      watched.forEach((w, j) => {
        if (!isRunning(w)) throw new Error(`${w.name} exited during the window:\n${w.stderr.slice(-2000)}`);
        samples[j]!.push(sampleProc(w.pid));
      });
    }
    const seconds = (Date.now() - windowStart) / 1000;
    const polls = { full: feeds.counts.full - before.full, notModified: feeds.counts.notModified - before.notModified };
    const [f, f0, fn, fs] = samples.map((s) => figures(s, seconds)) as [Figures, Figures, Figures, Figures];
    for (const [w, x] of [[ours, f], [zero, f0], [idleNode, fn], [shipped, fs]] as const) {
      ctx.log(`   ${w.name}: RSS median ${x.medianRss.toFixed(1)} MiB, peak ${x.peakRss.toFixed(1)} MiB (VmHWM since start ${x.hwm.toFixed(1)} MiB), CPU ${x.cpuPerMinute.toFixed(4)} s/min (utime + stime: ${x.ticksPerMinute.toFixed(2)} s/min)`);
    }
    ctx.log(`   during the window the feeds answered ${polls.notModified} conditional polls with 304 and ${polls.full} with a full body`);

    for (const w of [...procs].reverse()) {
      const r = await stopWatched(w);
      if (r.forced) ctx.log(`   warning: ${w.name} ignored SIGTERM for 10 s and was killed`);
      else if (w !== idleNode && r.code !== 0) ctx.log(`   warning: ${w.name} exited with ${r.code ?? r.signal}`);
    }
    if (!ours.stderr.includes('"msg":"stopped"')) ctx.log(`   warning: ${ours.name} did not log "stopped"`);

    const what = `${sizes.sources} sources polled every minute (304s), 2 dry-run channels, ${seen.toLocaleString('en-US')} seen marks`;
    const how = `${samples[0]!.length} samples of /proc over ${Math.round(seconds)} s after the first cycle, all processes in the same window; ${polls.notModified} polls answered 304 in it`;
    const cpuHow = samples[0]![0]!.cpuPrecise !== undefined ? 'on-CPU ns from /proc/<pid>/task/*/schedstat' : 'utime + stime';
    const idleName = 'idle Node process: node -e "setInterval(() => {}, 1000)"';
    const zeroName = 'the same threadcast run with 0 sources';
    return [
      { area: 'Idle', metric: `threadcast run, ${what}: median RSS`, ours: f.medianRss, baselineName: idleName, baseline: fn.medianRss, unit: 'MiB', better: 'lower', note: `${how}; the ratio is Threadcast's overhead over a bare Node runtime` },
      { area: 'Idle', metric: `threadcast run, ${what}: peak RSS in the window`, ours: f.peakRss, baselineName: idleName, baseline: fn.peakRss, unit: 'MiB', better: 'lower', note: `VmHWM since start (first cycle included): ${f.hwm.toFixed(1)} MiB` },
      { area: 'Idle', metric: `threadcast run, ${what}: CPU time`, ours: f.cpuPerMinute, baselineName: idleName, baseline: fn.cpuPerMinute, unit: 'CPU s/min', better: 'lower', note: `${cpuHow}; utime + stime from /proc/<pid>/stat: ${f.ticksPerMinute.toFixed(2)} vs ${fn.ticksPerMinute.toFixed(2)} s/min (10 ms ticks)` },
      { area: 'Idle', metric: `threadcast run, ${what}: median RSS`, ours: f.medianRss, baselineName: zeroName, baseline: f0.medianRss, unit: 'MiB', better: 'lower', note: `what ${sizes.sources} sources and their polls add` },
      { area: 'Idle', metric: `threadcast run, ${what}: CPU time`, ours: f.cpuPerMinute, baselineName: zeroName, baseline: f0.cpuPerMinute, unit: 'CPU s/min', better: 'lower', note: `what polling ${sizes.sources} feeds a minute adds; utime + stime: ${f.ticksPerMinute.toFixed(2)} vs ${f0.ticksPerMinute.toFixed(2)} s/min` },
      {
        area: 'Idle',
        metric: 'threadcast run on the shipped config (config/threadcast.yaml: its sample feed, 2 dry-run channels, the editor page on): median RSS',
        ours: fs.medianRss,
        baselineName: idleName,
        baseline: fn.medianRss,
        unit: 'MiB',
        better: 'lower',
        note: `what \`npm start\` runs, after its first cycle printed the sample feed's threads; same window and sampling; peak in the window ${fs.peakRss.toFixed(1)} MiB, VmHWM since start ${fs.hwm.toFixed(1)} MiB`,
      },
    ];
  } finally {
    await Promise.all(procs.map((w) => stopWatched(w, 3000)));
    releaseSignals();
    const closed = new Promise<void>((resolve) => feeds.server.close(() => resolve()));
    feeds.server.closeAllConnections();
    await closed;
    removeDirs();
  }
};
