/**
 * Compose: items turned into threads per second, for X and for Bluesky, with the real `composeForChannel` and
 * a channel parsed by the config schema (default template: maxParts 4, numbering, link on the first part).
 *
 * Baseline: the splitter many bots use — title, summary and link joined, then cut into 280 (X) or 300 (Bluesky)
 * UTF-16 code units with String.prototype.slice. It never measures text, so it is far faster; a second row per
 * platform counts how many of its parts are invalid on the platform or cut something in half, checked by the
 * same checker as ours.
 */
import twitterText from 'twitter-text';
import { ChannelSchema } from '../src/platforms/config-schema.js';
import { ItemSchema, type Item } from '../src/core/item.js';
import { composeForChannel } from '../src/platforms/compose-for-channel.js';
import type { BlueskyPart } from '../src/platforms/bluesky/parts.js';
import { composeInputs, median, type ComposeInput } from './lib/feeds.js';
import type { BenchRow, BenchSuite } from './lib/rows.js';

type Platform = 'x' | 'bluesky';
const LIMIT: Record<Platform, number> = { x: 280, bluesky: 300 };

/** The naive bot: everything in one string, sliced every 280/300 code units. */
function naiveSplit(item: Item, size: number): string[] {
  const text = `${item.title ?? ''}\n\n${item.summary}${item.url ? `\n\n${item.url}` : ''}`;
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

// ── the checker (independent of the app's own helpers) ──────────────────────────────────────────────────────────

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
const wordSegmenters = new Map<string, Intl.Segmenter>();
const wordSegmenter = (locale: string) => {
  let s = wordSegmenters.get(locale);
  if (!s) wordSegmenters.set(locale, (s = new Intl.Segmenter(locale, { granularity: 'word' })));
  return s;
};

interface SourceIndex {
  locale: string;
  words: Set<string>;
  graphemes: Set<string>;
  urls: Set<string>;
}

const withScheme = (u: string) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(u) ? u : `https://${u}`);

/** Replaces the given UTF-16 spans with a space each, so what is left can be checked word by word. */
function blank(text: string, spans: Array<[number, number]>): string {
  let out = '';
  let from = 0;
  for (const [s, e] of [...spans].sort((a, b) => a[0] - b[0])) {
    out += text.slice(from, s) + ' ';
    from = e;
  }
  return out + text.slice(from);
}

function indexSource(item: Item): SourceIndex {
  const text = [item.title ?? '', item.attribution ?? '', item.summary, item.url ?? '', ...item.tags].join('\n').normalize('NFC');
  const locale = item.language ?? 'en';
  const found = twitterText.extractUrlsWithIndices(text);
  const urls = new Set<string>();
  for (const u of found) urls.add(u.url).add(withScheme(u.url));
  const rest = blank(text, found.map((u) => u.indices));
  const words = new Set<string>();
  for (const s of wordSegmenter(locale).segment(rest)) if (s.isWordLike) words.add(s.segment);
  const gs = new Set<string>(['…', '—', ' ', '\n']);
  for (const g of graphemes.segment(text)) gs.add(g.segment);
  return { locale, words, graphemes: gs, urls };
}

interface Defects {
  overLimit: boolean;
  cutUrl: boolean;
  cutWord: boolean;
  cutGrapheme: boolean;
}

/**
 * One part, judged on its own. Over the limit: twitter-text's parseTweet(text).valid on X; more than 300
 * graphemes or 3000 UTF-8 bytes on Bluesky. Cut: a URL that is not a whole URL of the item, a word that is not
 * a word of the item (ICU word segmentation in the item's language), or a grapheme cluster that is not one of
 * the item's (half an emoji, a lone surrogate). Link facets (Bluesky) are checked by their target URI, and a
 * trailing " 2/4" thread counter is ignored. Membership tests can only miss a cut (a half-word that happens to
 * be a word elsewhere in the item), so if anything they under-count.
 */
function defects(text: string, platform: Platform, idx: SourceIndex, facets: BlueskyPart['facets'] = []): Defects {
  const d: Defects = { overLimit: false, cutUrl: false, cutWord: false, cutGrapheme: false };
  if (platform === 'x') d.overLimit = !twitterText.parseTweet(text).valid;
  else {
    let n = 0;
    for (const _ of graphemes.segment(text)) n++;
    d.overLimit = n > 300 || Buffer.byteLength(text, 'utf8') > 3000;
  }
  const bytes = Buffer.from(text, 'utf8');
  const toIndex = (byte: number) => bytes.subarray(0, byte).toString('utf8').length;
  const facetSpans: Array<[number, number]> = [];
  for (const f of facets) {
    for (const feature of f.features) {
      if (feature.$type === 'app.bsky.richtext.facet#link') {
        if (!idx.urls.has(feature.uri)) d.cutUrl = true;
        facetSpans.push([toIndex(f.index.byteStart), toIndex(f.index.byteEnd)]);
      }
    }
  }
  let rest = blank(text, facetSpans).replace(/ \d+\/\d+$/, '');
  const urls = twitterText.extractUrlsWithIndices(rest);
  for (const u of urls) if (!idx.urls.has(u.url)) d.cutUrl = true;
  rest = blank(rest, urls.map((u) => u.indices));
  for (const g of graphemes.segment(rest)) {
    if (!idx.graphemes.has(g.segment)) {
      d.cutGrapheme = true;
      break;
    }
  }
  for (const s of wordSegmenter(idx.locale).segment(rest)) {
    if (s.isWordLike && !idx.words.has(s.segment)) {
      d.cutWord = true;
      break;
    }
  }
  return d;
}

interface Tally {
  parts: number;
  invalid: number;
  overLimit: number;
  cutUrl: number;
  cutWord: number;
  cutGrapheme: number;
  examples: string[];
}

const newTally = (): Tally => ({ parts: 0, invalid: 0, overLimit: 0, cutUrl: 0, cutWord: 0, cutGrapheme: 0, examples: [] });

function count(t: Tally, d: Defects, text: string): void {
  t.parts++;
  if (d.overLimit) t.overLimit++;
  if (d.cutUrl) t.cutUrl++;
  if (d.cutWord) t.cutWord++;
  if (d.cutGrapheme) t.cutGrapheme++;
  if (d.overLimit || d.cutUrl || d.cutWord || d.cutGrapheme) {
    t.invalid++;
    if (t.examples.length < 3) t.examples.push(JSON.stringify(text.length > 80 ? `…${text.slice(-60)}` : text));
  }
}

const describe = (t: Tally) =>
  `${t.invalid} of ${t.parts} parts: ${t.overLimit} over the limit, ${t.cutWord} cut a word, ${t.cutUrl} cut a URL, ${t.cutGrapheme} cut an emoji/character`;

// ── timing ───────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A timed round: `fn` over every item, `passes` times. `calibrate` runs rounds of 1, 2, 4… passes until one takes
 * at least `minMs` (these rounds are the warm-up) and returns that many passes.
 */
class Timer {
  private sink = 0;
  passes = 1;
  constructor(
    private readonly items: readonly Item[],
    private readonly fn: (item: Item) => readonly unknown[],
  ) {}

  round(): number {
    const t0 = performance.now();
    for (let k = 0; k < this.passes; k++) for (const item of this.items) this.sink += this.fn(item).length;
    return performance.now() - t0;
  }

  calibrate(minMs: number): this {
    while (this.round() < minMs && this.passes < 1 << 16) this.passes *= 2;
    return this;
  }

  /** Items per second of one timed round. */
  rate(): number {
    const ms = this.round();
    if (this.sink < 0) throw new Error('unreachable');
    return (this.items.length * this.passes) / (ms / 1000);
  }
}

export const run: BenchSuite = async (ctx) => {
  const n = ctx.quick ? 16 : 240;
  const reps = ctx.quick ? 1 : 5;
  const minMs = ctx.quick ? 10 : 250;
  const inputs: ComposeInput[] = composeInputs(n);
  const items: Item[] = inputs.map(({ kind: _kind, ...fields }) =>
    ItemSchema.parse({ ...fields, sourceId: 'bench', contentHash: `hash-${fields.id}` }),
  );
  const kinds = inputs.reduce<Record<string, number>>((acc, i) => ({ ...acc, [i.kind]: (acc[i.kind] ?? 0) + 1 }), {});
  const chars = items.map((i) => (i.title ?? '').length + i.summary.length);
  ctx.log(`compose: ${n} items (${Object.entries(kinds).map(([k, v]) => `${v} ${k}`).join(', ')}), median ${median(chars)} chars`);

  const rows: BenchRow[] = [];
  for (const platform of ['x', 'bluesky'] as const) {
    const channel = ChannelSchema.parse(platform === 'x' ? { id: 'x-main', platform: 'x' } : { id: 'bluesky-main', platform: 'bluesky' });
    const name = platform === 'x' ? 'X' : 'Bluesky';
    const size = LIMIT[platform];

    // Validity first (also a warm-up for both): every part of every item through the same checker.
    const oursTally = newTally();
    const naiveTally = newTally();
    const partsPerThread: number[] = [];
    let truncated = 0;
    for (const item of items) {
      const idx = indexSource(item);
      const thread = composeForChannel(item, channel);
      partsPerThread.push(thread.parts.length);
      // The template's clean ellipsis closes the last allowed part (a short link display may end in "…" too).
      if (thread.parts.length === channel.template.maxParts && /…(?: \d+\/\d+)?$/.test(thread.parts.at(-1)?.text ?? '')) truncated++;
      for (const p of thread.parts) {
        const facets = platform === 'bluesky' ? (p as BlueskyPart).facets : [];
        count(oursTally, defects(p.text, platform, idx, facets), p.text);
      }
      for (const text of naiveSplit(item, size)) count(naiveTally, defects(text, platform, idx), text);
    }
    const hist = [1, 2, 3, 4].map((k) => partsPerThread.filter((x) => x === k).length);
    ctx.log(`  ${name}: ours ${describe(oursTally)}; parts per thread 1/2/3/4: ${hist.join('/')}, ${truncated} threads cut short with "…" at ${channel.template.maxParts} parts`);
    ctx.log(`  ${name}: naive ${describe(naiveTally)}; e.g. ${naiveTally.examples.slice(0, 2).join(', ')}`);
    if (oursTally.invalid) ctx.log(`  ${name}: ours invalid examples: ${oursTally.examples.join(', ')}`);

    // Throughput, interleaved so drift hits both alike.
    const oursTimer = new Timer(items, (item) => composeForChannel(item, channel).parts).calibrate(minMs);
    const naiveTimer = new Timer(items, (item) => naiveSplit(item, size)).calibrate(minMs);
    const oursRuns: number[] = [];
    const naiveRuns: number[] = [];
    for (let r = 0; r < reps; r++) {
      oursRuns.push(oursTimer.rate());
      naiveRuns.push(naiveTimer.rate());
    }
    const ours = median(oursRuns);
    const naive = median(naiveRuns);
    ctx.log(`  ${name}: ours ${Math.round(ours)} items/s (runs ${oursRuns.map(Math.round).join(', ')}), naive ${Math.round(naive)} items/s`);

    rows.push({
      area: 'Compose',
      metric: `${name}, ${n} mixed items → threads: items/s`,
      ours,
      baselineName: `naive ${size}-char String.prototype.slice splitter`,
      baseline: naive,
      unit: 'items/s',
      better: 'higher',
      note: `real composeForChannel, default template (≤ 3 parts, numbering, link on part 1); the baseline is faster because it never measures text (no ${platform === 'x' ? 'twitter-text weighting' : 'grapheme/byte counting'}, no word, URL or emoji boundaries); median of ${reps} rounds after warm-up`,
    });
    rows.push({
      area: 'Compose',
      metric: `${name}: parts invalid or cutting a word/URL/emoji, % of parts`,
      ours: (100 * oursTally.invalid) / oursTally.parts,
      baselineName: `naive ${size}-char String.prototype.slice splitter`,
      baseline: (100 * naiveTally.invalid) / naiveTally.parts,
      unit: '% of parts',
      better: 'lower',
      note: `ours ${describe(oursTally)}; naive ${describe(naiveTally)}; ${platform === 'x' ? "limit = twitter-text parseTweet().valid" : 'limit = ≤ 300 graphemes and ≤ 3000 UTF-8 bytes'}`,
    });
  }
  return rows;
};
