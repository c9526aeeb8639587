/**
 * Issue #17, fast ingest: a poll cleans the body only of the items a channel reads — the ones it queues, and seen
 * ones whose entry changed — not of those it has seen unchanged or leaves to the backlog (src/sources/normalise.ts,
 * src/outbox/intake.ts). Cleaning is most of a feed's parse.
 *
 * What was cleaned is observed through cleaning itself, not a spy: every entry's description here nests its HTML
 * deeper than cleaning converts, so cleaning an entry's body reports one problem for it, named by its item.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Item } from '../../src/core/item.js';
import { intakeItems } from '../../src/outbox/intake.js';
import { Outbox } from '../../src/outbox/outbox.js';
import type { SeenMark } from '../../src/outbox/seen-marks.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { fetchSource, readSource } from '../../src/app/poll-source.js';
import { parseFeed, type ItemProblem } from '../../src/sources/parse-feed.js';
import { MAX_HTML_DEPTH } from '../../src/sources/plain-text.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

const CONFIG = ConfigSchema.parse({ store: 'sqlite::memory:', channels: [{ id: 'c', platform: 'x' }] });
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const deep = (text: string) => `${'<div>'.repeat(MAX_HTML_DEPTH + 1)}${text}${'</div>'.repeat(MAX_HTML_DEPTH + 1)}`;
const entry = (n: number, title = `Harbour note ${n}`) =>
  `<item><title>${title}</title><link>https://harbour.example.org/notes/${n}</link><guid>note-${n}</guid>` +
  `<pubDate>Mon, ${String(n).padStart(2, '0')} Mar 2026 09:00:00 +0000</pubDate><description><![CDATA[${deep(`Body of note ${n}.`)}]]></description></item>`;
const feed = (entries: string) => `<rss version="2.0"><channel><title>Harbour</title><link>https://harbour.example.org/</link>${entries}</channel></rss>`;

/** Parses as a poll does: bodies cleaned on first read, the problems that finds collected in `late`. */
function poll(xml: string): { items: Item[]; late: ItemProblem[]; problems: ItemProblem[] } {
  const late: ItemProblem[] = [];
  const parsed = parseFeed(xml, { sourceId: 'harbour', location: 'https://harbour.example.org/feed', lateProblems: (p) => late.push(p) });
  return { items: parsed.items, late, problems: parsed.problems };
}

async function setup() {
  const store = await openStore(CONFIG.store);
  stores.push(store);
  const outbox = new Outbox(store, { owner: 'test', retry: CONFIG.retry, log: pino({ level: 'silent' }) });
  const intake = (items: Item[], backlog: number | 'all' = 1) => intakeItems(store, outbox, 'harbour', 'c', items, backlog, Date.now, 'reply');
  const mark = async (n: number) => (await store.kv.get(`seen:c:harbour:note-${n}`)) as SeenMark | undefined;
  return { store, intake, mark };
}

const five = feed([5, 4, 3, 2, 1].map((n) => entry(n)).join(''));

describe('parsing for a poll', () => {
  it('cleans a body when its text is first read, once, and names the item in what that finds', () => {
    const { items, late, problems } = poll(five);
    expect(items).toHaveLength(5);
    expect(problems).toEqual([]);
    expect(late).toEqual([]);
    expect(items[0]!.summary).toBe('');
    expect(items[0]!.contentHash).toMatch(/^[0-9a-f]{32}$/);
    expect(late).toEqual([{ where: 'feed https://harbour.example.org/feed, item 1 ("Harbour note 5")', message: expect.stringContaining(`more than ${MAX_HTML_DEPTH} levels deep`) }]);
  });

  it('gives the same item, field for field, as parsing that cleans every body at once', () => {
    const eager = parseFeed(five, { sourceId: 'harbour', location: 'https://harbour.example.org/feed' });
    expect(eager.problems).toHaveLength(5);
    expect(JSON.parse(JSON.stringify(poll(five).items))).toEqual(JSON.parse(JSON.stringify(eager.items)));
    // In the same order too, so what is stored of an item does not depend on how it was parsed.
    expect(JSON.stringify(poll(five).items)).toBe(JSON.stringify(eager.items));
    // Spread, as the outbox stores an item, it is plain data, and carries none of the state it was cleaned from.
    const spread = { ...poll(five).items[0]! };
    expect(Object.getOwnPropertySymbols(spread)).toEqual([]);
    expect(Object.values(Object.getOwnPropertyDescriptors(spread)).every((d) => 'value' in d)).toBe(true);
    expect(spread).toEqual(JSON.parse(JSON.stringify(eager.items[0])));
  });
});

describe('a poll', () => {
  it("cleans only what its channel queues on first sight; the backlog's bodies are never read", async () => {
    const { intake, mark } = await setup();
    const first = poll(five);
    expect(await intake(first.items)).toMatchObject({ queued: 1, skippedBacklog: 4 });
    expect(first.late.map((p) => p.where)).toEqual(['feed https://harbour.example.org/feed, item 1 ("Harbour note 5")']);
    // Nothing of it is ever compared again (intake.ts): no content hash, nor a hash of its raw entry.
    expect(await mark(1)).toEqual({ firstSeenAt: expect.any(String), backlog: true });
    expect((await mark(5))?.contentHash).toBe(first.items[0]!.contentHash);
  });

  it('cleans nothing when the feed comes again unchanged', async () => {
    const { intake } = await setup();
    await intake(poll(five).items);
    const again = poll(five);
    expect(await intake(again.items)).toMatchObject({ queued: 0, updated: 0 });
    expect(again.late).toEqual([]);
  });

  it('cleans a queued entry that changed, and refreshes its delivery', async () => {
    const { intake, store } = await setup();
    await intake(poll(five).items);
    const edited = poll(feed([entry(5, 'Harbour note 5, corrected'), ...[4, 3, 2, 1].map((n) => entry(n))].join('')));
    expect(await intake(edited.items)).toMatchObject({ queued: 0, updated: 1 });
    expect(edited.late).toHaveLength(1);
    expect((await store.listDeliveries({ channelId: 'c' })).map((d) => d.item.title)).toEqual(['Harbour note 5, corrected']);
  });

  it('neither cleans nor rewrites a backlog entry that changed: nothing of it went out', async () => {
    const { intake, mark } = await setup();
    await intake(poll(five).items);
    const before = await mark(1);
    const edited = poll(feed([5, 4, 3, 2].map((n) => entry(n)).join('') + entry(1, 'Harbour note 1, corrected')));
    expect(await intake(edited.items)).toMatchObject({ queued: 0, updated: 0 });
    expect(edited.late).toEqual([]);
    expect(await mark(1)).toEqual(before);
  });

  // An earlier release wrote marks without a raw hash, and one hashed the raw entry another way (normalise.ts,
  // rawHashOf): either reads as an entry written differently, which must cost one clean per entry and never an
  // update note (onUpdate is reply here).
  const earlier: Array<[string, (items: Item[]) => Item[], string | undefined]> = [
    ['without a raw hash', () => parseFeed(five, { sourceId: 'harbour', location: 'https://harbour.example.org/feed' }).items.map(({ rawHash: _raw, ...item }) => item), undefined],
    ['with a raw hash taken another way', (items) => items.map((item) => ({ ...item, rawHash: `earlier-${item.id}` })), 'earlier-note-3'],
  ];
  it.each(earlier)('takes a mark written %s (an earlier release) by its content once, then by its raw hash', async (_how, written, stored) => {
    const { intake, store, mark } = await setup();
    await intake(written(poll(five).items), 'all');
    expect((await mark(3))?.rawHash).toBe(stored);
    const next = poll(five);
    expect(await intake(next.items)).toMatchObject({ queued: 0, updated: 0 });
    expect(next.late).toHaveLength(5);
    expect((await mark(3))?.rawHash).toBe(next.items[2]!.rawHash);
    const third = poll(five);
    await intake(third.items);
    expect(third.late).toEqual([]);
    expect(await store.listDeliveries({ channelId: 'c' })).toHaveLength(5);
  });
});

describe('what a late clean finds', () => {
  it("joins the poll's problems, so the count taken after intake has it", async () => {
    const { store } = await setup();
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'threadcast-late-')), 'harbour.xml');
    writeFileSync(file, five);
    const source = ConfigSchema.parse({ store: 'sqlite::memory:', sources: [{ id: 'harbour', feed: file }] }).sources[0]!;
    const polled = readSource(source, await fetchSource(source, store, 'this setup'), pino({ level: 'silent' }));
    expect(polled.problems).toEqual([]);
    void polled.items[1]!.summary;
    expect(polled.problems).toEqual([{ where: expect.stringContaining('item 2 ("Harbour note 4")'), message: expect.stringContaining('levels deep') }]);
  });
});

describe('entries that share one link', () => {
  it('are keyed by their GUIDs without reading their bodies', () => {
    const shared = feed([3, 2, 1].map((n) => entry(n).replace(`/notes/${n}<`, '/notes/<')).join(''));
    const { items, late } = poll(shared);
    expect(items.map((i) => i.articleKey)).toEqual(['guid:harbour:note-3', 'guid:harbour:note-2', 'guid:harbour:note-1']);
    expect(late).toEqual([]);
  });
});

describe('a release that hashes content differently (CONTENT_HASH_SCHEME)', () => {
  it('does not clean a backlog item to re-take a hash it never had', async () => {
    const { intake, store, mark } = await setup();
    await intake(poll(five).items);
    const left = (await mark(2))!;
    await store.kv.set('seen:c:harbour:note-2', { ...left, hashScheme: 1 });
    await store.kv.set('article:c:url://harbour.example.org/notes/2', { ...left, hashScheme: 1, sourceId: 'harbour', itemId: 'note-2' });
    const again = poll(five);
    await intake(again.items);
    expect(again.late).toEqual([]);
  });
});
