/**
 * URL scanning: finding the links in a text, as X's and Mastodon's counts and every link facet need it
 * (src/compose/url-scan.ts, `extractUrls`). The baseline is what it replays, twitter-text's
 * `extractUrlsWithIndices`, the library X's own clients count with; both get the same texts, and their answers
 * are compared before anything is timed (a difference fails the suite).
 *
 * - The real-feed corpus: every title and summary of tests/fixtures/corpus, one pass over all of them, in both modes
 *   (with and without a protocol), median of 7 passes after one warm-up.
 * - Long words: a text of one long run glued to a link, the shapes twitter-text takes quadratic time on (its pattern
 *   reads to the end of the run from every position). The baseline's one call at 16,000 code units takes seconds, so
 *   each is timed once, after a warm-up on a short text.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { extractUrls } from '../src/compose/url-scan.js';
import { extractUrlsWithIndices } from '../src/compose/twitter-text.js';
import { decodeBody } from '../src/sources/decode-body.js';
import { parseFeed } from '../src/sources/parse-feed.js';
import { median } from './lib/feeds.js';
import type { BenchRow, BenchSuite } from './lib/rows.js';
import { corpusFiles, REPO } from './quality/preview-corpus.js';

const BASELINE = 'twitter-text 3.1 extractUrlsWithIndices';

const theirs = (text: string, withoutProtocol: boolean) =>
  extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: withoutProtocol }).map(({ url, indices: [start, end] }) => ({ url, start, end }));
const ours = (text: string, withoutProtocol: boolean) => extractUrls(text, withoutProtocol);

function corpusTexts(): string[] {
  const texts: string[] = [];
  for (const file of corpusFiles()) {
    try {
      for (const item of parseFeed(decodeBody(readFileSync(path.join(REPO, file))), { sourceId: 'corpus', location: file }).items) {
        if (item.title) texts.push(item.title);
        if (item.summary) texts.push(item.summary);
      }
    } catch {
      // a feed the corpus keeps as a refusal case
    }
  }
  return texts;
}

function sameAnswers(texts: readonly string[]): void {
  for (const text of texts) {
    for (const withoutProtocol of [true, false]) {
      if (!isDeepStrictEqual(ours(text, withoutProtocol), theirs(text, withoutProtocol))) {
        throw new Error(`extractUrls and twitter-text differ on ${JSON.stringify(text.slice(0, 80))} (withoutProtocol ${withoutProtocol})`);
      }
    }
  }
}

function timePass(scan: typeof ours, texts: readonly string[]): number {
  const t0 = performance.now();
  for (const text of texts) {
    scan(text, true);
    scan(text, false);
  }
  return performance.now() - t0;
}

/** One call, timed, and what it found. */
function timeOnce(scan: typeof ours, text: string): { ms: number; found: ReturnType<typeof ours> } {
  const t0 = performance.now();
  const found = scan(text, true);
  return { ms: performance.now() - t0, found };
}

const LONG_WORDS: Array<{ name: string; text: (n: number) => string }> = [
  { name: 'CJK run glued to a link', text: (n) => `${'我'.repeat(n)}https://example.org/after` },
  { name: 'one letter with combining marks glued to a link', text: (n) => `a${'\u0301'.repeat(n)}https://example.org/after` },
  { name: 'a chain of dotted labels', text: (n) => `${'x_y.com.'.repeat(Math.floor(n / 8))}end` },
];

export const run: BenchSuite = async (ctx) => {
  const rows: BenchRow[] = [];
  const texts = corpusTexts();
  const codeUnits = texts.reduce((sum, t) => sum + t.length, 0);
  sameAnswers(texts);
  timePass(ours, texts);
  timePass(theirs, texts);
  const oursMs: number[] = [];
  const theirsMs: number[] = [];
  for (let i = 0; i < (ctx.quick ? 3 : 7); i++) {
    oursMs.push(timePass(ours, texts));
    theirsMs.push(timePass(theirs, texts));
  }
  ctx.log(`   corpus: ${texts.length} texts, ours ${median(oursMs).toFixed(1)} ms, twitter-text ${median(theirsMs).toFixed(1)} ms a pass`);
  rows.push({
    area: 'URL scanning',
    metric: `real-feed corpus, ${texts.length.toLocaleString('en-US')} titles and summaries (${codeUnits.toLocaleString('en-US')} code units), both modes: ms a pass`,
    ours: median(oursMs),
    baselineName: BASELINE,
    baseline: median(theirsMs),
    unit: 'ms',
    better: 'lower',
    note: 'same answers checked first; median of 7 passes after a warm-up',
  });

  const size = ctx.quick ? 2_000 : 16_000;
  for (const shape of LONG_WORDS) {
    const text = shape.text(size);
    sameAnswers([shape.text(200)]);
    const o = timeOnce(ours, text);
    const t = timeOnce(theirs, text);
    if (!isDeepStrictEqual(o.found, t.found)) throw new Error(`extractUrls and twitter-text differ on the ${shape.name}`);
    ctx.log(`   ${shape.name}: ours ${o.ms.toFixed(1)} ms, twitter-text ${t.ms.toFixed(0)} ms`);
    rows.push({
      area: 'URL scanning',
      metric: `${shape.name}, ${text.length.toLocaleString('en-US')} code units: ms a call`,
      ours: o.ms,
      baselineName: BASELINE,
      baseline: t.ms,
      unit: 'ms',
      better: 'lower',
      note: 'same answer checked; one call each after a warm-up on 200 code units',
    });
  }
  return rows;
};
