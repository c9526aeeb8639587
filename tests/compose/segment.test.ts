/**
 * Compose segments long text in bounded windows (V8 spends time proportional to the whole string on every
 * segment it hands out). These check that windows change nothing: boundaries found window by window are the
 * ones ICU finds on the whole string, on text made to be hard for it (flags, ZWJ sequences, skin tones,
 * combining marks, Hangul jamo, Indic conjuncts, CRLF).
 */
import { describe, expect, it } from 'vitest';
import {
  GraphemeBoundaries,
  graphemeBoundariesAfter,
  graphemeCount,
  graphemeFloor,
  hasAtMostGraphemes,
  segmentsOf,
  takeGraphemes,
  utf8Length,
} from '../../src/compose/segment.js';
import { prng } from './helpers.js';

const ATOMS = [
  'a', 'Z', ' ', '.', '\r\n', '\n', '我', '😀', '🇺', '🇦', '🇯🇵', '👩‍👩‍👧‍👦', '👍🏿', '\u200d', '\u0301', '\u0302',
  'e\u0301', '\u1100', '\u1161', '\u11a8', '한', 'क्ष', '\u094d', 'ि', '🏳️‍🌈', '\ufe0f', '1️⃣', 'ก', 'ำ',
];

function hardText(seed: number, length: number): string {
  const rnd = prng(seed);
  let s = '';
  while (s.length < length) s += ATOMS[Math.floor(rnd() * ATOMS.length)]!;
  return s;
}

const whole = (text: string): number[] => {
  const out = [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].map((s) => s.index);
  return [...out.slice(1), text.length];
};

describe('grapheme boundaries found window by window', () => {
  it('are the boundaries of the whole string, for any window size and any starting boundary', () => {
    for (let seed = 1; seed <= 120; seed++) {
      const text = hardText(seed, 20 + (seed % 7) * 40);
      const expected = whole(text);
      for (const window of [1, 2, 3, 5, 8, 64]) {
        expect([...graphemeBoundariesAfter(text, 0, window)], `seed ${seed}, window ${window}`).toEqual(expected);
      }
      const from = expected[Math.floor(expected.length / 3)]!;
      expect([...graphemeBoundariesAfter(text, from, 4)]).toEqual(expected.filter((b) => b > from));
    }
  });

  it('get through one cluster far longer than a window', () => {
    const text = `x${'a'}${'\u0301'.repeat(5000)}y`;
    expect([...graphemeBoundariesAfter(text, 0, 16)]).toEqual([1, 5002, 5003]);
  });

  it('give counts, prefixes, floors and an index that agree with the whole string', () => {
    for (let seed = 200; seed < 260; seed++) {
      const text = hardText(seed, 300);
      const bounds = [0, ...whole(text)];
      expect(graphemeCount(text)).toBe(bounds.length - 1);
      expect(hasAtMostGraphemes(text, bounds.length - 1)).toBe(true);
      expect(hasAtMostGraphemes(text, bounds.length - 2)).toBe(false);
      expect(takeGraphemes(text, 7)).toBe(text.slice(0, bounds[Math.min(7, bounds.length - 1)]));
      const index = new GraphemeBoundaries(text);
      for (let at = 0; at <= text.length; at += 13) {
        const floor = Math.max(...bounds.filter((b) => b <= at));
        expect(graphemeFloor(text, at), `seed ${seed}, at ${at}`).toBe(floor);
        const i = index.indexFrom(at);
        expect(index.at(i)).toBe(bounds.find((b) => b >= at));
      }
      expect(index.at(bounds.length)).toBeUndefined();
    }
  });
});

describe('utf8Length', () => {
  it('counts the bytes TextEncoder writes, lone surrogates included', () => {
    const encoder = new TextEncoder();
    for (let seed = 1; seed <= 300; seed++) {
      const text = hardText(seed, 50) + ['', '\ud800', '\udc00', '\udc00\ud800', 'é'][seed % 5]!;
      expect(utf8Length(text), JSON.stringify(text)).toBe(encoder.encode(text).length);
    }
  });
});

describe('word and sentence segments found window by window', () => {
  const PROSE = ['Dr. Smith met the U.S. team.', 'Was it worth it?', '“We will see,” she said.', 'Prices rose by 3.5 percent!', 'e.g. this one'];
  const CJK = ['今天天气非常好。', '我们去公园散步吧。', '「本当ですか」と彼は聞いた。', '東京タワーは高いです。'];

  it('are the segments of the whole text', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rnd = prng(seed);
      const pool = seed % 2 === 0 ? PROSE : CJK;
      let text = '';
      while (text.length < 3000) text += pool[Math.floor(rnd() * pool.length)]! + (pool === PROSE ? ' ' : '');
      for (const granularity of ['word', 'sentence'] as const) {
        const locale = pool === PROSE ? 'en' : 'ja';
        const expected = [...new Intl.Segmenter(locale, { granularity }).segment(text)].map((s) => [s.index, s.segment]);
        const got = [...segmentsOf(text, locale, granularity, 256, 64)].map((s) => [s.index, s.segment]);
        expect(got, `seed ${seed}, ${granularity}`).toEqual(expected);
      }
    }
  });
});
