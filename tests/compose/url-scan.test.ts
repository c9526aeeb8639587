/**
 * src/compose/url-scan.ts replays twitter-text's URL extraction in linear time. Here: the same answer as
 * twitter-text's extractUrlsWithIndices on seeded random text built to hit every part of its pattern (schemes,
 * bare domains, TLDs, xn--, t.co, ports, paths with parentheses, queries, the characters before a URL, CJK, emoji,
 * combining marks, spaces of every kind, directional marks, lone surrogates, and small copies of the hostile
 * shapes); then the hostile shapes at 100,000 code units, which twitter-text takes minutes over, answered as the
 * small ones are. No timing is asserted: vitest's timeout is the hang guard.
 */
import { describe, expect, it } from 'vitest';
import { extractUrlsWithIndices, twitterTextRegexp } from '../../src/compose/twitter-text.js';
import { extractUrls } from '../../src/compose/url-scan.js';
import { prng } from '../support/prng.js';

const theirs = (text: string, withoutProtocol: boolean) =>
  extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: withoutProtocol }).map(({ url, indices: [start, end] }) => ({ url, start, end }));

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const upTo = (rand: Rand, n: number) => Math.floor(rand() * n);
const word = (rand: Rand, length: number, alphabet: readonly string[]) => Array.from({ length }, () => pick(rand, alphabet)).join('');

const TLDS = ['com', 'co', 'org', 'net', 'io', 'jp', 'uk', 'de', 'xn--p1ai', 'xn--', 'xn--a-b', 'COM', 'Co', 'museum', 'onion', '닷컴', 'みんな', '삼성', 'c', 'comx', 'comm', 'ac', 'a', 't', 'x', 'us', 'info', 'cat', 'ca'];
const CHARS = [
  ...'abzAZ09-_...@#$:/?&=()[]"\'`!,;+~%*|',
  ...['我', '中', '文', '😀', '👍', '👨‍👩‍👧', '\u200d', '\u0301', '\u0308', 'é', 'ü', 'ß', 'ж', 'Ж'],
  ...['\u00a0', '\u2003', ' ', ' ', '\t', '\n', '\u3000', '\u200e', '\u200f', '\u202a', '\u2066', '\u061c'],
  ...['\ufeff', '\ufffe', '＠', '＃', '。', '．', '\u2013', '\u2014', 'ı', 'İ', 'K', 'ſ', '\ud800', '\udc00', 'ｈ'],
];
const PROTOCOLS = ['http://', 'https://', 'HTTP://', 'Https://', 'http:/', 'https//', 'ftp://', 'http://http://'];
const SEPARATORS = [' ', ' ', ' ', '\u00a0', '\n', '\u3000', '\u200e', '\u202f', ''];

function label(rand: Rand): string {
  const r = rand();
  if (r < 0.5) return word(rand, 1 + upTo(rand, 5), ['a', 'b', 'x', 'n', '-', '_', '0', '我', 'é', '😀', '\u0301', 'ж']);
  if (r < 0.6) return `xn--${word(rand, 1 + upTo(rand, 4), ['a', 'b', '-', '0'])}`;
  if (r < 0.63) return word(rand, 60 + upTo(rand, 8), ['a', 'b']);
  if (r < 0.66) return word(rand, 25 + upTo(rand, 40), ['😀', '👍', '😀', '\u0301']);
  return word(rand, 1 + upTo(rand, 8), ['a', 'b', 'c', 'x', 'n', 'o', 'm', '1']);
}
const domain = (rand: Rand) => `${Array.from({ length: upTo(rand, 4) }, () => `${label(rand)}.`).join('')}${label(rand)}.${pick(rand, TLDS)}`;
const PATH_PIECES = ['a', 'b', '/', '.', '(', ')', '(', ')', '(a)', '((b))', '-', '_', '=', '&', '?', '#', '!', '@', '%', 'é', 'ж', '我', ',', '\u2013', '~', '+', ':', '0'];
const path = (rand: Rand) => `${pick(rand, ['/', '/', '?', '/@', '', '/(', '/a(b)('])}${word(rand, upTo(rand, 12), PATH_PIECES)}`;

function token(rand: Rand): string {
  const r = rand();
  if (r < 0.12) return `${pick(rand, PROTOCOLS)}${domain(rand)}${rand() < 0.5 ? path(rand) : ''}`;
  if (r < 0.25) return `${domain(rand)}${rand() < 0.4 ? path(rand) : ''}`;
  if (r < 0.3) return `${pick(rand, ['http://t.co/', 'https://t.co/', 't.co/'])}${word(rand, 1 + upTo(rand, 45), ['a', 'b', '0', 'Z'])}${rand() < 0.3 ? path(rand) : ''}`;
  if (r < 0.36) return `.${pick(rand, TLDS)}`;
  if (r < 0.42) return pick(rand, TLDS);
  if (r < 0.48) return `:${upTo(rand, 99_999)}`;
  if (r < 0.55) return path(rand);
  return word(rand, 1 + upTo(rand, 6), CHARS);
}

const SHAPES: Array<(n: number) => string> = [
  (n) => '我'.repeat(n),
  (n) => `a${'\u0301'.repeat(n)}`,
  (n) => '👍'.repeat(n),
  (n) => '我.'.repeat(n),
  (n) => 'a.'.repeat(n),
  (n) => 'x_y.com.'.repeat(n),
  (n) => 'a-'.repeat(n),
  (n) => 'xn--a.'.repeat(n),
];

function line(rand: Rand): string {
  let text = '';
  for (let i = 1 + upTo(rand, 12); i > 0; i--) text += token(rand) + (rand() < 0.6 ? pick(rand, SEPARATORS) : '');
  return rand() < 0.05 ? pick(rand, SHAPES)(1 + upTo(rand, 300)) + text : text;
}

/** twitter-text's answer, or undefined where it throws (punycode's overflow on a label of thousands of code points). */
function theirsOrThrow(text: string, withoutProtocol: boolean) {
  try {
    return theirs(text, withoutProtocol);
  } catch {
    // twitter-text's shared global pattern keeps the lastIndex it threw at: its next call would start there.
    twitterTextRegexp('extractUrl').lastIndex = 0;
    return undefined;
  }
}

describe('extractUrls', () => {
  it.each([1, 2, 3, 4])('finds what twitter-text finds in 2,500 random lines (seed %i), with and without protocol', (seed) => {
    const rand = prng(seed);
    let withUrls = 0;
    for (let i = 0; i < 2_500; i++) {
      const text = line(rand);
      for (const withoutProtocol of [true, false]) {
        const expected = theirs(text, withoutProtocol);
        if (expected.length > 0) withUrls += 1;
        expect(extractUrls(text, withoutProtocol), JSON.stringify(text)).toEqual(expected);
      }
    }
    // The lines reach the interesting part of the pattern: a good share of them hold URLs.
    expect(withUrls).toBeGreaterThan(1_000);
  });

  const link = 'https://example.com/a';
  /** The link at the very end of the text. */
  const linkAtEnd = (text: string) => [{ url: link, start: text.length - link.length, end: text.length }];
  const hostile: Array<{ name: string; make: (n: number) => string; expected: (text: string) => Array<{ url: string; start: number; end: number }> }> = [
    { name: 'CJK glued to a link', make: (n) => `${'我'.repeat(n)}${link}`, expected: linkAtEnd },
    { name: 'one grapheme of combining marks glued to a link', make: (n) => `a${'\u0301'.repeat(n)}${link}`, expected: linkAtEnd },
    { name: 'emoji glued to a link', make: (n) => `${'👍'.repeat(n / 2)}${link}`, expected: linkAtEnd },
    { name: 'a dotted CJK chain glued to a link', make: (n) => `${'我.'.repeat(n / 2)}${link}`, expected: linkAtEnd },
    { name: 'a dotted ASCII chain glued to a link', make: (n) => `${'a.'.repeat(n / 2)}${link}`, expected: linkAtEnd },
    { name: 'a chain of labels with underscores', make: (n) => `${'x_y.com.'.repeat(n / 8)}${link}`, expected: linkAtEnd },
    {
      name: 'one label of distinct CJK characters',
      make: (n) => `${Array.from({ length: n }, (_, i) => String.fromCharCode(0x4e00 + (i % 20_000))).join('')}.com ${link}`,
      expected: linkAtEnd,
    },
    {
      name: 'balanced parentheses in a path',
      make: (n) => `https://example.com/${'(a)'.repeat(n / 3)}.`,
      // The URL without its closing `.`, as long as it stays within twitter-text's 4,096 characters.
      expected: (text) => (text.length - 1 <= 4096 ? [{ url: text.slice(0, -1), start: 0, end: text.length - 1 }] : []),
    },
    { name: 'a thousand dotted ASCII labels before a CJK domain, repeated', make: (n) => `${'a.'.repeat(1_000)}我.com `.repeat(Math.ceil(n / 2_006)), expected: () => [] },
  ];

  it.each(hostile)('answers $name at 100,000 code units as twitter-text does at 2,000', ({ make, expected }) => {
    const small = make(2_000);
    const big = make(100_000);
    for (const withoutProtocol of [true, false]) {
      // What twitter-text answers at 2,000 (it takes minutes at 100,000)…
      expect(theirs(small, withoutProtocol)).toEqual(expected(small));
      expect(extractUrls(small, withoutProtocol)).toEqual(expected(small));
      // …and the same rule at 100,000.
      expect(extractUrls(big, withoutProtocol)).toEqual(expected(big));
    }
  });

  it('rejects a URL whose label makes punycode overflow, where twitter-text throws', () => {
    const text = `${'a'.repeat(2_100)}\u{10FFFF}.com and https://example.org/b`;
    expect(theirsOrThrow(text, true)).toBeUndefined();
    expect(extractUrls(text, true)).toEqual([{ url: 'https://example.org/b', start: 2_111, end: 2_132 }]);
  });
});
