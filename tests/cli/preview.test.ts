import path from 'node:path';
import twitterText from 'twitter-text';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir, writeFile } from '../support/cli.js';

const EDGE_FEED = path.join(REPO, 'tests/fixtures/feeds/preview-edge-cases.xml');
// Its second item links to a 5000-character URL: X shows a link as written, and twitter-text does not read
// one that long as a URL, so no X post can carry it; Mastodon counts it as typed too. Bluesky shows it shortened
// and composes as usual.
const ONE_UNCOMPOSABLE = path.join(REPO, 'tests/fixtures/feeds/one-uncomposable-item.xml');
const graphemes = (s: string) => [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(s)].length;

interface PreviewJson {
  items: Array<{
    id: string;
    url: string | null;
    title: string | null;
    threads: {
      x: Array<{ text: string; weightedLength: number }>;
      bluesky: Array<{ text: string; facets: Array<{ index: { byteStart: number; byteEnd: number }; features: Array<{ $type: string; uri?: string; tag?: string }> }> }>;
    };
  }>;
}

let preview: PreviewJson;
let cwd: string;

beforeAll(async () => {
  cwd = tempDir();
  // No config in this directory: preview falls back to the default templates and touches no state.
  const result = await runCli(['preview', '--feed', EDGE_FEED, '--json'], { cwd });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  preview = JSON.parse(result.stdout) as PreviewJson;
});

describe('threadcast preview --json on hard inputs', () => {
  it('prints the documented shape for every item with something to announce', () => {
    expect(preview.items.length).toBeGreaterThanOrEqual(8);
    for (const item of preview.items) {
      expect(item).toHaveProperty('id');
      expect(item).toHaveProperty('url');
      expect(item).toHaveProperty('title');
      expect(item.threads.x.length).toBeGreaterThan(0);
      expect(item.threads.bluesky.length).toBeGreaterThan(0);
    }
  });

  it('gives X parts that twitter-text calls valid', () => {
    for (const item of preview.items) {
      for (const part of item.threads.x) {
        const parsed = twitterText.parseTweet(part.text);
        expect(parsed.valid, `${item.id}: ${part.text}`).toBe(true);
        expect(part.weightedLength).toBe(parsed.weightedLength);
      }
    }
  });

  it('gives Bluesky parts within 300 graphemes and 3000 bytes, with facets on exact byte ranges', () => {
    for (const item of preview.items) {
      for (const part of item.threads.bluesky) {
        expect(graphemes(part.text)).toBeLessThanOrEqual(300);
        expect(Buffer.byteLength(part.text)).toBeLessThanOrEqual(3000);
        const bytes = Buffer.from(part.text);
        for (const facet of part.facets) {
          const covered = bytes.subarray(facet.index.byteStart, facet.index.byteEnd).toString();
          const feature = facet.features[0]!;
          if (feature.$type === 'app.bsky.richtext.facet#tag') expect(covered).toBe(`#${feature.tag}`);
          // A link shows either in full or shortened (no scheme, cut with …), and always points to the full URL.
          else if (covered !== feature.uri) expect(feature.uri!.replace(/^https?:\/\/(www\.)?/, '').startsWith(covered.replace(/…$/, '')), covered).toBe(true);
        }
      }
    }
  });

  it('never cuts a URL: every http(s) URL in an X part is one the item really has', () => {
    const input = preview.items.map((i) => i.url).filter(Boolean) as string[];
    const known = [...input, 'https://example.org/short', 'https://example.org/garden/planting-schedule-for-the-winter-season-2026'];
    const longest = input.find((u) => u.length > 150)!;
    for (const item of preview.items) {
      for (const part of item.threads.x) {
        for (const url of twitterText.extractUrls(part.text)) {
          expect(known.some((k) => k === url || k.replace(/[?&]utm_[^&]+/g, '') === url), `${url} in ${item.id}`).toBe(true);
        }
      }
    }
    const linkItem = preview.items.find((i) => i.title === 'Links everywhere')!;
    expect(linkItem.threads.x.some((p) => p.text.includes(longest))).toBe(true);
    const cut = preview.items.find((i) => i.title === 'Cut point')!;
    expect(cut.threads.x.filter((p) => p.text.includes('https://example.org/garden/planting-schedule-for-the-winter-season-2026'))).toHaveLength(1);
  });

  it('never cuts an emoji: ZWJ sequences and flags arrive whole', () => {
    const family = preview.items.find((i) => i.title?.startsWith('Family day'))!;
    const all = (platform: 'x' | 'bluesky') => family.threads[platform].map((p) => p.text).join('\n');
    for (const platform of ['x', 'bluesky'] as const) {
      const text = all(platform);
      for (const emoji of ['👩‍👩‍👧‍👦', '🧑🏽‍💻', '👨🏿‍🔬', '🇺🇦', '🇯🇵', '🏳️‍🌈']) expect(text).toContain(emoji);
      // No part starts or ends with a lone piece of a cluster: every part is whole graphemes of the input.
      for (const part of family.threads[platform]) expect(part.text).not.toMatch(/^\u200d|\u200d$|^[\u{1F3FB}-\u{1F3FF}]/u);
    }
  });

  it('splits CJK and right-to-left text without losing a character', () => {
    const ja = preview.items.find((i) => i.title === '図書館の新しい開館時間')!;
    expect(ja.threads.x.length).toBeGreaterThan(1);
    const fa = preview.items.find((i) => i.title === 'ساعات کار جدید کتابخانه')!;
    expect(fa.threads.bluesky.map((p) => p.text).join(' ')).toContain('کتابخانه مرکزی');
  });

  it('decodes entities once and strips markup', () => {
    const item = preview.items.find((i) => i.title?.startsWith('Entities'))!;
    const text = item.threads.x.map((p) => p.text).join('\n');
    expect(text).toContain('Café owners & staff said “thanks”');
    expect(text).not.toMatch(/&amp;|&#8220;|<b>|<i>|<a /);
  });

  it('handles items without a title, a date, a link or a summary', () => {
    const untitled = preview.items.find((i) => i.url === 'https://example.org/untitled')!;
    expect(untitled.title).toBeNull();
    expect(untitled.threads.x[0]!.text).toContain('An item with no title and no date.');
    const bare = preview.items.find((i) => i.title === 'Only a title, no link or text')!;
    expect(bare.threads.x).toEqual([expect.objectContaining({ text: 'Only a title, no link or text' })]);
  });
});

describe('threadcast preview (human output)', () => {
  it('prints each thread with its counts and the X cost', async () => {
    const result = await runCli(['preview', '--feed', path.join(REPO, 'config/sample-feed.xml')], { cwd: tempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Library extends weekend opening hours');
    expect(result.stdout).toMatch(/X — \d part\(s\), about \$0\.\d{3}/);
    expect(result.stdout).toMatch(/\d+\/300 graphemes/);
  });
});

describe('threadcast preview FILE (positional)', () => {
  const SAMPLE = path.join(REPO, 'config/sample-feed.xml');

  it('previews the feed named without --feed, exactly as with it', async () => {
    const dir = tempDir();
    const [positional, option] = await Promise.all([runCli(['preview', SAMPLE, '--json'], { cwd: dir }), runCli(['preview', '--feed', SAMPLE, '--json'], { cwd: dir })]);
    expect(positional.code, positional.stderr).toBe(0);
    expect(JSON.parse(positional.stdout)).toEqual(JSON.parse(option.stdout));
    expect(JSON.parse(positional.stdout).items).toHaveLength(4);
  });

  it('refuses no feed, or two different ones, saying how to give one', async () => {
    const dir = tempDir();
    const none = await runCli(['preview'], { cwd: dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('give the feed to preview: threadcast preview FILE_OR_URL');
    const two = await runCli(['preview', SAMPLE, '--feed', EDGE_FEED], { cwd: dir });
    expect(two.code).toBe(1);
    expect(two.stderr).toContain('two feeds given');
    expect(two.stdout).toBe('');
  });
});

describe('threadcast preview with one item that cannot be composed', () => {
  const REASON = 'compose: the link and counter alone do not fit in a part';

  it('shows that item failed with its reason in the JSON, every other item composed, and exits 1', async () => {
    const result = await runCli(['preview', '--feed', ONE_UNCOMPOSABLE, '--json'], { cwd: tempDir() });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`threadcast preview: 1 of 3 item(s) from ${ONE_UNCOMPOSABLE} could not be composed\n`);
    const { items } = JSON.parse(result.stdout) as { items: Array<{ id: string; threads: { x: unknown[] | null; bluesky: unknown[] | null; mastodon: unknown[] | null }; failures: unknown[] }> };
    expect(items.map((i) => i.id)).toEqual(['market-1', 'market-2', 'market-3']);
    for (const id of ['market-1', 'market-3']) {
      const item = items.find((i) => i.id === id)!;
      expect(item.failures).toEqual([]);
      expect(item.threads.x!.length).toBeGreaterThan(0);
      expect(item.threads.bluesky!.length).toBeGreaterThan(0);
    }
    const failed = items.find((i) => i.id === 'market-2')!;
    // Mastodon, like X, counts a link its URL pattern does not read (this one is too long) as typed: 5000 characters.
    expect(failed.failures).toEqual([
      { platform: 'x', reason: REASON },
      { platform: 'mastodon', reason: REASON },
    ]);
    expect(failed.threads.x).toBeNull();
    expect(failed.threads.mastodon).toBeNull();
    expect(failed.threads.bluesky!.length).toBeGreaterThan(0);
  });

  it('prints that item as failed, naming the feed and the item, between the others, and exits 1', async () => {
    const result = await runCli(['preview', '--feed', ONE_UNCOMPOSABLE], { cwd: tempDir() });
    expect(result.code).toBe(1);
    const out = result.stdout;
    const failure = `FAILED: could not compose item market-2 of ${ONE_UNCOMPOSABLE}: ${REASON}`;
    expect(out).toContain(failure);
    expect(out.indexOf('Bread stall moves to pitch 4')).toBeLessThan(out.indexOf(failure));
    expect(out.indexOf(failure)).toBeLessThan(out.indexOf('Cheese tasting at noon'));
    expect(out).toContain('Free tasting at noon by the fountain.');
    expect(out).toContain(`3 item(s) from ${ONE_UNCOMPOSABLE} (rss), 1 could not be composed`);
  });
});

describe('threadcast preview with UTM tags on the channels', () => {
  const SAMPLE = path.join(REPO, 'config/sample-feed.xml');
  // The feed's own link carries utm_source=rss&utm_medium=feed, which the canonical URL drops.
  const CANONICAL = 'https://example.org/2026/11/library-weekend-hours/';
  const CONFIG = `channels:
  - id: x-main
    platform: x
    utm: { source: "{channel}", medium: social, campaign: "{source} news" }
  - id: bsky-main
    platform: bluesky
    utm: { source: "{channel}", medium: social }
`;
  const library = (json: string) => (JSON.parse(json) as PreviewJson).items.find((i) => i.url === CANONICAL)!;

  it('posts the tagged link, counted as the platforms count it, while the item keeps its canonical URL', async () => {
    const dir = tempDir();
    const config = writeFile(dir, 'threadcast.yaml', CONFIG);
    const [tagged, plain] = await Promise.all([
      runCli(['--config', config, 'preview', '--feed', SAMPLE, '--json'], { cwd: dir }),
      runCli(['preview', '--feed', SAMPLE, '--json'], { cwd: tempDir() }),
    ]);
    expect(tagged.stderr).toBe('');
    expect(tagged.code).toBe(0);
    const item = library(tagged.stdout);
    const untagged = library(plain.stdout);
    expect(item.url).toBe(CANONICAL);

    // {source} is the item's source id: "preview" for a feed read by this command.
    const xUrl = `${CANONICAL}?utm_source=x-main&utm_medium=social&utm_campaign=preview%20news`;
    expect(twitterText.extractUrls(item.threads.x[0]!.text)).toEqual([xUrl]);
    expect(item.threads.x.map((p) => p.weightedLength)).toEqual(untagged.threads.x.map((p) => p.weightedLength));

    const bskyUrl = `${CANONICAL}?utm_source=bsky-main&utm_medium=social`;
    const links = item.threads.bluesky.flatMap((p) => p.facets.flatMap((f) => f.features.filter((feat) => feat.uri?.startsWith(CANONICAL))));
    expect(links.map((l) => l.uri)).toEqual([bskyUrl]);
    expect(item.threads.bluesky.map((p) => p.text)).toEqual(untagged.threads.bluesky.map((p) => p.text));
  });

  it('shows the tagged link in the human output', async () => {
    const dir = tempDir();
    const config = writeFile(dir, 'threadcast.yaml', CONFIG);
    const result = await runCli(['--config', config, 'preview', '--feed', SAMPLE], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${CANONICAL}?utm_source=x-main&utm_medium=social&utm_campaign=preview%20news`);
  });
});
