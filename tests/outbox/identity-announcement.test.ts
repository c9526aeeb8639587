/**
 * Issue #15 point 5: an announcement an editor queues that links an article a feed also brings is that article on
 * the channel. The announcement wins: a feed delivery of it that has not started going out is cancelled, and the
 * feed is noted as "also in", whichever came first. A channel that dedups per source keeps both.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import type { Item } from '../../src/core/item.js';
import { EditorQueue } from '../../src/outbox/editor-queue.js';
import { intakeItems } from '../../src/outbox/intake.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { alsoInFor } from '../../src/outbox/seen-marks.js';
import { parseFeed } from '../../src/sources/parse-feed.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

const FEED = `<rss version="2.0"><channel><title>Wire</title><link>https://news.example.org/</link>
<item><title>Harbour wall repairs finished early</title><link>https://news.example.org/2026/harbour-wall/</link><guid>w-1</guid><description>Repairs ended early.</description></item>
</channel></rss>`;
// The same article as the editor pastes it: http, www., a tracking parameter, no trailing slash.
const PASTED = 'http://www.news.example.org/2026/harbour-wall?utm_source=newsletter';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function setup() {
  const config = ConfigSchema.parse({
    store: 'sqlite::memory:',
    dryRun: true,
    channels: [
      { id: 'by-article', platform: 'x' },
      { id: 'by-source', platform: 'bluesky', dedup: 'per-source' },
    ],
  });
  const store = await openStore(config.store);
  stores.push(store);
  const outbox = new Outbox(store, { owner: 'test', retry: config.retry, log: pino({ level: 'silent' }) });
  const queue = new EditorQueue(config, store, outbox);
  const feedItems = parseFeed(FEED, { sourceId: 'wire', location: 'wire.xml' }).items;
  const intake = (channel: string, dedup: 'article' | 'per-source') =>
    intakeItems(store, outbox, 'wire', channel, feedItems, 'all', Date.now, 'ignore', false, dedup);
  const states = async (channel: string) =>
    (await store.listDeliveries({ channelId: channel })).map((d) => `${d.sourceId}:${d.state}${d.reason ? `:${d.reason}` : ''}`).sort();
  return { store, queue, intake, states, feedItem: feedItems[0]! as Item };
}

describe('an announcement that links an article a feed brings', () => {
  it('replaces the feed delivery that has not gone out yet, and notes the feed', async () => {
    const { store, queue, intake, states, feedItem } = await setup();
    await intake('by-article', 'article');
    await intake('by-source', 'per-source');
    const { item } = await queue.add({ text: 'The harbour wall is open again!', url: PASTED }, { where: 'test' });
    expect(await states('by-article')).toEqual(['editor:queued', `wire:cancelled:replaced by announcement ${item.id}`]);
    expect(await alsoInFor(store, 'by-article', feedItem)).toEqual(['wire']);
    // Per source: the feed's delivery stays, the announcement is queued beside it.
    expect(await states('by-source')).toEqual(['editor:queued', 'wire:queued']);
  });

  it('is noted as "also in" when the feed brings the article after the announcement', async () => {
    const { store, queue, intake, states, feedItem } = await setup();
    await queue.add({ text: 'The harbour wall is open again!', url: PASTED }, { where: 'test' });
    expect(await intake('by-article', 'article')).toMatchObject({ queued: 0, alsoIn: 1 });
    expect(await states('by-article')).toEqual(['editor:queued']);
    expect(await alsoInFor(store, 'by-article', feedItem)).toEqual(['wire']);
  });

  it('is not queued where a feed already sent the article, and says so; other channels still get it', async () => {
    const { store, queue, intake, states } = await setup();
    await intake('by-article', 'article');
    await intake('by-source', 'per-source');
    const [d] = await store.listDeliveries({ channelId: 'by-article' });
    await store.saveDelivery({ ...d!, state: 'published', posts: [{ id: 'p1' }] });
    const queued = await queue.add({ text: 'The harbour wall is open again!', url: PASTED }, { where: 'test' });
    expect(queued.deliveries.map((x) => x.channelId)).toEqual(['by-source']);
    expect(queued.skipped).toEqual([{ channelId: 'by-article', reason: expect.stringContaining('already went out from source wire') }]);
    expect(await states('by-article')).toEqual(['wire:published']);
  });

  it('without a link is no article of any feed', async () => {
    const { queue, intake, states } = await setup();
    await queue.add({ text: 'Office closed on Friday.' }, { where: 'test' });
    expect(await intake('by-article', 'article')).toMatchObject({ queued: 1, alsoIn: 0 });
    expect(await states('by-article')).toEqual(['editor:queued', 'wire:queued']);
  });
});
