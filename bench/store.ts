/**
 * Store: claims/s and look-ups/s with a store that holds 1,000,000 kv keys plus 10,000 deliveries, on SQLite
 * (a temp file) and on Redis (a throwaway redis-server). Sequential, one client, one operation in flight.
 *
 * - claims/s: `claimDelivery` + `releaseDelivery` (atomic: one upsert into the WITHOUT ROWID claims table and
 *   one DELETE on SQLite, one Lua script on Redis) against the naive keyv claim many bots use: `kv.get(claimKey)`, then `kv.set(claimKey, owner, ttl)`
 *   when absent, then `kv.delete(claimKey)`, on the same store's keyv. The naive claim is not atomic: two
 *   claimers racing on one key can both win; the suite counts how often, for both, in the note.
 * - look-ups/s: `store.kv.get` of random existing `seen:` keys (what dedup does per feed item) against the floor
 *   under it: a raw better-sqlite3 prepared SELECT on the same file, or a raw @redis/client GET on the same server.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { createClient } from '@redis/client';
import { DeliverySchema, deliveryId, type Delivery, type DeliveryState } from '../src/core/delivery.js';
import { RedisStore } from '../src/store/redis-store.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { makeItem } from '../tests/support/items.js';
import { prng } from '../tests/support/prng.js';
import { startRedis } from '../tests/support/redis.js';
import type { BenchContext, BenchRow, BenchSuite } from './lib/rows.js';

interface Sizes {
  keys: number;
  deliveries: number;
  /** Operations per timed repetition. */
  claimOps: number;
  lookupOps: { sqlite: number; redis: number };
  reps: number;
  /** Two claimers racing on one fresh key, this many times, to count double claims. */
  races: number;
}

const FULL: Sizes = { keys: 1_000_000, deliveries: 10_000, claimOps: 4_000, lookupOps: { sqlite: 100_000, redis: 10_000 }, reps: 5, races: 200 };
const QUICK: Sizes = { keys: 20_000, deliveries: 300, claimOps: 300, lookupOps: { sqlite: 3_000, redis: 1_000 }, reps: 3, races: 20 };

const CHANNELS = ['x-main', 'bluesky-main'];
const SOURCES = 100;
const LEASE_MS = 60_000;

// ── the data ────────────────────────────────────────────────────────────────────────────────────────────────────

/** The i-th seen mark's key, as intake.ts writes it: seen:<channel>:<source>:<item id> (item ids are GUID URLs). */
function seenKey(i: number): string {
  const channel = CHANNELS[i % CHANNELS.length]!;
  const rest = Math.floor(i / CHANNELS.length);
  const source = `src-${String(rest % SOURCES).padStart(3, '0')}`;
  return `seen:${channel}:${source}:https://${source}.example.org/?p=${Math.floor(rest / SOURCES)}`;
}

/** keyv's serialised value of a seen mark (checked against a real `kv.set` before the bulk load). */
function seenValue(i: number): string {
  const hash = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0').repeat(4);
  const at = new Date(Date.UTC(2025, 0, 1) + i * 30_000).toISOString();
  return JSON.stringify({ value: { firstSeenAt: at, contentHash: hash } });
}

const STATES: DeliveryState[] = ['published', 'published', 'published', 'published', 'published', 'published', 'queued', 'queued', 'failed', 'dead'];

/** A delivery as the outbox writes one: a makeItem item, mostly published (a store's history), some pending. */
function makeDelivery(n: number): Delivery {
  const channelId = CHANNELS[n % CHANNELS.length]!;
  const sourceId = `src-${String(Math.floor(n / CHANNELS.length) % SOURCES).padStart(3, '0')}`;
  const item = makeItem(n, { sourceId, id: `https://${sourceId}.example.org/?p=${n}` });
  const state = STATES[n % STATES.length]!;
  const createdAt = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
  return DeliverySchema.parse({
    id: deliveryId(channelId, sourceId, item.id),
    channelId,
    sourceId,
    itemId: item.id,
    item,
    state,
    createdAt,
    updatedAt: createdAt,
    attempts: state === 'published' ? 1 : 0,
    thread: { platform: channelId.startsWith('x') ? 'x' : 'bluesky', parts: [{ text: `${item.title}\n\n${item.summary}` }, { text: item.url ?? '' }] },
    posts: state === 'published' ? [{ id: `post-${n}-0` }, { id: `post-${n}-1` }] : [],
    dryRun: false,
    history: [{ at: createdAt, event: 'queued' }, ...(state === 'published' ? [{ at: createdAt, event: 'published' }] : [])],
  });
}

// ── measuring ───────────────────────────────────────────────────────────────────────────────────────────────────

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `fn` over `inputs` once, sequentially; operations per second. */
async function opsPerSecond<T>(inputs: readonly T[], fn: (input: T) => unknown): Promise<number> {
  const t0 = performance.now();
  for (const input of inputs) await fn(input);
  return inputs.length / ((performance.now() - t0) / 1000);
}

/**
 * Ours and the baseline, alternately (the order swapped every repetition), after a warm-up of each; each
 * repetition draws fresh random inputs. Medians of the repetitions.
 */
async function compare<T>(
  ctx: BenchContext,
  label: string,
  reps: number,
  ops: number,
  draw: (n: number) => T[],
  ours: (input: T) => unknown,
  baseline: (input: T) => unknown,
): Promise<{ ours: number; baseline: number }> {
  await opsPerSecond(draw(Math.max(50, ops >> 2)), ours);
  await opsPerSecond(draw(Math.max(50, ops >> 2)), baseline);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < reps; r++) {
    const inputs = draw(ops);
    if (r % 2 === 0) {
      a.push(await opsPerSecond(inputs, ours));
      b.push(await opsPerSecond(inputs, baseline));
    } else {
      b.push(await opsPerSecond(inputs, baseline));
      a.push(await opsPerSecond(inputs, ours));
    }
  }
  const result = { ours: median(a), baseline: median(b) };
  ctx.log(`   ${label}: ours ${a.map((x) => Math.round(x)).join(' ')} /s, baseline ${b.map((x) => Math.round(x)).join(' ')} /s`);
  return result;
}

// ── the two backends ────────────────────────────────────────────────────────────────────────────────────────────

interface Backend {
  name: 'SQLite' | 'Redis';
  store: Store;
  /** The raw floor under `store.kv.get`: the backend's own read of the same stored key. */
  rawGet(kvKey: string): unknown;
  rawName: string;
  loadNote: string;
}

async function loadDeliveries(ctx: BenchContext, store: Store, n: number): Promise<string[]> {
  const ids: string[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const d = makeDelivery(i);
    if (!(await store.createDelivery(d))) throw new Error(`delivery ${d.id} already existed`);
    ids.push(d.id);
  }
  ctx.log(`   ${n.toLocaleString('en-US')} deliveries via createDelivery in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return ids;
}

/** One key through keyv, read back raw, must look exactly as the bulk loader writes them. */
async function checkSerialisation(store: Store, readRaw: (storedKey: string) => Promise<string | undefined>, prefix: string): Promise<void> {
  const probe = seenKey(0);
  await store.kv.set(probe, JSON.parse(seenValue(0)).value);
  const raw = await readRaw(prefix + probe);
  if (raw !== seenValue(0)) throw new Error(`keyv stores ${prefix}${probe} as ${raw}, not as the bulk loader would (${seenValue(0)})`);
  await store.kv.delete(probe);
}

async function sqliteBackend(ctx: BenchContext, dir: string, sizes: Sizes): Promise<{ backend: Backend; close(): Promise<void> }> {
  const file = path.join(dir, 'state.sqlite');
  const store = new SqliteStore(file);
  // A second connection to the same file: the bulk loader, then the raw baseline.
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  await checkSerialisation(store, async (k) => (db.prepare('SELECT value FROM kv WHERE key = ?').get(k) as { value: string } | undefined)?.value, 'tc:');
  const t0 = performance.now();
  // A page cache that holds the whole table while loading (keys arrive in no B-tree order), then back to
  // SQLite's default, which the store's own connection uses too.
  db.pragma('cache_size = -1000000');
  // seenKey(i) and seenValue(i) spelled in SQL, so one statement makes the million rows (checked below).
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?),
     p(i, channel, source, item, h) AS (
       SELECT i, CASE i % 2 WHEN 0 THEN '${CHANNELS[0]}' ELSE '${CHANNELS[1]}' END, printf('src-%03d', (i / 2) % ${SOURCES}), (i / 2) / ${SOURCES},
         printf('%08x', (i * 2654435761) % 4294967296) FROM n)
     INSERT INTO kv (key, value)
     SELECT 'tc:seen:' || channel || ':' || source || ':https://' || source || '.example.org/?p=' || item,
       '{"value":{"firstSeenAt":"' || strftime('%Y-%m-%dT%H:%M:%fZ', ${Date.UTC(2025, 0, 1) / 1000} + i * 30, 'unixepoch') ||
       '","contentHash":"' || h || h || h || h || '"}}'
     FROM p`,
  ).run(sizes.keys);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('cache_size = -2000');
  const check = db.prepare<[string], { value: string }>('SELECT value FROM kv WHERE key = ?');
  for (let j = 0; j < 1000; j++) {
    const i = j === 0 ? sizes.keys - 1 : Math.floor((j * 7919 * 104729) % sizes.keys);
    const got = check.get(`tc:${seenKey(i)}`)?.value;
    if (got !== seenValue(i)) throw new Error(`bulk row ${i}: ${got} is not ${seenValue(i)}`);
  }
  const count = (db.prepare('SELECT count(*) AS n FROM kv').get() as { n: number }).n;
  ctx.log(`   SQLite: ${count.toLocaleString('en-US')} kv rows loaded by one INSERT … SELECT in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (count !== sizes.keys) throw new Error(`expected ${sizes.keys} kv rows, found ${count}`);
  const select = db.prepare<[string], { value: string }>('SELECT value FROM kv WHERE key = ?');
  return {
    backend: {
      name: 'SQLite',
      store,
      rawGet: (k) => {
        if (select.get(`tc:${k}`) === undefined) throw new Error(`raw: no ${k}`);
      },
      rawName: 'better-sqlite3 12 prepared SELECT value FROM kv WHERE key = ? (same file)',
      loadNote: 'keys bulk-loaded by one INSERT … SELECT (2nd connection) as the exact rows keyv writes',
    },
    async close() {
      db.close();
      await store.close();
    },
  };
}

async function redisBackend(ctx: BenchContext, sizes: Sizes): Promise<{ backend: Backend; close(): Promise<void> }> {
  const server = await startRedis();
  const store = new RedisStore(server.url);
  const raw = createClient({ url: server.url });
  raw.on('error', () => undefined);
  try {
    await raw.connect();
    await checkSerialisation(store, async (k) => (await raw.get(k)) ?? undefined, 'threadcast::');
    const t0 = performance.now();
    // MSETs of 1,000 keys, 10 in flight at a time (pipelined on the one connection).
    const batch = 1_000;
    let inFlight: Promise<unknown>[] = [];
    for (let start = 0; start < sizes.keys; start += batch) {
      const args = ['MSET'];
      for (let i = start; i < Math.min(sizes.keys, start + batch); i++) args.push(`threadcast::${seenKey(i)}`, seenValue(i));
      inFlight.push(raw.sendCommand(args));
      if (inFlight.length >= 10) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    const count = await raw.dbSize();
    ctx.log(`   Redis: ${count.toLocaleString('en-US')} keys loaded by pipelined MSETs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (count !== sizes.keys) throw new Error(`expected ${sizes.keys} Redis keys, found ${count}`);
  } catch (err) {
    raw.destroy();
    await store.close();
    await server.stop();
    throw err;
  }
  return {
    backend: {
      name: 'Redis',
      store,
      rawGet: async (k) => {
        if ((await raw.get(`threadcast::${k}`)) === null) throw new Error(`raw: no ${k}`);
      },
      rawName: '@redis/client 5 GET (own connection, same server)',
      loadNote: 'keys bulk-loaded by pipelined MSETs of the exact values keyv writes',
    },
    async close() {
      raw.destroy();
      await store.close();
      await server.stop();
    },
  };
}

// ── the figures ─────────────────────────────────────────────────────────────────────────────────────────────────

async function measure(ctx: BenchContext, b: Backend, sizes: Sizes, ids: string[]): Promise<BenchRow[]> {
  const { store } = b;
  const rand = prng(b.name === 'SQLite' ? 1 : 2);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const owner = 'bench-host:4242:abcdef01';
  const area = `Store (${b.name})`;
  const keysText = `${sizes.keys.toLocaleString('en-US')} kv keys + ${sizes.deliveries.toLocaleString('en-US')} deliveries`;

  // Claims. Each op takes one random delivery and gives it back; the naive one must find the key free too.
  const claims = await compare(
    ctx,
    `${b.name} claims`,
    sizes.reps,
    sizes.claimOps,
    (n) => Array.from({ length: n }, () => pick(ids)),
    async (id) => {
      if (!(await store.claimDelivery(id, owner, LEASE_MS, Date.now()))) throw new Error(`claim of ${id} refused`);
      await store.releaseDelivery(id, owner);
    },
    async (id) => {
      const key = `claim:${id}`;
      if ((await store.kv.get(key)) !== undefined) throw new Error(`naive claim of ${id} found it taken`);
      await store.kv.set(key, owner, LEASE_MS);
      await store.kv.delete(key);
    },
  );

  // Races: two claimers on one free delivery at once, as two workers (or a retry and a tick) would.
  let naiveDouble = 0;
  let oursDouble = 0;
  for (let r = 0; r < sizes.races; r++) {
    const id = ids[r % ids.length]!;
    const key = `race:${b.name}:${r}`;
    const naive = async (who: string) => {
      if ((await store.kv.get(key)) !== undefined) return false;
      await store.kv.set(key, who, LEASE_MS);
      return true;
    };
    const won = await Promise.all([naive('a'), naive('b')]);
    if (won[0] && won[1]) naiveDouble++;
    await store.kv.delete(key);
    const now = Date.now();
    const ours = await Promise.all([store.claimDelivery(id, 'a', LEASE_MS, now), store.claimDelivery(id, 'b', LEASE_MS, now)]);
    if (ours[0] && ours[1]) oursDouble++;
    if (!ours[0] && !ours[1]) throw new Error(`neither claimer got ${id}`);
    await store.releaseDelivery(id, 'a');
    await store.releaseDelivery(id, 'b');
  }
  ctx.log(`   ${b.name} races: naive double claims ${naiveDouble}/${sizes.races}, ours ${oursDouble}/${sizes.races}`);

  // Look-ups of random existing seen marks.
  const lookups = await compare(
    ctx,
    `${b.name} look-ups`,
    sizes.reps,
    sizes.lookupOps[b.name === 'SQLite' ? 'sqlite' : 'redis'],
    (n) => Array.from({ length: n }, () => seenKey(Math.floor(rand() * sizes.keys))),
    async (key) => {
      if ((await store.kv.get(key)) === undefined) throw new Error(`kv: no ${key}`);
    },
    (key) => b.rawGet(key),
  );

  const sequential = 'sequential, one client, median of ' + sizes.reps;
  return [
    {
      area,
      metric: `claim + release of a random delivery, ${keysText}: claims/s`,
      ours: claims.ours,
      baselineName: 'naive keyv claim: await kv.get(key), then kv.set(key, owner, ttl), then kv.delete(key) (same store)',
      baseline: claims.baseline,
      unit: 'claims/s',
      better: 'higher',
      note: `${sequential}; atomic (${b.name === 'SQLite' ? 'one INSERT … ON CONFLICT … WHERE into a WITHOUT ROWID claims table' : 'one Lua script'}): 2 concurrent claimers both won ${oursDouble}/${sizes.races} races vs ${naiveDouble}/${sizes.races} for the naive get-then-set; ${b.loadNote}`,
    },
    {
      area,
      metric: `store.kv.get of a random existing seen: key, ${keysText}: look-ups/s`,
      ours: lookups.ours,
      baselineName: b.rawName,
      baseline: lookups.baseline,
      unit: 'look-ups/s',
      better: 'higher',
      note: `${sequential}; the baseline is the floor keyv (namespace, JSON, expiry check) adds to${b.name === 'Redis' ? ', as is the store\'s connect/deadline guard' : ''}`,
    },
  ];
}

export const run: BenchSuite = async (ctx) => {
  const sizes = ctx.quick ? QUICK : FULL;
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'threadcast-bench-store-'));
  try {
    ctx.log(`   SQLite store: ${sizes.keys.toLocaleString('en-US')} kv keys, ${sizes.deliveries.toLocaleString('en-US')} deliveries (${dir})`);
    const sqlite = await sqliteBackend(ctx, dir, sizes);
    try {
      const ids = await loadDeliveries(ctx, sqlite.backend.store, sizes.deliveries);
      rows.push(...(await measure(ctx, sqlite.backend, sizes, ids)));
    } finally {
      await sqlite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  if (!existsSync('/usr/bin/redis-server')) {
    ctx.log('   Redis rows skipped: /usr/bin/redis-server is not installed (apt-get install redis-server)');
    return rows;
  }
  ctx.log(`   Redis store: ${sizes.keys.toLocaleString('en-US')} keys, ${sizes.deliveries.toLocaleString('en-US')} deliveries`);
  const redis = await redisBackend(ctx, sizes);
  try {
    const ids = await loadDeliveries(ctx, redis.backend.store, sizes.deliveries);
    rows.push(...(await measure(ctx, redis.backend, sizes, ids)));
  } finally {
    await redis.close();
  }
  return rows;
};
