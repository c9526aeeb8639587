/**
 * Property-style check over a few hundred generated texts (seeded, so any failure is reproducible from
 * its case number) mixing words, URLs, mentions, hashtags, emoji, CJK and RTL. For every case and both
 * platforms: each part fits; the bodies put back together give the input words in order; nothing is
 * cut except between input atoms (whitespace words, or ICU words inside CJK runs); each URL lands whole
 * in exactly one part unless maxParts truncation dropped it.
 */
import { describe, expect, it } from 'vitest';
import { composeForBluesky } from '../../src/platforms/bluesky/compose.js';
import { composeForX } from '../../src/platforms/x/compose.js';
import { type BlueskyPart } from '../../src/platforms/bluesky/parts.js';
import type { Item } from '../../src/core/item.js';
import type { Template } from '../../src/config/template-schema.js';
import { byteSlice, expectValidBluesky, expectValidX, linkFacets, makeItem, prng, template } from './helpers.js';

const LATIN = ['alpha', 'beta', 'gamma', 'river', 'stone', 'Light', 'Paris', 'data', 'model', 'quiet', 'Dr.', 'e.g.', 'It’s', '“quoted”', 'R&D', '<tag>'];
const RTL = ['سلام', 'دنیا', 'می‌خواهم', 'كتاب', 'مرحبا', 'العالم', 'فارسی'];
const CJK = ['我们今天去公园', '東京タワーに行きました', '天气非常好。', 'すごい', '学校', '日本語の文章です。'];
const EMOJI = ['👩‍👩‍👧‍👦', '🧑🏽‍💻', '🇺🇦', '🇯🇵', '👍🏿', '🏳️‍🌈', '🇺🇦🇯🇵', '❤️'];
const TAGS = ['Property Tag', 'extra', '2024'];
const EXPECTED_TAGS = new Set(['#PropertyTag', '#extra']);
const NO_SPACE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

interface Case {
  item: Item;
  tpl: Template;
  urls: string[];
  locale: string;
}

function generate(seed: number): Case {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const urls: string[] = [];
  const count = 3 + Math.floor(rnd() * (rnd() < 0.3 ? 400 : 80));
  let summary = '';
  for (let i = 0; i < count; i++) {
    const r = rnd();
    let word: string;
    if (r < 0.45) word = pick(LATIN) + (rnd() < 0.15 ? pick(['.', '!', '?', ',']) : '');
    else if (r < 0.6) word = pick(RTL) + (rnd() < 0.1 ? '.' : '');
    else if (r < 0.72) word = pick(CJK);
    else if (r < 0.85) word = pick(EMOJI);
    else if (r < 0.93) {
      word =
        rnd() < 0.7
          ? `https://example.com/c${seed}/u${i}${rnd() < 0.5 ? `/${'seg'.repeat(Math.floor(rnd() * 40))}` : ''}`
          : `site${seed}x${i}.example.org/p`;
      urls.push(word);
    } else word = rnd() < 0.5 ? `@user${i}` : `#topic${i}`;
    summary += (i === 0 ? '' : rnd() < 0.03 ? '\n\n' : ' ') + word;
  }
  const language = pick([undefined, 'en', 'zh', 'ja', 'fa']);
  const item = makeItem({
    summary,
    ...(rnd() < 0.5 ? { title: `Generated title ${seed}` } : {}),
    ...(rnd() < 0.8 ? { url: `https://example.net/item/${seed}/${'slug'.repeat(Math.floor(rnd() * 30))}` } : {}),
    ...(language ? { language } : {}),
    tags: TAGS,
  });
  const tpl = template({
    maxParts: rnd() < 0.7 ? 25 : 1 + Math.floor(rnd() * 4),
    numbering: rnd() < 0.7,
    link: pick(['first', 'last', 'every', 'none'] as const),
    hashtags: Math.floor(rnd() * 3),
  });
  return { item, tpl, urls, locale: language ?? 'en' };
}

/** Bluesky shows long links shortened; put the facet's full URI back so bodies compare with the input. */
function unshorten(part: BlueskyPart, c: Case): string {
  const bytes = Buffer.from(part.text, 'utf8');
  let out = '';
  let at = 0;
  for (const f of part.facets) {
    for (const feat of f.features) {
      if (feat.$type !== 'app.bsky.richtext.facet#link') continue;
      const shown = byteSlice(part.text, f.index.byteStart, f.index.byteEnd);
      // How the link was written in the input: bare domains stay bare, everything else is the URI.
      const bare = feat.uri.replace(/^https:\/\//u, '');
      const original = c.urls.includes(bare) ? bare : feat.uri;
      if (shown === original) continue;
      out += bytes.subarray(at, f.index.byteStart).toString('utf8') + original;
      at = f.index.byteEnd;
    }
  }
  return out + bytes.subarray(at).toString('utf8');
}

/** Offsets in the whitespace-free input where a cut is acceptable. */
function atomBoundaries(summary: string, locale: string): { concat: string; allowed: Set<number> } {
  const words = new Intl.Segmenter(locale, { granularity: 'word' });
  let concat = '';
  const allowed = new Set<number>([0]);
  for (const chunk of summary.split(/\s+/u).filter(Boolean)) {
    if (NO_SPACE.test(chunk) && !/[@#]|\//u.test(chunk)) {
      for (const s of words.segment(chunk)) allowed.add(concat.length + s.index);
    }
    concat += chunk;
    allowed.add(concat.length);
  }
  return { concat, allowed };
}

/** One part's body words, and whether the part stopped inside a sentence (it ends in "…"). */
interface Body {
  words: string[];
  cut: boolean;
}

/** The body of each part: text minus counter, link line, hashtag line, the "…" at either end, and title. */
function bodies(texts: string[], c: Case): Body[] {
  const n = texts.length;
  const url = c.tpl.link === 'none' ? undefined : c.item.url;
  return texts.map((raw, i) => {
    let t = raw;
    if (n >= 2 && c.tpl.numbering) {
      expect(t.endsWith(` ${i + 1}/${n}`)).toBe(true);
      t = t.slice(0, -` ${i + 1}/${n}`.length);
    } else {
      expect(t).not.toMatch(/ \d+\/\d+$/u);
    }
    const linked = url && (c.tpl.link === 'every' || (c.tpl.link === 'first' ? i === 0 : i === n - 1));
    if (linked) {
      expect(t.endsWith(url)).toBe(true);
      t = t.slice(0, -url.length).trimEnd();
    }
    if (i === n - 1) {
      const blocks = t.split('\n\n');
      const lastBlock = blocks.at(-1)!;
      if (blocks.length > 1 && lastBlock.split(' ').every((w) => EXPECTED_TAGS.has(w))) {
        t = blocks.slice(0, -1).join('\n\n');
      }
    }
    let cut = false;
    if (t.endsWith('\u2026')) {
      cut = true;
      t = t.slice(0, -1).trimEnd();
    }
    if (i > 0 && t.startsWith('\u2026')) t = t.slice(1);
    const title = c.item.title;
    if (i === 0 && title && c.tpl.title) {
      expect(t.startsWith(title)).toBe(true);
      t = t.slice(title.length);
    }
    return { words: t.split(/\s+/u).filter(Boolean), cut };
  });
}

/** Returns whether the thread was shortened (text left out at the end), so the suite can check it exercised that path. */
function checkCase(texts: string[], c: Case, urlCount: (url: string) => number): boolean {
  const { concat, allowed } = atomBoundaries(c.item.summary, c.locale);
  const nextAllowed = (at: number): number => Math.min(...[...allowed].filter((b) => b >= at));
  let at = 0;
  for (const body of bodies(texts, c)) {
    for (const w of body.words) {
      expect(concat.startsWith(w, at), `word ${JSON.stringify(w)} at ${at}`).toBe(true);
      at += w.length;
      if (w !== body.words.at(-1) || !body.cut) expect(allowed.has(at), `cut at ${at}`).toBe(true);
    }
    if (body.cut && body.words.length > 0) {
      // The word before a "…" may have lost trailing punctuation to it; otherwise a cut falls between atoms.
      const next = nextAllowed(at);
      expect(concat.slice(at, next)).toMatch(/^[\p{P}]*$/u);
      at = next;
    }
  }
  const shortened = at < concat.length;
  // Text is left out only to keep within maxParts (a tiny last part may then be dropped for a full sentence).
  if (shortened) expect(texts.length).toBeGreaterThanOrEqual(c.tpl.maxParts - 1);

  for (const u of c.urls) {
    const position = concat.indexOf(u);
    const kept = position + u.length <= at;
    expect(urlCount(u), u).toBe(kept ? 1 : 0);
  }
  return shortened;
}

describe('generated texts', () => {
  const cases = Array.from({ length: 300 }, (_, i) => i + 1);

  it('X: every part fits and the input survives in order, cut only between atoms', () => {
    let multiPart = 0;
    let truncated = 0;
    for (const seed of cases) {
      const c = generate(seed);
      const parts = composeForX(c.item, c.tpl);
      expectValidX(parts);
      const texts = parts.map((p) => p.text);
      const words = texts.map((t) => t.split(/\s+/u));
      if (checkCase(texts, c, (u) => words.filter((ws) => ws.includes(u)).length)) truncated++;
      if (parts.length > 1) multiPart++;
    }
    // Guard the generator itself: the interesting paths must actually be exercised.
    expect(multiPart).toBeGreaterThan(100);
    expect(truncated).toBeGreaterThan(20);
  });

  it('Bluesky: every part fits, facets are exact, and the input survives in order', () => {
    for (const seed of cases) {
      const c = generate(seed);
      const parts = composeForBluesky(c.item, c.tpl);
      expectValidBluesky(parts);
      const uri = (u: string): string => (u.startsWith('https://') ? u : `https://${u}`);
      checkCase(parts.map((p) => unshorten(p, c)), c, (u) =>
        parts.filter((p) => linkFacets(p).some((l) => l.uri === uri(u))).length,
      );
    }
  });

  it('is deterministic across runs', () => {
    for (const seed of cases.slice(0, 40)) {
      const a = generate(seed);
      const b = generate(seed);
      expect(composeForX(a.item, a.tpl)).toEqual(composeForX(b.item, b.tpl));
      expect(composeForBluesky(a.item, a.tpl)).toEqual(composeForBluesky(b.item, b.tpl));
    }
  });
});
