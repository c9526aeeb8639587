import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { readSource } from '../../src/app/poll-source.js';
import { DEFAULT_MAX_ITEMS } from '../../src/config/schema.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { parseFeed } from '../../src/sources/parse-feed.js';

/**
 * A feed decides how many entries it has: within the default 5 MiB, 116,000 bare `<item><link>` entries, which took
 * 5 s to read in one go while nothing else ran (found in review). Only `maxItems` of them are read, the newest.
 */
const rss = (items: string[]) => `<rss version="2.0"><channel><title>many</title>${items.join('')}</channel></rss>`;
const bare = (count: number) => Array.from({ length: count }, (_, i) => `<item><link>https://example.org/${i}</link></item>`);
const dated = (count: number, newestFirst: boolean) =>
  Array.from({ length: count }, (_, i) => {
    const day = newestFirst ? count - i : i + 1;
    return `<item><link>https://example.org/${i}</link><pubDate>${new Date(Date.UTC(2020, 0, day)).toUTCString()}</pubDate></item>`;
  });
const ctx = { sourceId: 'many', location: 'https://example.org/feed.xml', lateProblems: () => undefined };

describe('a feed with more entries than its source reads', () => {
  it('is read up to the default of 5,000 entries, the first ones, saying how many it has', () => {
    const feed = parseFeed(rss(bare(20_000)), { ...ctx, maxItems: DEFAULT_MAX_ITEMS });
    expect(DEFAULT_MAX_ITEMS).toBe(5_000);
    expect(feed.items).toHaveLength(5_000);
    expect(feed.items[0]!.url).toBe('https://example.org/0');
    expect(feed.items.at(-1)!.url).toBe('https://example.org/4999');
    expect(feed.problems).toEqual([{ where: 'feed https://example.org/feed.xml', message: "the feed has 20000 entries; only the 5000 newest were read (the source's maxItems)" }]);
  });

  it('keeps the last entries of an archive listed oldest first, and names entries by their place in the feed', () => {
    const items = dated(30, false);
    items[27] = `<item><title>A bad link</title><link>javascript:alert(1)</link><pubDate>${new Date(Date.UTC(2020, 0, 28)).toUTCString()}</pubDate></item>`;
    const feed = parseFeed(rss(items), { ...ctx, maxItems: 10 });
    expect(feed.items.map((i) => i.url ?? i.title)).toEqual([20, 21, 22, 23, 24, 25, 26, 'A bad link', 28, 29].map((i) => (typeof i === 'number' ? `https://example.org/${i}` : i)));
    expect(feed.problems.map((p) => p.where)).toContain('feed https://example.org/feed.xml, item 28 ("A bad link")');
  });

  it('keeps the first entries of a feed listed newest first', () => {
    const feed = parseFeed(rss(dated(30, true)), { ...ctx, maxItems: 10 });
    expect(feed.items.map((i) => i.url)).toEqual(Array.from({ length: 10 }, (_, i) => `https://example.org/${i}`));
  });

  it('reads every entry when the source sets no limit and the feed is within it', () => {
    expect(parseFeed(rss(bare(30)), { ...ctx, maxItems: 30 }).problems).toEqual([]);
    expect(parseFeed(rss(bare(30)), ctx).items).toHaveLength(30);
  });

  it("is read up to the source's maxItems when the app polls it", () => {
    const config = ConfigSchema.parse({ sources: [{ id: 'many', feed: 'https://example.org/feed.xml', maxItems: 3 }], channels: [{ id: 'main', platform: 'bluesky' }] });
    const polled = readSource(config.sources[0]!, { kind: 'fetched', body: rss(bare(10)), finalUrl: 'https://example.org/feed.xml', cache: {} }, pino({ level: 'silent' }));
    expect(polled.items.map((i) => i.url)).toEqual(['https://example.org/0', 'https://example.org/1', 'https://example.org/2']);
    expect(polled.problems.map((p) => p.message)).toEqual(["the feed has 10 entries; only the 3 newest were read (the source's maxItems)"]);
  });
});
