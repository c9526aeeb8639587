/**
 * Byte-for-byte guard for compose: several hundred seeded items (the property mix, plus long prose, long CJK
 * paragraphs, long links, long words, heavy grapheme clusters and run-on sentences, up to tens of thousands of
 * characters) must compose exactly as recorded in golden.json. The record was made with the packer as it was before compose
 * learnt to read only a bounded prefix of an item and to cut long tokens in linear time (issue #13), so this
 * is the proof that those changes left ordinary output alone. Preview and publish share compose: a change here
 * would change what editors approved.
 *
 * After an intended change to compose output, re-record with `UPDATE_GOLDEN=1 npx vitest run
 * tests/compose/golden.test.ts` and say in the commit why the output moved.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeForBluesky } from '../../src/platforms/bluesky/compose.js';
import { composeForX } from '../../src/platforms/x/compose.js';
import type { Item } from '../../src/core/item.js';
import type { Template } from '../../src/config/template-schema.js';
import { makeItem, prng, template } from './helpers.js';

const GOLDEN = new URL('./golden.json', import.meta.url);

interface Case {
  id: string;
  item: Item;
  tpl: Template;
}

const LATIN = ['alpha', 'beta', 'gamma', 'river', 'stone', 'Light', 'Paris', 'data', 'model', 'quiet', 'Dr.', 'e.g.', 'It’s', '“quoted”', 'R&D', '<tag>', 'U.S.', 'approx.', '(see', 'this)', '3.5', '42%'];
const RTL = ['سلام', 'دنیا', 'می‌خواهم', 'كتاب', 'مرحبا', 'العالم', 'فارسی'];
const CJK = ['我们今天去公园', '東京タワーに行きました', '天气非常好。', 'すごい', '学校', '日本語の文章です。', '「こんにちは」と言った。'];
const EMOJI = ['👩‍👩‍👧‍👦', '🧑🏽‍💻', '🇺🇦', '🇯🇵', '👍🏿', '🏳️‍🌈', '🇺🇦🇯🇵', '❤️'];
const PROSE = [
  'The committee met on Tuesday to review the proposal.',
  'Dr. Smith said the results were promising, e.g. a 40% drop in errors.',
  'Nobody expected the U.S. Army band to play at 3 p.m. on a weekday!',
  'Was it worth it?',
  '“We will see,” she said, and left the room quietly.',
  'Prices rose by approx. 3.5 percent in the first quarter of the year.',
  'See Fig. 2 and Sec. 4 for the details; they matter.',
  'The river, swollen by a week of rain, flooded the low fields near the old mill.',
];
const CJK_SENTENCES = ['今天天气非常好。', '我们去公园散步吧。', '「本当ですか」と彼は聞いた。', '東京タワーは高いです。', '学生们在图书馆里认真地学习。', '这是一个很长的句子，里面有逗号，也有很多字。'];

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

function randomTemplate(rnd: () => number): Template {
  return template({
    maxParts: pick(rnd, [1, 2, 3, 4, 4, 7, 10, 25]),
    numbering: rnd() < 0.7,
    link: pick(rnd, ['first', 'last', 'every', 'none'] as const),
    hashtags: Math.floor(rnd() * 3),
    title: rnd() < 0.8,
    attribution: rnd() < 0.5,
  });
}

function longUrl(rnd: () => number, seed: number, length: number): string {
  let url = `https://example.com/r${seed}/`;
  while (url.length < length) url += pick(rnd, ['seg/', 'a-b_c/', 'x%20y/', 'q=1&', 'path.html/']);
  return url.slice(0, length);
}

/** The property-test mix: words, URLs, mentions, hashtags, emoji, CJK and RTL. */
function mixed(seed: number): Case {
  const rnd = prng(seed);
  const count = 3 + Math.floor(rnd() * (rnd() < 0.3 ? 400 : 80));
  let summary = '';
  for (let i = 0; i < count; i++) {
    const r = rnd();
    let word: string;
    if (r < 0.45) word = pick(rnd, LATIN) + (rnd() < 0.15 ? pick(rnd, ['.', '!', '?', ',']) : '');
    else if (r < 0.6) word = pick(rnd, RTL) + (rnd() < 0.1 ? '.' : '');
    else if (r < 0.72) word = pick(rnd, CJK);
    else if (r < 0.85) word = pick(rnd, EMOJI);
    else if (r < 0.93) word = rnd() < 0.7 ? longUrl(rnd, seed, 25 + Math.floor(rnd() * 200)) : `site${seed}x${i}.example.org/p`;
    else word = rnd() < 0.5 ? `@user${i}` : `#topic${i}`;
    summary += (i === 0 ? '' : rnd() < 0.03 ? '\n\n' : ' ') + word;
  }
  return {
    id: `mixed-${seed}`,
    item: makeItem({
      summary,
      title: `Generated title ${seed}`,
      attribution: `Author ${seed}`,
      ...(rnd() < 0.8 ? { url: `https://example.net/item/${seed}/${'slug'.repeat(Math.floor(rnd() * 30))}` } : {}),
      ...(rnd() < 0.5 ? { language: pick(rnd, ['en', 'zh', 'ja', 'fa']) } : {}),
      tags: ['Property Tag', 'extra', '2024'],
    }),
    tpl: randomTemplate(rnd),
  };
}

/** Long English prose, one paragraph or many, with links now and then: up to ~60 000 characters. */
function prose(seed: number): Case {
  const rnd = prng(seed * 7919);
  const target = pick(rnd, [3_000, 8_000, 20_000, 40_000, 60_000]);
  const oneParagraph = rnd() < 0.5;
  let summary = '';
  while (summary.length < target) {
    let sentence = pick(rnd, PROSE);
    if (rnd() < 0.1) sentence += ` Read more at ${longUrl(rnd, seed, 30 + Math.floor(rnd() * 300))} today.`;
    if (rnd() < 0.05) sentence += ` ${pick(rnd, EMOJI)}`;
    summary += (summary ? (!oneParagraph && rnd() < 0.1 ? '\n\n' : ' ') : '') + sentence;
  }
  return {
    id: `prose-${seed}`,
    item: makeItem({ summary, title: `Long read ${seed}`, url: `https://example.net/read/${seed}`, tags: ['News', 'Long form'] }),
    tpl: randomTemplate(rnd),
  };
}

/** Long Chinese/Japanese paragraphs without spaces: up to ~15 000 characters in one run. */
function cjk(seed: number): Case {
  const rnd = prng(seed * 104729);
  const target = pick(rnd, [1_000, 3_000, 6_000, 15_000]);
  let summary = '';
  while (summary.length < target) summary += pick(rnd, CJK_SENTENCES) + (rnd() < 0.02 ? '\n\n' : '');
  return {
    id: `cjk-${seed}`,
    item: makeItem({ summary, title: '长文', url: `https://example.cn/a/${seed}`, language: pick(rnd, ['zh', 'ja']) }),
    tpl: randomTemplate(rnd),
  };
}

/** Long links (hundreds to thousands of characters), several to a sentence: X counts each as 23. */
function links(seed: number): Case {
  const rnd = prng(seed * 15485863);
  const n = 5 + Math.floor(rnd() * 40);
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    words.push(rnd() < 0.5 ? longUrl(rnd, seed * 100 + i, 200 + Math.floor(rnd() * 3_800)) : pick(rnd, LATIN));
    if (rnd() < 0.2) words[words.length - 1] += '.';
  }
  return {
    id: `links-${seed}`,
    item: makeItem({ summary: words.join(' '), url: `https://example.org/l/${seed}` }),
    tpl: randomTemplate(rnd),
  };
}

/** Words longer than a part (hundreds to a few thousand characters), emoji runs, heavy combining clusters. */
function longWords(seed: number): Case {
  const rnd = prng(seed * 32452843);
  const parts: string[] = [];
  const n = 1 + Math.floor(rnd() * 6);
  for (let i = 0; i < n; i++) {
    const kind = rnd();
    const length = 100 + Math.floor(rnd() * 3_000);
    if (kind < 0.3) parts.push('word'.repeat(Math.ceil(length / 4)).slice(0, length));
    else if (kind < 0.5) parts.push(Array.from({ length: Math.ceil(length / 8) }, () => pick(rnd, EMOJI)).join(''));
    else if (kind < 0.7) parts.push(`e\u0301\u0302\u0303\u0304`.repeat(Math.ceil(length / 5)));
    else if (kind < 0.85) parts.push('天气非常好我们去公园'.repeat(Math.ceil(length / 10)));
    else parts.push(pick(rnd, PROSE));
  }
  return {
    id: `long-words-${seed}`,
    item: makeItem({ summary: parts.join(' '), url: `https://example.org/w/${seed}` }),
    tpl: randomTemplate(rnd),
  };
}

/**
 * Runs longer than 4096 characters: sentences with no end for thousands of words, words of 4100 to 4350
 * characters, and several such paragraphs in a row, so a thread needs more than compose reads at first.
 */
function longRuns(seed: number): Case {
  const rnd = prng(seed * 49979687);
  const paragraphs: string[] = [];
  const count = 1 + Math.floor(rnd() * 4);
  for (let p = 0; p < count; p++) {
    const words: string[] = [];
    let length = 0;
    const target = 4_500 + Math.floor(rnd() * 8_000);
    while (length < target) {
      const r = rnd();
      const word =
        r < 0.02
          ? 'long'.repeat(1_025 + Math.floor(rnd() * 60))
          : r < 0.04
            ? longUrl(rnd, seed * 1000 + words.length, 200 + Math.floor(rnd() * 3_000))
            : r < 0.1
              ? pick(rnd, EMOJI)
              : r < 0.15
                ? pick(rnd, CJK)
                : pick(rnd, LATIN).replace(/[.!?]$/u, '');
      words.push(word);
      length += word.length + 1;
    }
    paragraphs.push(words.join(rnd() < 0.5 ? ' ' : ', '));
  }
  return {
    id: `long-runs-${seed}`,
    item: makeItem({ summary: paragraphs.join('\n\n'), title: `Run-on ${seed}`, url: `https://example.org/r/${seed}` }),
    tpl: randomTemplate(rnd),
  };
}

function cases(): Case[] {
  const out: Case[] = [];
  for (let s = 1; s <= 200; s++) out.push(mixed(s));
  for (let s = 1; s <= 30; s++) out.push(prose(s));
  for (let s = 1; s <= 20; s++) out.push(cjk(s));
  for (let s = 1; s <= 20; s++) out.push(links(s));
  for (let s = 1; s <= 30; s++) out.push(longWords(s));
  for (let s = 1; s <= 24; s++) out.push(longRuns(s));
  return out;
}

const digest = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 20);

function record(c: Case): { x: string; bluesky: string } {
  return { x: digest(composeForX(c.item, c.tpl)), bluesky: digest(composeForBluesky(c.item, c.tpl)) };
}

describe('compose output is unchanged for ordinary and long legitimate items', () => {
  const all = cases();

  if (process.env.UPDATE_GOLDEN === '1') {
    it('re-records golden.json', () => {
      const golden = Object.fromEntries(all.map((c) => [c.id, record(c)]));
      writeFileSync(GOLDEN, `${JSON.stringify(golden, null, 1)}\n`);
    });
    return;
  }

  const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, { x: string; bluesky: string }>;

  it('records every case', () => {
    expect(Object.keys(golden).sort()).toEqual(all.map((c) => c.id).sort());
  });

  for (const group of ['mixed', 'prose', 'cjk', 'links', 'long-words', 'long-runs']) {
    it(`${group}: X and Bluesky parts match the record byte for byte`, () => {
      const mismatched = all
        .filter((c) => c.id.startsWith(`${group}-`))
        .filter((c) => JSON.stringify(record(c)) !== JSON.stringify(golden[c.id]))
        .map((c) => c.id);
      expect(mismatched).toEqual([]);
    });
  }
});
