/**
 * X: three-part threads with a link on the strict X emulator (tests/support/x-emulator), which logs every request
 * and keeps every post.
 *
 * - Threadcast: the real `Outbox` (`enqueue` + `publishDue`, with the channel's `ChannelPacer` as `threadcast
 *   run` has it) driving the real `XPublisher` (OAuth 1.0a) on a `SqliteStore` in a temp file; the channel is
 *   parsed by `ConfigSchema` with `apiBase` = the emulator and the default template (link in part 1 only).
 * - Baseline: twitter-api-v2's `client.v2.tweetThread([...])`, aimed at the emulator with the library's own
 *   plugin hook (`onBeforeRequestConfig` rewrites the host before signing) and a keep-alive `http.Agent` (the
 *   library's default is Node's keep-alive https global agent; the emulator is plain http). Same item text, but
 *   the link in every part, as many crossposters do (composed with `template.link: 'every'`, also 3 parts).
 *
 * Dollars are priced the same way for both sides, from what the emulator stored: each post's text goes through
 * twitter-text URL extraction (`findUrls`, what `composeForX` uses) and `estimateXCostUsd` with the config's
 * default prices ($0.015 a post, $0.20 a post with a URL). Separate emulator users per side; rounds alternate
 * which side goes first, after an unmeasured warm-up from a third user.
 */
import http from 'node:http';
import { TwitterApi } from 'twitter-api-v2';
import { estimateXCostUsd } from '../src/platforms/x/compose.js';
import { type XPart } from '../src/platforms/x/parts.js';
import { findUrls } from '../src/compose/urls.js';
import type { XChannelConfig } from '../src/platforms/x/config.js';
import type { Item } from '../src/core/item.js';
import { composeForChannel } from '../src/platforms/compose-for-channel.js';
import { makeItem } from '../tests/support/items.js';
import { emulatorClientSettings, startXEmulator, type XEmulator } from '../tests/support/x-emulator/index.js';
import { alternateRounds, threadcastSide, type Side } from './lib/outbox-side.js';
import type { BenchRow, BenchSuite } from './lib/rows.js';

const PARTS = 3;
/** The emulator's posting window for this run; Threadcast's own caps are set to the same, so neither side waits. */
const POST_WINDOW = { limit: 100_000, windowMs: 60_000 };

/** Six sentences and a real https link: exactly three parts on X, with the link once or in every part (checked). */
function benchItem(n: number): Item {
  const summary = Array.from(
    { length: 6 },
    (_, i) => `Sentence ${i + 1} of note ${n} explains one more detail of the garden plan for the coming season.`,
  ).join(' ');
  return makeItem(n, { summary, url: `https://news.example.org/articles/${n}` });
}

type OAuth1User = ReturnType<XEmulator['addOAuth1User']>;

/** Threadcast's side on the emulator: the real X publisher behind the outbox, with the emulator's posting window. */
function xSide(x: XEmulator, user: OAuth1User, channelId: string): Promise<Side & { channel: XChannelConfig }> {
  return threadcastSide<XChannelConfig>(
    {
      id: channelId,
      platform: 'x',
      apiBase: x.url,
      appKey: user.appKey,
      appSecret: user.appSecret,
      accessToken: user.accessToken,
      accessSecret: user.accessSecret,
      limits: { postsPer15Minutes: POST_WINDOW.limit },
    },
    // The kit's publisher is built on first send (src/platforms/lazy-publisher.ts): live means not the dry-run stand-in.
    (publisher) => !publisher.dryRun && publisher.platform === 'x',
  );
}

function twitterApiSide(x: XEmulator, user: OAuth1User, textsOf: (item: Item) => string[]): Side {
  const agent = new http.Agent({ keepAlive: true });
  const client = new TwitterApi(
    { appKey: user.appKey, appSecret: user.appSecret, accessToken: user.accessToken, accessSecret: user.accessSecret },
    emulatorClientSettings(x.url, { httpAgent: agent }),
  );
  return {
    async post(items) {
      for (const item of items) {
        const texts = textsOf(item);
        const posted = await client.v2.tweetThread(texts);
        if (posted.length !== texts.length) throw new Error(`tweetThread posted ${posted.length} of ${texts.length}`);
      }
    },
    close: async () => agent.destroy(),
  };
}

/** Requests the emulator logged for a user, by "METHOD path" (ids folded), and the non-2xx ones. */
function requestsOf(x: XEmulator, userId: string) {
  const byRoute: Record<string, number> = {};
  let total = 0;
  let failed = 0;
  for (const r of x.requests()) {
    if (r.userId !== userId) continue;
    total += 1;
    if (r.status < 200 || r.status >= 300) failed += 1;
    const route = `${r.method} ${r.path.replace(/\/\d{3,}(?=\/|$)/g, '/:id')}`;
    byRoute[route] = (byRoute[route] ?? 0) + 1;
  }
  return { total, failed, byRoute };
}

/** Dollars for what the emulator stored for this user, priced by URL detection on each post's text. */
function dollarsOf(x: XEmulator, userId: string, prices: XChannelConfig['prices']): { usd: number; posts: number; withUrl: number } {
  const parts: XPart[] = x.posts(userId).map((p) => ({ text: p.text, weightedLength: 0, containsUrl: findUrls(p.text).length > 0 }));
  return { usd: estimateXCostUsd(parts, prices), posts: parts.length, withUrl: parts.filter((p) => p.containsUrl).length };
}

/** Every thread a chain: root, then each part replying to the one before. */
function checkChains(x: XEmulator, userId: string, threads: number): void {
  const byConversation = new Map<string, string[]>();
  for (const p of x.posts(userId)) {
    const chain = byConversation.get(p.conversationId) ?? [];
    if ((p.inReplyTo ?? null) !== (chain.at(-1) ?? null)) throw new Error(`post ${p.id} does not continue its thread`);
    chain.push(p.id);
    byConversation.set(p.conversationId, chain);
  }
  const lengths = [...byConversation.values()].map((c) => c.length);
  if (lengths.length !== threads || lengths.some((l) => l !== PARTS)) throw new Error(`expected ${threads} threads of ${PARTS}, got ${JSON.stringify(lengths)}`);
}

export const run: BenchSuite = async (ctx) => {
  const threads = ctx.quick ? 5 : 100;
  // Small rounds that alternate which side goes first: load from other processes on this machine then falls on
  // both sides alike.
  const perRound = 5;
  const rounds = threads / perRound;
  const x = await startXEmulator({ postWindow: POST_WINDOW });
  ctx.log(`   x: emulator at ${x.url}`);
  const opened: Side[] = [];
  try {
    const [oursUser, baseUser, warmUser] = [x.addOAuth1User({ username: 'threadcast' }), x.addOAuth1User({ username: 'twitterapi' }), x.addOAuth1User({ username: 'warmup' })];
    const ours = await xSide(x, oursUser, 'x-bench');
    opened.push(ours);
    const linkEvery = { platform: 'x' as const, template: { ...ours.channel.template, link: 'every' as const } };
    const textsOf = (item: Item) => composeForChannel(item, linkEvery).parts.map((p) => p.text);
    const base = twitterApiSide(x, baseUser, textsOf);
    opened.push(base);

    const items = Array.from({ length: threads }, (_, i) => benchItem(i + 1));
    for (const item of items) {
      const oursParts = composeForChannel(item, ours.channel).parts as unknown as XPart[];
      const baseTexts = textsOf(item);
      if (oursParts.length !== PARTS || baseTexts.length !== PARTS) throw new Error(`item ${item.id}: ${oursParts.length} / ${baseTexts.length} parts, not ${PARTS}`);
      if (!baseTexts.every((t) => t.includes(item.url!))) throw new Error(`item ${item.id}: the baseline's link is not in every part`);
    }

    // Unmeasured warm-up from a third user (JIT, sockets), both code paths.
    const warmOurs = await xSide(x, warmUser, 'x-warmup');
    opened.push(warmOurs);
    await warmOurs.post([benchItem(90_001), benchItem(90_002)]);
    const warmBase = twitterApiSide(x, warmUser, textsOf);
    opened.push(warmBase);
    await warmBase.post([benchItem(90_003), benchItem(90_004)]);

    const { oursMs, baseMs } = await alternateRounds(items, perRound, ours, base, (done, o, b) =>
      ctx.log(`   x: ${done}/${threads} threads each side; so far Threadcast ${(o / done).toFixed(1)} ms/thread, baseline ${(b / done).toFixed(1)} ms/thread`),
    );

    checkChains(x, oursUser.userId, threads);
    checkChains(x, baseUser.userId, threads);
    const [oursReq, baseReq] = [requestsOf(x, oursUser.userId), requestsOf(x, baseUser.userId)];
    if (oursReq.failed || baseReq.failed) throw new Error(`non-2xx answers: Threadcast ${oursReq.failed}, twitter-api-v2 ${baseReq.failed}`);
    const [oursUsd, baseUsd] = [dollarsOf(x, oursUser.userId, ours.channel.prices), dollarsOf(x, baseUser.userId, ours.channel.prices)];
    const routes = (r: ReturnType<typeof requestsOf>) =>
      Object.entries(r.byRoute)
        .map(([route, n]) => `${route} ${+(n / threads).toFixed(2)}`)
        .join(', ');
    ctx.log(`   x: Threadcast requests per thread: ${routes(oursReq)}; ${oursUsd.withUrl}/${oursUsd.posts} posts with a URL`);
    ctx.log(`   x: twitter-api-v2 requests per thread: ${routes(baseReq)}; ${baseUsd.withUrl}/${baseUsd.posts} posts with a URL`);

    const baselineName = 'twitter-api-v2 1.29.1 v2.tweetThread (link in every part)';
    const what = `${threads} 3-part threads with a link, X emulator`;
    return [
      {
        area: 'X',
        metric: `${what}: API requests per thread`,
        ours: oursReq.total / threads,
        baselineName,
        baseline: baseReq.total / threads,
        unit: 'requests',
        better: 'lower',
        note: `emulator request log per user; ours: ${routes(oursReq)} (no timeline reads or other extras); baseline: ${routes(baseReq)}`,
      },
      {
        area: 'X',
        metric: `${what}: dollars per thread`,
        ours: oursUsd.usd / threads,
        baselineName,
        baseline: baseUsd.usd / threads,
        unit: 'USD',
        better: 'lower',
        note: `posts stored by the emulator priced by twitter-text URL detection at $0.015 / $0.20 with a URL; ours ${oursUsd.withUrl} of ${oursUsd.posts} posts carry the URL, baseline ${baseUsd.withUrl} of ${baseUsd.posts}`,
      },
      {
        area: 'X',
        metric: `${what}: wall time per thread`,
        ours: oursMs / threads,
        baselineName,
        baseline: baseMs / threads,
        unit: 'ms',
        better: 'lower',
        note: `Outbox+SQLite (intent, each post id, rate window, spend ledger) included; ${rounds} round${rounds === 1 ? '' : 's'} of ${perRound} threads alternating which side goes first, after a warm-up`,
      },
    ] satisfies BenchRow[];
  } finally {
    for (const side of opened) await side.close().catch(() => undefined);
    await x.stop();
  }
};
