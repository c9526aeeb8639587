import type { Logger } from 'pino';
import type { SourceConfig } from '../config/schema.js';
import type { Item } from '../core/item.js';
import { defaultFetchLimits, fetchFeed, type FetchResult, type HttpCacheState } from '../sources/fetch-feed.js';
import { parseFeed, type ItemProblem } from '../sources/parse-feed.js';
import type { Store } from '../store/store.js';

export interface PollResult {
  sourceId: string;
  notModified: boolean;
  items: Item[];
  problems: ItemProblem[];
}

const cacheKey = (sourceId: string) => `http:${sourceId}`;

/**
 * The network half of a poll: the feed's body, or that it has not changed since the validators the store keeps.
 * `allowPrivateHosts` is config `web.allowPrivateHosts`: where the feed server's redirects may lead besides public
 * addresses and the feed's own host.
 */
export async function fetchSource(source: SourceConfig, store: Store, allowPrivateHosts: readonly string[] = []): Promise<FetchResult> {
  const cache: HttpCacheState = (await store.kv.get(cacheKey(source.id))) ?? {};
  return fetchFeed(source.feed, cache, {
    ...defaultFetchLimits,
    timeoutMs: source.timeoutMs,
    maxBytes: source.maxBytes,
    maxRedirects: source.maxRedirects,
    allowPrivateHosts,
  });
}

/** The CPU half: what `fetchSource` brought, parsed; its validators saved once it parsed. */
export async function readSource(
  source: SourceConfig,
  fetched: FetchResult,
  store: Store,
  log: Logger,
  trackingParams: ReadonlySet<string> = new Set(),
): Promise<PollResult> {
  if (fetched.kind === 'not-modified') return { sourceId: source.id, notModified: true, items: [], problems: [] };

  const problems: ItemProblem[] = [];
  const say = (p: ItemProblem) => {
    problems.push(p);
    log.warn({ source: source.id, where: p.where }, p.message);
  };
  const parsed = parseFeed(fetched.body, {
    sourceId: source.id,
    location: source.feed,
    baseUrl: fetched.finalUrl,
    ...(source.language ? { language: source.language } : {}),
    trackingParams,
    // Only the items a channel reads get their body cleaned, later: what that finds joins `problems` then, so the
    // poll's count, taken after intake, has it.
    lateProblems: say,
  });
  for (const p of parsed.problems) say(p);
  // Validators are saved only after a successful parse, so a broken feed is fetched whole next time.
  await store.kv.set(cacheKey(source.id), fetched.cache);
  return { sourceId: source.id, notModified: false, items: parsed.items, problems };
}
