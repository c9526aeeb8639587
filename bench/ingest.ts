/**
 * Ingest: a 5,000-item RSS 2.0 feed and a 5,000-item Atom feed (generated, deterministic, neutral) taken in.
 *
 * Ours is the app's pipeline after the fetch, exactly as `readSource` and `App.pollRound` run it, in the shipped build
 * (dist/, bench/lib/shipped.ts): `parseFeed` (XML
 * checks, feedsmith, normalisation of every item: canonical URLs, dates, hashes, the Item schema; each body cleaned
 * — HTML → plain text and the cleaning stage — when intake first reads it) and then `intakeItems` (dedup against
 * seen marks, queueing into the outbox) on a real `SqliteStore` file with a real `Outbox`, in three scenarios:
 *
 * - `all`: a channel's first sight of the feed with backlog `all`, so every item is queued, and so cleaned;
 * - `first`: the same at the default backlog (1): every item is marked seen, the newest one is queued and cleaned;
 * - `repoll`: the feed polled again with the same items, from a server that sends no validators (so no 304), in a
 *   body that differs somewhere (a new `lastBuildDate`, say; a byte-identical body is answered as unchanged from
 *   its hash before any parsing, see the polling bench; here the same text is parsed again, which costs what a
 *   changed date would): every item is parsed and checked against its seen mark, none is cleaned or queued.
 *
 * The baseline is rss-parser's `parseString`, as its users call it: parsing alone. Ours does more work than the
 * baseline in every scenario.
 *
 * Every measurement runs in its own child process (this file, started with tsx), so ours and the baseline never
 * share a heap and each one's peak RSS (`process.resourceUsage().maxRSS`) is its own. Each child warms up on a
 * small feed of the same format, then takes in the big one once, timed, and reports. The children for ours and for
 * the baseline alternate, and the median of the repetitions is reported.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { articles, atomFeed, median, rssFeed } from './lib/feeds.js';
import type { BenchRow, BenchSuite } from './lib/rows.js';
import { shipped } from './lib/shipped.js';
import buildCli from '../tests/support/build-cli.js';

type Format = 'rss' | 'atom';
type Impl = 'ours' | 'baseline';
type Scenario = 'all' | 'first' | 'repoll';
const SCENARIOS: readonly Scenario[] = ['all', 'first', 'repoll'];

const FEED_URL = 'https://news.example.org/feed.xml';
const SELF = fileURLToPath(import.meta.url);

interface ChildReport {
  impl: Impl;
  format: Format;
  items: number;
  /** Ours: items queued into the outbox. */
  queued?: number;
  problems?: number;
  totalMs: number;
  /** Ours: parseFeed alone (parse + normalise; bodies are cleaned later, when intake reads them). */
  parseMs?: number;
  /** Ours: intakeItems alone (dedup, cleaning the bodies of the items it queues, queue into SQLite). */
  intakeMs?: number;
  /** Peak RSS of the whole child, KiB. */
  maxRssKiB: number;
  /** Peak RSS once the modules were loaded, before any feed was read, KiB. */
  loadedRssKiB: number;
}

// ── the child ────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Only what the measured side needs is imported (dynamically), so the baseline's process never loads the
 * application and ours never loads rss-parser.
 */
async function child(impl: Impl, format: Format, feedFile: string, warmupFile: string, dir: string, scenario: Scenario): Promise<ChildReport> {
  if (impl === 'baseline') {
    const { default: Parser } = await import('rss-parser');
    const parser = new Parser();
    const loadedRssKiB = process.resourceUsage().maxRSS;
    await parser.parseString(readFileSync(warmupFile, 'utf8'));
    const xml = readFileSync(feedFile, 'utf8');
    const t0 = performance.now();
    const feed = await parser.parseString(xml);
    const totalMs = performance.now() - t0;
    return { impl, format, items: feed.items.length, totalMs, maxRssKiB: process.resourceUsage().maxRSS, loadedRssKiB };
  }

  const [{ parseFeed }, { intakeItems }, { Outbox }, { SqliteStore }, { ConfigSchema }, { newClaimOwner }, { default: pino }] = await Promise.all([
    shipped<typeof import('../src/sources/parse-feed.js')>('sources/parse-feed.js'),
    shipped<typeof import('../src/outbox/intake.js')>('outbox/intake.js'),
    shipped<typeof import('../src/outbox/outbox.js')>('outbox/outbox.js'),
    shipped<typeof import('../src/store/sqlite-store.js')>('store/sqlite-store.js'),
    shipped<typeof import('../src/platforms/config-schema.js')>('platforms/config-schema.js'),
    shipped<typeof import('../src/store/claim-owner.js')>('store/claim-owner.js'),
    import('pino'),
  ]);
  const config = ConfigSchema.parse({
    store: `sqlite:${path.join(dir, 'unused.sqlite')}`,
    sources: [{ id: 'news', feed: FEED_URL, ...(scenario === 'all' ? { backlog: 'all' } : {}) }],
    channels: [{ id: 'bluesky-main', platform: 'bluesky' }],
  });
  const source = config.sources[0]!;
  const channelId = config.channels[0]!.id;
  const log = pino({ level: 'silent' });
  const loadedRssKiB = process.resourceUsage().maxRSS;

  // What readSource does once the body is fetched (each body cleaned when intake first reads it)…
  const parseAndIntake = async (xml: string, store: InstanceType<typeof SqliteStore>, outbox: InstanceType<typeof Outbox>) => {
    const t0 = performance.now();
    let late = 0;
    const parsed = parseFeed(xml, { sourceId: source.id, location: source.feed, baseUrl: source.feed, lateProblems: () => void late++ });
    const t1 = performance.now();
    // …and what App.pollRound does with the result, for each channel of the source.
    const result = await intakeItems(store, outbox, source.id, channelId, parsed.items, source.backlog, Date.now, source.onUpdate, source.review);
    const t2 = performance.now();
    return { items: parsed.items.length, problems: parsed.problems.length + late, queued: result.queued, parseMs: t1 - t0, intakeMs: t2 - t1, totalMs: t2 - t0 };
  };
  const take = async (xml: string, file: string) => {
    const store = new SqliteStore(file);
    const outbox = new Outbox(store, { owner: newClaimOwner(), retry: config.retry, log });
    try {
      const first = await parseAndIntake(xml, store, outbox);
      return scenario === 'repoll' ? await parseAndIntake(xml, store, outbox) : first;
    } finally {
      await store.close();
    }
  };
  await take(readFileSync(warmupFile, 'utf8'), path.join(dir, `warmup-${format}-${process.pid}.sqlite`));
  const measured = await take(readFileSync(feedFile, 'utf8'), path.join(dir, `ingest-${format}-${process.pid}.sqlite`));
  return { impl, format, ...measured, maxRssKiB: process.resourceUsage().maxRSS, loadedRssKiB };
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url && process.argv[2] === 'child') {
  const [impl, format, feedFile, warmupFile, dir, scenario] = process.argv.slice(3) as [Impl, Format, string, string, string, Scenario];
  const report = await child(impl, format, feedFile, warmupFile, dir, scenario);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

// ── the parent ───────────────────────────────────────────────────────────────────────────────────────────────────

function runChild(args: string[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), SELF, 'child', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const last = out.trim().split('\n').at(-1);
      if (code !== 0 || !last) return reject(new Error(`ingest child ${args.slice(0, 2).join(' ')} exited with ${code}: ${err.trim().slice(-2000)}`));
      resolve(JSON.parse(last) as ChildReport);
    });
  });
}

const mib = (kib: number) => kib / 1024;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export const run: BenchSuite = async (ctx) => {
  const n = ctx.quick ? 40 : 5000;
  const reps = ctx.quick ? 1 : 3;
  buildCli(); // before the children start, so none of them builds (quick mode starts them all at once)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadcast-bench-ingest-'));
  try {
    const big = articles(n, 1);
    const small = articles(ctx.quick ? 5 : 200, 2);
    const docs: Record<Format, { xml: string; warmup: string }> = {
      rss: { xml: rssFeed(big), warmup: rssFeed(small) },
      atom: { xml: atomFeed(big), warmup: atomFeed(small) },
    };
    const files = (format: Format) => [path.join(dir, `feed.${format}.xml`), path.join(dir, `warmup.${format}.xml`)] as const;
    for (const format of ['rss', 'atom'] as const) {
      writeFileSync(files(format)[0], docs[format].xml);
      writeFileSync(files(format)[1], docs[format].warmup);
    }
    // Quick mode only checks that everything runs: every child at once. Full runs never overlap two measurements.
    const kinds = ['baseline', ...SCENARIOS] as const;
    type Kind = (typeof kinds)[number];
    const childArgs = (format: Format, kind: Kind) => [kind === 'baseline' ? 'baseline' : 'ours', format, ...files(format), dir, kind === 'baseline' ? 'all' : kind];
    const quickReports = ctx.quick
      ? new Map(
          await Promise.all(
            (['rss', 'atom'] as const).flatMap((format) => kinds.map(async (kind) => [`${format} ${kind}`, await runChild(childArgs(format, kind))] as const)),
          ),
        )
      : undefined;
    const expectedQueued: Record<Scenario, number> = { all: n, first: 1, repoll: 0 };

    const rows: BenchRow[] = [];
    for (const format of ['rss', 'atom'] as const) {
      const bytes = Buffer.byteLength(docs[format].xml);
      const label = format === 'rss' ? 'RSS 2.0' : 'Atom 1.0';
      ctx.log(`ingest: ${label}, ${n} items, ${(bytes / 2 ** 20).toFixed(2)} MiB; ${reps} child process(es) per scenario and for the baseline`);

      const reports = new Map<Kind, ChildReport[]>(kinds.map((k) => [k, []]));
      for (let r = 0; r < reps; r++) {
        // The baseline between our scenarios, so every figure has it measured around the same time.
        for (const kind of ['all', 'baseline', 'first', 'repoll'] as const) {
          const report = quickReports?.get(`${format} ${kind}`) ?? (await runChild(childArgs(format, kind)));
          if (report.items !== n || (kind !== 'baseline' && report.queued !== expectedQueued[kind])) {
            throw new Error(`${kind} took in ${report.items} items (queued ${report.queued ?? '-'}) of ${n} from the ${label} feed`);
          }
          reports.get(kind)!.push(report);
          ctx.log(
            `  ${kind.padEnd(8)} run ${r + 1}: ${fmt(report.totalMs)} ms` +
              (report.parseMs !== undefined ? ` (parse+normalise ${fmt(report.parseMs)} ms, dedup+queue ${fmt(report.intakeMs!)} ms)` : '') +
              `, peak RSS ${mib(report.maxRssKiB).toFixed(1)} MiB (${mib(report.loadedRssKiB).toFixed(1)} MiB after loading)`,
          );
        }
      }

      const rate = (ms: number) => n / (ms / 1000);
      const base = reports.get('baseline')!;
      const baseRate = median(base.map((r) => rate(r.totalMs)));
      const what: Record<Scenario, { metric: string; intake: string }> = {
        all: {
          metric: 'first sight, backlog all: items/s, ours = parse + normalise + dedup + queue every item into SQLite',
          intake: 'dedup, body cleaning of every queued item, outbox writes; 1 channel, backlog all, so every item is queued and cleaned',
        },
        first: {
          metric: 'first sight, default backlog (1): items/s, ours = parse + normalise + dedup (all marked seen) + queue the newest',
          intake: 'dedup, seen marks for every item, the newest cleaned and queued',
        },
        repoll: {
          metric: 'polled again, same items in a changed body, no validators (so no 304): items/s, ours = parse + normalise + dedup, nothing queued',
          intake: `every item found in its seen mark: the ${fmt(n - 1)} left to the backlog by the mark alone, the one queued by its raw hash; none cleaned`,
        },
      };
      for (const scenario of SCENARIOS) {
        const ours = reports.get(scenario)!;
        rows.push({
          area: 'Ingest',
          metric: `${label}, ${fmt(n)} items (${(bytes / 2 ** 20).toFixed(1)} MiB), ${what[scenario].metric}`,
          ours: median(ours.map((r) => rate(r.totalMs))),
          baselineName: 'rss-parser 3.13 parseString (parse only)',
          baseline: baseRate,
          unit: 'items/s',
          better: 'higher',
          note: `ours does more work than the baseline: parseFeed alone (parse + normalise; bodies cleaned, and raw entries hashed, only when intake reads them) ${fmt(median(ours.map((r) => rate(r.parseMs!))))} items/s, intakeItems alone (${what[scenario].intake}) ${fmt(median(ours.map((r) => rate(r.intakeMs!))))} items/s; median of ${reps} child processes each, warm-up on a ${small.length}-item feed first`,
        });
      }
      const all = reports.get('all')!;
      rows.push({
        area: 'Ingest',
        metric: `${label}, ${fmt(n)} items: peak RSS of the process`,
        ours: mib(median(all.map((r) => r.maxRssKiB))),
        baselineName: 'rss-parser 3.13 parseString (parse only)',
        baseline: mib(median(base.map((r) => r.maxRssKiB))),
        unit: 'MiB',
        better: 'lower',
        note: `backlog all; maxRSS of a separate child process per measurement, median of ${reps}; after loading modules alone: ours ${mib(median(all.map((r) => r.loadedRssKiB))).toFixed(1)} MiB, baseline ${mib(median(base.map((r) => r.loadedRssKiB))).toFixed(1)} MiB; ours also holds the SQLite store`,
      });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
