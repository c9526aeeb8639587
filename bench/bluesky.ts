/**
 * Bluesky: three-part threads on a real local PDS (`@atproto/pds` behind the test harness, which counts every
 * XRPC request per account).
 *
 * - Threadcast: the real `Outbox` (`enqueue` + `publishDue`, with the channel's `ChannelPacer` as `threadcast
 *   run` has it) driving the real `BlueskyPublisher` on a `SqliteStore` in a temp file; the channel is parsed by
 *   `ConfigSchema` with `cards: false`. It logs in once, keeps the session, and sends each thread as one
 *   `com.atproto.repo.applyWrites` commit.
 * - Baseline: `@humanwhocodes/crosspost`'s `Client` with a `BlueskyStrategy` (identifier, app password, `host`),
 *   as its README shows. It has no reply option, so a thread's three parts go as three separate top-level posts
 *   (`client.post(text)` each), and every post logs in anew (`createSession` + `createRecord`).
 *
 * Both sides post the same three texts per item (the composed Bluesky parts), without link cards or images, from
 * two separate accounts. The figures are measured in rounds that alternate which side goes first, after an
 * unmeasured warm-up from a third account; the PDS runs in this process (so its CPU time is in both sides'
 * wall time alike).
 */
import { BlueskyStrategy, Client } from '@humanwhocodes/crosspost';
import type { BlueskyChannelConfig } from '../src/platforms/bluesky/config.js';
import type { Item } from '../src/core/item.js';
import { composeForChannel } from '../src/platforms/compose-for-channel.js';
import { makeItem } from '../tests/support/items.js';
import { pdsClient, type PdsClient, type TestAccount } from '../tests/support/pds/client.js';
import { startPds } from '../tests/support/pds/start-pds.js';
import { alternateRounds, threadcastSide, type Side } from './lib/outbox-side.js';
import type { BenchRow, BenchSuite } from './lib/rows.js';

const POST_COLLECTION = 'app.bsky.feed.post';
const PARTS = 3;

/** Six sentences: exactly three parts on Bluesky with the default template (checked below). */
function benchItem(n: number): Item {
  const summary = Array.from(
    { length: 6 },
    (_, i) => `Sentence ${i + 1} of note ${n} explains one more detail of the garden plan for the coming season.`,
  ).join(' ');
  return makeItem(n, { summary, url: `https://news.example.org/articles/${n}` });
}

/** Threadcast's side on the PDS: the real Bluesky publisher behind the outbox, no link cards (as the baseline). */
function blueskySide(pdsUrl: string, account: TestAccount, channelId: string): Promise<Side & { channel: BlueskyChannelConfig }> {
  return threadcastSide<BlueskyChannelConfig>(
    { id: channelId, platform: 'bluesky', service: pdsUrl, identifier: account.handle, password: account.appPassword, cards: false },
    // The kit's publisher is built on first send (src/platforms/lazy-publisher.ts): live means not the dry-run stand-in.
    (publisher) => !publisher.dryRun && publisher.platform === 'bluesky',
  );
}

/**
 * crosspost builds `https://${host}/xrpc/…` with no way to say http. The harness is plain HTTP on loopback (as
 * Threadcast's side talks to it), so while the baseline runs, its https://HOST URLs are sent as http://HOST: same
 * transport for both sides, nothing else changed.
 */
async function withHttpFor<T>(host: string, job: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  const prefix = `https://${host}/`;
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
    original(typeof input === 'string' && input.startsWith(prefix) ? `http://${input.slice('https://'.length)}` : input, init)) as typeof fetch;
  try {
    return await job();
  } finally {
    globalThis.fetch = original;
  }
}

function crosspostSide(pdsUrl: string, account: TestAccount, textsOf: (item: Item) => string[]): Side {
  const host = new URL(pdsUrl).host;
  const client = new Client({ strategies: [new BlueskyStrategy({ identifier: account.handle, password: account.appPassword, host })] });
  return {
    post: (items) =>
      withHttpFor(host, async () => {
        for (const item of items) {
          for (const text of textsOf(item)) {
            const [result] = await client.post(text);
            if (!result?.ok) throw new Error(`crosspost failed: ${String((result as { reason?: unknown } | undefined)?.reason)}`);
          }
        }
      }),
    close: async () => undefined,
  };
}

interface Tally {
  total: number;
  byMethod: Record<string, number>;
}

async function tally(client: PdsClient, did: string): Promise<Tally> {
  const counts = await client.counts({ did });
  const byMethod: Record<string, number> = {};
  let total = 0;
  for (const [method, c] of Object.entries(counts)) {
    byMethod[method] = c.total;
    total += c.total;
    const failed = Object.entries(c.byStatus).filter(([status]) => !status.startsWith('2'));
    if (failed.length) throw new Error(`${method} had non-2xx answers for ${did}: ${JSON.stringify(c.byStatus)}`);
  }
  return { total, byMethod };
}

const perThread = (t: Tally, threads: number) =>
  Object.entries(t.byMethod)
    .sort(([, a], [, b]) => b - a)
    .map(([m, c]) => `${m.replace(/^com\.atproto\./, '')} ${+(c / threads).toFixed(2)}`)
    .join(', ');

export const run: BenchSuite = async (ctx) => {
  const threads = ctx.quick ? 5 : 100;
  // Small rounds that alternate which side goes first: load from other processes on this machine then falls on
  // both sides alike.
  const perRound = 5;
  const rounds = threads / perRound;
  ctx.log(`   bluesky: starting a local PDS`);
  const pds = await startPds({ lazy: false });
  ctx.log(`   bluesky: PDS up in ${pds.bootMs} ms at ${pds.url}`);
  const client = pdsClient(pds.url);
  const opened: Side[] = [];
  try {
    const [oursAccount, baseAccount, warmAccount] = [await client.createAccount('tcast'), await client.createAccount('xpost'), await client.createAccount('warmup')];
    const ours = await blueskySide(pds.url, oursAccount, 'bsky-bench');
    opened.push(ours);
    // The baseline posts exactly the parts Threadcast composed (same texts, numbering, link in part 1).
    const textsOf = (item: Item) => composeForChannel(item, ours.channel).parts.map((p) => p.text);
    const base = crosspostSide(pds.url, baseAccount, textsOf);

    const items = Array.from({ length: threads }, (_, i) => benchItem(i + 1));
    for (const item of items) {
      const n = textsOf(item).length;
      if (n !== PARTS) throw new Error(`item ${item.id} composes to ${n} parts, not ${PARTS}`);
    }

    // Unmeasured warm-up from a third account (JIT, PDS caches), both code paths.
    const warmOurs = await blueskySide(pds.url, warmAccount, 'bsky-warmup');
    opened.push(warmOurs);
    await warmOurs.post([benchItem(90_001), benchItem(90_002)]);
    await crosspostSide(pds.url, warmAccount, textsOf).post([benchItem(90_003)]);

    const { oursMs, baseMs } = await alternateRounds(items, perRound, ours, base, (done, o, b) =>
      ctx.log(`   bluesky: ${done}/${threads} threads each side; so far Threadcast ${(o / done).toFixed(1)} ms/thread, baseline ${(b / done).toFixed(1)} ms/thread`),
    );

    // Everything landed: 3 posts per thread on each account; Threadcast's parts are replies in one thread.
    const [oursPosts, basePosts] = [await client.listRecords(oursAccount.did, POST_COLLECTION), await client.listRecords(baseAccount.did, POST_COLLECTION)];
    if (oursPosts.length !== threads * PARTS || basePosts.length !== threads * PARTS) {
      throw new Error(`expected ${threads * PARTS} posts per side, found ours ${oursPosts.length}, baseline ${basePosts.length}`);
    }
    const replies = oursPosts.filter((p) => (p.value as { reply?: unknown }).reply).length;
    if (replies !== threads * (PARTS - 1)) throw new Error(`Threadcast: ${replies} replies, expected ${threads * (PARTS - 1)}`);
    if (basePosts.some((p) => (p.value as { reply?: unknown }).reply)) throw new Error('crosspost posted a reply?');

    const [oursTally, baseTally] = [await tally(client, oursAccount.did), await tally(client, baseAccount.did)];
    ctx.log(`   bluesky: Threadcast requests per thread: ${perThread(oursTally, threads)}`);
    ctx.log(`   bluesky: crosspost requests per thread: ${perThread(baseTally, threads)}`);

    const baselineName = 'crosspost 1.0.4 BlueskyStrategy via Client.post (3 separate posts, no reply refs)';
    const what = `${threads} 3-part threads, real local PDS`;
    return [
      {
        area: 'Bluesky',
        metric: `${what}: wall time per thread`,
        ours: oursMs / threads,
        baselineName,
        baseline: baseMs / threads,
        unit: 'ms',
        better: 'lower',
        note: `Outbox+SQLite included; ${rounds} round${rounds === 1 ? '' : 's'} of ${perRound} threads alternating which side goes first, after a warm-up; crosspost logs in before every post`,
      },
      {
        area: 'Bluesky',
        metric: `${what}: XRPC requests per thread`,
        ours: oursTally.total / threads,
        baselineName,
        baseline: baseTally.total / threads,
        unit: 'requests',
        better: 'lower',
        note: `counted by the PDS harness per account; ours: ${perThread(oursTally, threads)}; crosspost: ${perThread(baseTally, threads)}`,
      },
    ] satisfies BenchRow[];
  } finally {
    for (const side of opened) await side.close().catch(() => undefined);
    await pds.stop();
  }
};
