/**
 * Previews feed files the way `threadcast preview` does (src/cli/preview.ts without a config: fetchFeed on the
 * path, parseFeed, then composeForChannel with the default template for X and for Bluesky — the compose function
 * publishing uses), and judges what comes out: crashes, parts a platform would refuse, entries that yield no item,
 * and the quality flags of bench/quality/flags.ts. Shared by `npm run quality` and tests/corpus.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultTemplate } from '../../src/config/template-schema.js';
import type { Item } from '../../src/core/item.js';
import { composeForChannel } from '../../src/platforms/compose-for-channel.js';
import { defaultFetchLimits, fetchFeed } from '../../src/sources/fetch-feed.js';
import { parseFeed } from '../../src/sources/parse-feed.js';
import { readFeedEntries, type FeedEntryText } from './feed-entries.js';
import { flagItem, type Flag, type PreviewedItem } from './flags.js';
import { blueskyRefusal, xRefusal } from './limits.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CORPUS_DIR = path.join(REPO, 'tests/fixtures/corpus');
/** Our own digest fixture: the source-line forms editors type (tests/fixtures/feeds/news-digest.xml). */
export const EXTRA_FEEDS = ['tests/fixtures/feeds/news-digest.xml'];

/** Every feed file of the corpus (licences and SOURCES.md left out), then the extra fixtures; repo-relative, sorted. */
export function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (!/^(?:LICENSE.*|SOURCES\.md|README.*)$/i.test(name)) out.push(path.relative(REPO, full));
    }
  };
  walk(CORPUS_DIR);
  return [...out, ...EXTRA_FEEDS];
}

export interface JudgedItem {
  id: string;
  item: PreviewedItem;
  flags: Flag[];
}

export interface FeedReport {
  /** Repo-relative path. */
  file: string;
  format?: string;
  /** Entries counted by the independent reader (feed-entries.ts). */
  entries: number;
  items: JudgedItem[];
  /** What parseFeed reported (skipped items and why). */
  problems: Array<{ where: string; message: string }>;
  /** The whole feed failed to preview: fetch, decode or parse threw. */
  crash?: string;
  /** Items whose composing threw (the preview would have failed on them). */
  itemCrashes: Array<{ id: string; title: string | null; message: string }>;
  invalidParts: Array<{ id: string; title: string | null; platform: 'x' | 'bluesky'; part: number; reason: string }>;
  /** Entries with no previewed item: entries − items (items whose compose threw are crashes, not lost). */
  lost: number;
  /** Set when parseFeed found more items than the independent reader found entries: the count is in doubt. */
  countMismatch?: string;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function previewFile(file: string): Promise<FeedReport> {
  const abs = path.resolve(REPO, file);
  const report: FeedReport = { file, entries: 0, items: [], problems: [], itemCrashes: [], invalidParts: [], lost: 0 };
  let body: string;
  try {
    const fetched = await fetchFeed(abs, {}, defaultFetchLimits);
    if (fetched.kind !== 'fetched') throw new Error('answered not-modified to an unconditional read');
    body = fetched.body;
    const entries = readFeedEntries(body);
    report.entries = entries.length;
    const parsed = parseFeed(body, { sourceId: 'preview', location: file, baseUrl: fetched.finalUrl });
    report.format = parsed.format;
    report.problems = parsed.problems;
    const matched = matchEntries(parsed.items, entries);
    parsed.items.forEach((item, i) => {
      let previewed: PreviewedItem;
      try {
        const x = composeForChannel(item, { platform: 'x', template: defaultTemplate }).parts;
        const bluesky = composeForChannel(item, { platform: 'bluesky', template: defaultTemplate }).parts;
        const entry = matched[i];
        previewed = {
          title: item.title ?? null,
          url: item.url ?? null,
          attribution: item.attribution ?? null,
          summary: item.summary,
          threads: { x: x.map((p) => ({ text: p.text })), bluesky: bluesky.map((p) => ({ text: p.text })) },
          ...(entry ? { entryTexts: entry.texts, ...(entry.title ? { entryTitle: entry.title } : {}) } : {}),
        };
      } catch (err) {
        report.itemCrashes.push({ id: item.id, title: item.title ?? null, message: message(err) });
        return;
      }
      for (const platform of ['x', 'bluesky'] as const) {
        previewed.threads[platform].forEach((p, n) => {
          const reason = platform === 'x' ? xRefusal(p.text) : blueskyRefusal(p.text);
          if (reason) report.invalidParts.push({ id: item.id, title: item.title ?? null, platform, part: n + 1, reason });
        });
      }
      report.items.push({ id: item.id, item: previewed, flags: flagItem(previewed) });
    });
    if (parsed.items.length > entries.length) {
      report.countMismatch = `parseFeed found ${parsed.items.length} items where the independent reader found ${entries.length} entries`;
    }
  } catch (err) {
    report.crash = message(err);
    // Fetching or decoding failed before the entries were counted: count them in the raw bytes.
    if (report.entries === 0) report.entries = readFeedEntries(readFileSync(abs, 'latin1')).length;
  }
  report.lost = Math.max(0, report.entries - report.items.length - report.itemCrashes.length);
  return report;
}

/**
 * Which entry each item came from, for the stub-only judgement: by position when the counts agree (parseFeed keeps
 * feed order), else the next entry with the same id, link or title.
 */
function matchEntries(items: readonly Item[], entries: readonly FeedEntryText[]): Array<FeedEntryText | undefined> {
  if (items.length === entries.length) return [...entries];
  const key = (s: string | undefined): string => (s ?? '').normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  let next = 0;
  return items.map((item) => {
    for (let j = next; j < entries.length; j++) {
      const e = entries[j]!;
      const sameTitle = key(item.title) !== '' && key(item.title) === key(e.title);
      const sameLink = e.links.some((l) => l.trim() === item.id || (item.url !== undefined && l.trim() === item.url));
      if (sameTitle || sameLink) {
        next = j + 1;
        return e;
      }
    }
    return undefined;
  });
}
