/**
 * Where the packer may cut: sentence boundaries (with abbreviations), word boundaries (whitespace, or
 * ICU words for CJK), and grapheme clusters only for absurd tokens. Never inside a URL, mention,
 * hashtag, emoji sequence, flag or any grapheme cluster, in any script.
 */
import { describe, expect, it } from 'vitest';
import { composeForBluesky } from '../../src/platforms/bluesky/compose.js';
import { composeForX } from '../../src/platforms/x/compose.js';
import { type BlueskyPart } from '../../src/platforms/bluesky/parts.js';
import { type XPart } from '../../src/platforms/x/parts.js';
import type { Item } from '../../src/core/item.js';
import type { Template } from '../../src/config/template-schema.js';
import { expectValidBluesky, expectValidX, linkFacets, makeItem, template } from './helpers.js';

const COUNTER = / \d+\/\d+$/u;
const ELLIPSIS = '\u2026';
const withoutCounter = (p: { text: string }): string => p.text.replace(COUNTER, '');
/** Whether a part stops inside a sentence: it then ends in "…". */
const stopsInside = (p: { text: string }): boolean => withoutCounter(p).endsWith(ELLIPSIS);
/** A part's text without its counter and the "…" that mark a sentence going on into the next part. */
const body = (p: { text: string }): string => {
  let t = withoutCounter(p);
  if (t.endsWith(ELLIPSIS)) t = t.slice(0, -1).trimEnd();
  if (t.startsWith(ELLIPSIS)) t = t.slice(1).trimStart();
  return t;
};

function both(item: Item, tpl: Template): Array<XPart[] | BlueskyPart[]> {
  const x = composeForX(item, tpl);
  const bsky = composeForBluesky(item, tpl);
  expectValidX(x);
  expectValidBluesky(bsky);
  return [x, bsky];
}

const graphemeSeg = new Intl.Segmenter('en', { granularity: 'grapheme' });
const clusters = (s: string): string[] => Array.from(graphemeSeg.segment(s), (g) => g.segment);

/** Offsets (in `text`) where Intl.Segmenter puts a word boundary. */
function wordBoundaries(text: string, locale: string): Set<number> {
  const seg = new Intl.Segmenter(locale, { granularity: 'word' });
  const out = new Set<number>([text.length]);
  for (const s of seg.segment(text)) out.add(s.index);
  return out;
}

/**
 * Checks that parts, glued back without separators, give `input` and are cut only at `allowed` offsets. A part
 * that stops inside a sentence drops the punctuation it would end on before its "…" ("时间，" → "时间…").
 */
function expectCutsAt(parts: Array<{ text: string }>, input: string, allowed: Set<number>): void {
  let offset = 0;
  for (const p of parts) {
    const b = body(p);
    expect(input.startsWith(b, offset), `part ${JSON.stringify(b.slice(0, 20))}… at ${offset}`).toBe(true);
    offset += b.length;
    if (stopsInside(p)) offset += /^\p{P}*/u.exec(input.slice(offset))![0].length;
    expect(allowed.has(offset), `cut at ${offset}: …${input.slice(offset - 5, offset)}|${input.slice(offset, offset + 5)}…`).toBe(true);
  }
  expect(offset).toBe(input.length);
}

describe('sentences and abbreviations', () => {
  const abbreviations = ['Dr.', 'Mr.', 'Mrs.', 'Ms.', 'St.', 'e.g.', 'i.e.', 'etc.', 'vs.', 'No.', 'Inc.', 'U.S.'];

  it.each(abbreviations)('does not end a part after "%s" followed by a capitalised word', (abbr) => {
    const tail = `Then ${abbr} Smith and the Board agreed on the final plan today.`;
    // Slide the abbreviation across the end of part 1 so that, if it were a sentence end, some filler
    // length would leave exactly enough room for "… <abbr>" and the greedy packer would cut there.
    for (let filler = 230; filler <= 275; filler += 1) {
      const lead = `${'a'.repeat(filler - 1)}.`;
      const item = makeItem({ summary: `${lead} ${tail}` });
      for (const parts of both(item, template({ numbering: false, link: 'none', maxParts: 5 }))) {
        for (const p of parts) expect(p.text.endsWith(abbr), p.text).toBe(false);
        expect(parts.some((p) => p.text.includes(tail))).toBe(true);
      }
    }
  });

  it('moves a sentence that does not fit what is left to the next part instead of splitting it', () => {
    const s1 = `${'First sentence is long enough. '.repeat(8).trim()}`;
    const s2 = 'Second sentence must stay together as one unit.';
    const [x] = both(makeItem({ summary: `${s1} ${s2}` }), template({ numbering: false }));
    expect(x!.map((p) => p.text)).toEqual([s1, s2]);
  });
});

describe('emoji', () => {
  const emoji = ['👩‍👩‍👧‍👦', '🧑🏽‍💻', '🇺🇦', '🇯🇵', '👍🏿', '👋🏼', '🏳️‍🌈', '❤️'];

  it('keeps ZWJ sequences, skin tones and flags whole when they are words between words', () => {
    const words = Array.from({ length: 240 }, (_, i) => (i % 3 === 0 ? emoji[i % emoji.length]! : `word${i}`));
    const item = makeItem({ summary: `${words.join(' ')} 🇺🇦🇯🇵.` });
    for (const parts of both(item, template({ maxParts: 25 }))) {
      expect(parts.length).toBeGreaterThan(1);
      const out = parts.map(body).join(' ').split(' ');
      expect(out).toEqual([...words, '🇺🇦🇯🇵.']);
    }
  });

  it('cuts an unbroken run of emoji only between clusters', () => {
    const run = emoji.join('').repeat(60);
    const input = clusters(run);
    const allowed = new Set<number>();
    let at = 0;
    for (const c of input) allowed.add((at += c.length));
    for (const parts of both(makeItem({ summary: run }), template({ maxParts: 25, numbering: false }))) {
      expect(parts.length).toBeGreaterThan(1);
      expectCutsAt(parts, run, allowed);
    }
  });
});

describe('scripts without spaces', () => {
  it.each([
    ['zh', '我们今天去公园玩了很长时间，天气非常好，大家都很开心地聊天和拍照片'],
    ['ja', '東京タワーに行きました「すごい」と言った友達と一緒に写真を撮りました'],
  ])('splits %s text between words, never inside one', (language, sentence) => {
    // One "sentence" far longer than a part, so it must be split at word level.
    const input = sentence.repeat(12);
    const allowed = wordBoundaries(input, language);
    for (const parts of both(makeItem({ summary: input, language }), template({ maxParts: 25, numbering: false }))) {
      expect(parts.length).toBeGreaterThan(1);
      expectCutsAt(parts, input, allowed);
      for (const p of parts) expect(p.text).not.toMatch(/^[、。，」]|「$/u);
    }
  });

  it('prefers sentence ends (。) when they exist', () => {
    const input = '東京タワーに行きました。「すごい」と言った。'.repeat(20);
    for (const parts of both(makeItem({ summary: input, language: 'ja' }), template({ maxParts: 25, numbering: false }))) {
      expect(parts.map(body).join('')).toBe(input);
      for (const p of parts) expect(p.text).toMatch(/。$/u);
    }
  });
});

describe('right-to-left scripts', () => {
  it.each([
    ['fa', 'این یک متن فارسی است که برای آزمایش نوشته شده و می‌خواهیم درست تقسیم شود.'],
    ['ar', 'هذا نص عربي طويل مكتوب لاختبار تقسيم الرسائل إلى أجزاء صحيحة.'],
  ])('%s: splits at sentence and word boundaries and keeps words (incl. ZWNJ) intact', (language, sentence) => {
    const summary = Array.from({ length: 14 }, () => sentence).join(' ');
    const item = makeItem({ title: 'عنوان', summary, language });
    for (const parts of both(item, template({ maxParts: 25 }))) {
      expect(parts.length).toBeGreaterThan(1);
      const words = parts.map(body).join(' ').replace(/^عنوان\n\n/u, '').split(' ');
      expect(words).toEqual(summary.split(' '));
    }
  });
});

describe('long and odd tokens', () => {
  it('cuts a word longer than a whole part at grapheme boundaries and nowhere else', () => {
    const word = 'क्षि'.repeat(200) + 'x'.repeat(300);
    const allowed = new Set<number>();
    let at = 0;
    for (const c of clusters(word)) allowed.add((at += c.length));
    for (const parts of both(makeItem({ summary: word }), template({ maxParts: 25, numbering: false }))) {
      expect(parts.length).toBeGreaterThan(1);
      expectCutsAt(parts, word, allowed);
    }
  });

  it('leaves entity-derived characters (’ “ ” & < >) as plain text', () => {
    const summary = 'It’s “quoted” & <b>not</b> markup > 3 < 4.';
    for (const parts of both(makeItem({ title: 'AT&T’s “plan”', summary }), template())) {
      expect(parts.map((p) => p.text)).toEqual([`AT&T’s “plan”\n\n${summary}`]);
    }
  });

  it('strips characters the platforms refuse (BOM, controls) and normalises to NFC', () => {
    const [x, bsky] = both(makeItem({ summary: '\uFEFFCafe\u0301 \u0007ok.' }), template());
    expect(x![0]!.text).toBe('Café ok.');
    expect(bsky![0]!.text).toBe('Café ok.');
  });
});

describe('URLs, mentions and hashtags at the cut point', () => {
  const special = [
    `https://example.com/${'path/'.repeat(12)}end?q=1`,
    'example.org/some/page',
    '@some_account',
    '#SomeHashtag',
  ];

  it.each(special)('%s stays whole wherever the cut falls', (token) => {
    // One long sentence, with the token slid across the point where part 1 fills up.
    for (let before = 40; before <= 75; before++) {
      const words = [...Array.from({ length: before }, (_, i) => `w${i % 10}`), token, ...Array.from({ length: 60 }, () => 'z')];
      const item = makeItem({ summary: words.join(' ') });
      const [x, bsky] = both(item, template({ maxParts: 25, link: 'none' })) as [XPart[], BlueskyPart[]];
      expect(x.filter((p) => p.text.split(/\s/u).includes(token)), `before=${before}`).toHaveLength(1);
      // Bluesky may show a long URL shortened; its facet still carries the whole URL, in one part.
      const whole = (p: BlueskyPart): boolean =>
        p.text.split(/\s/u).includes(token) || linkFacets(p).some((l) => l.uri === token || l.uri === `https://${token}`);
      expect(bsky.filter(whole), `before=${before}`).toHaveLength(1);
    }
  });
});
