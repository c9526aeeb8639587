/**
 * Text clean-up runs on the whole of an item's text, so it is written as one linear pass rather than as global
 * RegExp replace and split (slow on text with a million matches, and split is polyfilled by core-js once
 * twitter-text is loaded). It must still do exactly what the patterns say; these are the patterns.
 */
import { describe, expect, it } from 'vitest';
import { cleanText, collapseWhitespace, paragraphs } from '../../src/compose/normalize.js';
import { prng } from './helpers.js';

const definition = {
  cleanText: (raw: string): string =>
    raw
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFEFF\uFFFE\uFFFF]/g, '')
      .normalize('NFC'),
  collapseWhitespace: (text: string): string => text.replace(/\s+/gu, ' ').trim(),
  paragraphs: (summary: string): string[] => definition.cleanText(summary).split(/\n[^\S\n]*\n/u),
};

const ATOMS = [
  'a', 'b', ' ', '\t', '\n', '\r', '\r\n', '\n \n', '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009b', '\u00a0',
  '\u3000', '\u2028', '\ufeff', '\ufffe', '\uffff', '\ufffd', '\ud800', '\udc00', '\ud83d\ude00', '\udc00\ud800', 'e\u0301',
  '\u1100\u1161', '한', '\u212b', 'Å', '我',
];

function sample(seed: number): string {
  const rnd = prng(seed);
  let s = '';
  const n = Math.floor(rnd() * 60);
  for (let i = 0; i < n; i++) s += ATOMS[Math.floor(rnd() * ATOMS.length)]!;
  return s;
}

describe('text clean-up', () => {
  it('does exactly what its patterns say, on text full of controls, CRs, stray surrogates and decomposed letters', () => {
    for (let seed = 1; seed <= 5000; seed++) {
      const raw = sample(seed);
      expect(cleanText(raw), JSON.stringify(raw)).toBe(definition.cleanText(raw));
      expect(collapseWhitespace(raw), JSON.stringify(raw)).toBe(definition.collapseWhitespace(raw));
      expect([...paragraphs(raw)], JSON.stringify(raw)).toEqual(definition.paragraphs(raw));
    }
  });
});
