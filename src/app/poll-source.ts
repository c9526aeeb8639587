import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { SourceConfig } from '../config/schema.js';
import { CONTENT_HASH_SCHEME, type Item } from '../core/item.js';
import { defaultFetchLimits, fetchFeed, type FetchResult, type HttpCacheState } from '../sources/fetch-feed.js';
import { FEED_READER_VERSION, parseFeed, type ItemProblem } from '../sources/parse-feed.js';
import type { Store } from '../store/store.js';

export interface PollResult {
  sourceId: string;
  notModified: boolean;
  items: Item[];
  problems: ItemProblem[];
  /** What to keep for the next fetch once these items are taken in (keepFetchState). */
  keep?: HttpCacheState;
}

const cacheKey = (sourceId: string) => `http:${sourceId}`;

/** The fetch state as kept: for the setup that read the feed (readerKey), since another setup must read it whole. */
type KeptFetchState = HttpCacheState & { readBy?: string };

/**
 * What a source's items are read for, and by what, hashed: its config (feed, language, rules, backlog…), the
 * channels that take it with their dedup, the tracking parameters stripped from links, and the release of the feed
 * reader and of the seen marks' content hash. A feed last read for another setup (a channel added, a rule changed)
 * or by an older reader is fetched and read whole, not answered as unchanged.
 */
export function readerKey(setup: { source: SourceConfig; channels: ReadonlyArray<readonly [string, string]>; trackingParams: ReadonlySet<string> }): string {
  const text = JSON.stringify({
    source: setup.source,
    channels: setup.channels,
    trackingParams: [...setup.trackingParams].sort(),
    reader: FEED_READER_VERSION,
    contentHash: CONTENT_HASH_SCHEME,
  });
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * The network half of a poll: the feed's body, or that it has not changed since the validators the store keeps.
 * `allowPrivateHosts` is config `web.allowPrivateHosts`: where the feed server's redirects may lead besides public
 * addresses and the feed's own host. `signal` calls the fetch off (the service stopping).
 */
export async function fetchSource(
  source: SourceConfig,
  store: Store,
  readBy: string,
  opts: { allowPrivateHosts?: readonly string[]; signal?: AbortSignal } = {},
): Promise<FetchResult> {
  const kept: KeptFetchState | undefined = await store.kv.get(cacheKey(source.id));
  const { readBy: keptFor, ...cache } = kept ?? {};
  return fetchFeed(source.feed, keptFor === readBy ? cache : {}, {
    ...defaultFetchLimits,
    timeoutMs: source.timeoutMs,
    maxBytes: source.maxBytes,
    maxRedirects: source.maxRedirects,
    allowPrivateHosts: opts.allowPrivateHosts ?? [],
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

/** The CPU half: what `fetchSource` brought, parsed. */
export function readSource(source: SourceConfig, fetched: FetchResult, log: Logger, trackingParams: ReadonlySet<string> = new Set()): PollResult {
  if (fetched.kind === 'not-modified') {
    // The same body with new validators: the next conditional GET sends those.
    return { sourceId: source.id, notModified: true, items: [], problems: [], ...(fetched.cache ? { keep: fetched.cache } : {}) };
  }

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
    maxItems: source.maxItems,
    // Only the items a channel reads get their body cleaned, later: what that finds joins `problems` then, so the
    // poll's count, taken after intake, has it.
    lateProblems: say,
  });
  for (const p of parsed.problems) say(p);
  return { sourceId: source.id, notModified: false, items: parsed.items, problems, keep: fetched.cache };
}

/**
 * Keeps what the next fetch of a source sends and compares, once its items are taken in: a feed that failed to
 * parse, or whose intake stopped half-way (its items' marks left pending), is fetched and read whole next time.
 */
export async function keepFetchState(store: Store, sourceId: string, keep: HttpCacheState, readBy: string): Promise<void> {
  await store.kv.set(cacheKey(sourceId), { ...keep, readBy } satisfies KeptFetchState);
}
