import type { Logger } from 'pino';
import type { SourceConfig } from '../config/schema.js';
import type { Item } from '../core/item.js';
import { defaultFetchLimits, fetchFeed, type HttpCacheState } from '../sources/fetch-feed.js';
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
 * Fetches and parses one source, keeping its conditional-GET validators in the store. `allowPrivateHosts` is config
 * `web.allowPrivateHosts`: where the feed server's redirects may lead besides public addresses and the feed's own host.
 */
export async function pollSource(
  source: SourceConfig,
  store: Store,
  log: Logger,
  allowPrivateHosts: readonly string[] = [],
  trackingParams: ReadonlySet<string> = new Set(),
): Promise<PollResult> {
  const cache: HttpCacheState = (await store.kv.get(cacheKey(source.id))) ?? {};
  const fetched = await fetchFeed(source.feed, cache, {
    ...defaultFetchLimits,
    timeoutMs: source.timeoutMs,
    maxBytes: source.maxBytes,
    maxRedirects: source.maxRedirects,
    allowPrivateHosts,
  });
  if (fetched.kind === 'not-modified') return { sourceId: source.id, notModified: true, items: [], problems: [] };

  const parsed = parseFeed(fetched.body, {
    sourceId: source.id,
    location: source.feed,
    baseUrl: fetched.finalUrl,
    ...(source.language ? { language: source.language } : {}),
    trackingParams,
    // Only the items a channel reads get their body cleaned, later; what that finds is said then.
    lateProblems: (p) => log.warn({ source: source.id, where: p.where }, p.message),
  });
  const items = parsed.items;
  for (const p of parsed.problems) log.warn({ source: source.id, where: p.where }, p.message);
  // Validators are saved only after a successful parse, so a broken feed is fetched whole next time.
  await store.kv.set(cacheKey(source.id), fetched.cache);
  return { sourceId: source.id, notModified: false, items, problems: parsed.problems };
}
