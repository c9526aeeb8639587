/**
 * Issue #15: the corners of "one article, one thread" (src/outbox/seen-marks.ts, intake.ts), each with a real store
 * and items parsed from feeds: episodes that share a link, an entry whose link changes, a new source's backlog, a
 * round that stopped between claiming and queueing, and entries that come later under a link an earlier release
 * took for one item.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import type { Item } from '../../src/core/item.js';
import { intakeItems } from '../../src/outbox/intake.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { MatchRulesSchema } from '../../src/config/rules-schema.js';
import { parseFeed } from '../../src/sources/parse-feed.js';
import { applySourceRules } from '../../src/sources/source-rules.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

const CONFIG = ConfigSchema.parse({ store: 'sqlite::memory:', channels: [{ id: 'c', platform: 'x' }] });
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function setup() {
  const store = await openStore(CONFIG.store);
  stores.push(store);
  const outbox = new Outbox(store, { owner: 'test', retry: CONFIG.retry, log: pino({ level: 'silent' }) });
  const intake = (sourceId: string, items: Item[], backlog: 'all' | 'none' = 'all') => intakeItems(store, outbox, sourceId, 'c', items, backlog);
  const titles = async () => (await store.listDeliveries({ channelId: 'c' })).map((d) => `${d.sourceId}: ${d.item.title}`).sort();
  return { store, outbox, intake, titles };
}

const rss = (sourceId: string, items: string) => parseFeed(`<rss version="2.0"><channel><title>${sourceId}</title><link>https://${sourceId}.example.org/</link>${items}</channel></rss>`, { sourceId, location: `${sourceId}.xml` }).items;
const item = (title: string, link: string, guid?: string) => `<item><title>${title}</title><link>${link}</link>${guid ? `<guid>${guid}</guid>` : ''}<description>${title}.</description></item>`;

describe('episodes with GUIDs that all link to the show page', () => {
  it('are each announced, on the first round and when a new one comes', async () => {
    const { intake, titles } = await setup();
    const show = 'https://pod.example.org/show/';
    expect(await intake('pod', rss('pod', item('Episode 1', show, 'ep-1') + item('Episode 2', show, 'ep-2')))).toMatchObject({ queued: 2 });
    expect(await intake('pod', rss('pod', item('Episode 1', show, 'ep-1') + item('Episode 2', show, 'ep-2') + item('Episode 3', show, 'ep-3')))).toMatchObject({ queued: 1 });
    expect(await titles()).toEqual(['pod: Episode 1', 'pod: Episode 2', 'pod: Episode 3']);
  });
});

describe('an entry whose link changes (a headline edited, a new slug) under the same GUID', () => {
  it('is not announced again', async () => {
    const { intake, titles } = await setup();
    await intake('wire', rss('wire', item('Harbour wall repairs', 'https://wire.example.org/2026/harbour-wall-repairs/', 'w-1')));
    expect(await intake('wire', rss('wire', item('Harbour wall repairs finished early', 'https://wire.example.org/2026/harbour-wall-finished-early/', 'w-1')))).toMatchObject({ queued: 0 });
    expect(await titles()).toEqual(['wire: Harbour wall repairs']);
  });
});

describe("a new source's backlog", () => {
  it('does not keep another source from announcing an article it brings later', async () => {
    const { intake, titles } = await setup();
    const story = item('Fish market moves', 'https://news.example.org/2026/fish-market/', 'x');
    // The new source sees the article first, on its first sight, and leaves it out (backlog: none).
    expect(await intake('late', rss('late', story), 'none')).toMatchObject({ queued: 0, skippedBacklog: 1 });
    // A source already followed brings it: nobody announced it yet, so it goes out, once.
    await intake('wire', []);
    expect(await intake('wire', rss('wire', item('Fish market moves', 'https://news.example.org/2026/fish-market', 'w-9')))).toMatchObject({ queued: 1 });
    expect(await intake('late', rss('late', story))).toMatchObject({ queued: 0, alsoIn: 1 });
    expect(await titles()).toEqual(['wire: Fish market moves']);
  });
});

describe('a round that stopped after claiming an article and before queueing it', () => {
  it('queues it on the same source\'s next round, and another source meanwhile only notes it', async () => {
    const { store, intake, titles } = await setup();
    const [story] = rss('wire', item('Library hours', 'https://news.example.org/2026/library/', 'w-2'));
    // What a crash right after the claim leaves: the pending mark, no delivery.
    await intake('wire', []);
    await store.kv.set(`seen:c:wire:w-2`, { firstSeenAt: 'then', contentHash: story!.contentHash, hashScheme: 3, sourceId: 'wire', itemId: 'w-2', pending: true });
    await store.kv.set(`article:c:${story!.articleKey}`, { firstSeenAt: 'then', contentHash: story!.contentHash, hashScheme: 3, sourceId: 'wire', itemId: 'w-2', pending: true });
    expect(await intake('other', rss('other', item('Library hours', 'https://news.example.org/2026/library', 'o-2')))).toMatchObject({ queued: 0, alsoIn: 1 });
    expect(await intake('wire', [story!])).toMatchObject({ queued: 1 });
    expect(await intake('wire', [story!])).toMatchObject({ queued: 0 });
    expect(await titles()).toEqual(['wire: Library hours']);
  });
});

describe('entries that an earlier release took for one item, because they share a link and have no GUID', () => {
  it('are all seen on the first round after the upgrade, and one that comes later is new', async () => {
    const { store, intake, titles } = await setup();
    const link = 'https://notices.example.org/';
    await store.kv.set(`seen:c:notices:${link}`, { firstSeenAt: 'then', contentHash: 'old', hashScheme: 2 });
    await store.kv.set('primed:c:notices', 'then');
    const two = item('Notice 1', link) + item('Notice 2', link);
    expect(await intake('notices', rss('notices', two))).toMatchObject({ queued: 0 });
    expect(await intake('notices', rss('notices', item('Notice 3', link) + two))).toMatchObject({ queued: 1 });
    expect(await intake('notices', rss('notices', item('Notice 3', link) + two))).toMatchObject({ queued: 0 });
    expect(await titles()).toEqual(['notices: Notice 3']);
  });
});

describe("an article one source's rules drop (issue #18)", () => {
  it('is marked seen for that source but still announced when another source without the rule brings it', async () => {
    const { store, outbox, titles } = await setup();
    const story = item('Sponsored: fish market moves', 'https://news.example.org/2026/fish-market/', 'x');
    const ruled = applySourceRules({ exclude: MatchRulesSchema.parse({ keywords: ['sponsored'] }) }, rss('strict', story), Date.now());
    const first = await intakeItems(store, outbox, 'strict', 'c', ruled.items, 'all', Date.now, 'ignore', false, 'article', ruled.dropRuleOf);
    expect(first).toMatchObject({ queued: 0, skippedBacklog: 0, filtered: [{ rule: { list: 'exclude', by: 'keyword', value: 'sponsored' } }] });
    // The same source again: seen, so neither queued nor reported as filtered a second time.
    const again = await intakeItems(store, outbox, 'strict', 'c', ruled.items, 'all', Date.now, 'ignore', false, 'article', ruled.dropRuleOf);
    expect(again).toMatchObject({ queued: 0, filtered: [] });
    expect(await intakeItems(store, outbox, 'open', 'c', rss('open', story), 'all')).toMatchObject({ queued: 1 });
    expect(await titles()).toEqual(['open: Sponsored: fish market moves']);
  });
});
