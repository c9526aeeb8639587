/**
 * Text without markup skips html-to-text (src/sources/plain-text.ts) and must come out byte for byte as the
 * conversion would make it. An empty `<span></span>` in front sends the same text through html-to-text (it adds
 * nothing to the output), so each random text is compared with itself, converted.
 */
import { describe, expect, it } from 'vitest';
import { htmlToBody, htmlToPlain, titleToPlain } from '../../src/sources/plain-text.js';
import { prng } from '../support/prng.js';

/** Whitespace of every kind, controls, bidi marks, the link marks, list starts, stray "&" and ">"; no tag, no reference. */
const PIECES = [
  'a', 'Zoë', ' ', '  ', '\t', '\n', '\n\n', '\r\n', '\f', '\v', '\u200b', '\u00a0', '\u2028', '\u3000', '\ufeff',
  '\u0000', '\u001b[31m', '\u007f', '\u0085', '\u202e', '\u200e', '>', '"', "'", '=', '/', '😀', '\ud800', '.', '!',
  ';', '#', '1', '•', '• ', '\n• ', '\n1. ', '\uE000', '\uE001', '\uE002', '&', '& ', '&;', '&&', 'Tom & Jerry',
];
const FORCE_CONVERSION = '<span></span>';

function texts(count: number, seed: number): string[] {
  const rand = prng(seed);
  const out: string[] = [];
  while (out.length < count) {
    let s = '';
    for (let i = Math.floor(rand() * 24); i > 0; i--) s += PIECES[Math.floor(rand() * PIECES.length)];
    if (!/<|&[A-Za-z0-9#]/.test(s)) out.push(s);
  }
  return out;
}

describe('plain text skips the HTML conversion with the same result', () => {
  const cases = texts(4000, 17);

  it('for titles', () => {
    for (const s of cases) expect(titleToPlain(s), JSON.stringify(s)).toBe(titleToPlain(FORCE_CONVERSION + s));
  });

  it('for body fields, runs and paragraphs alike', () => {
    for (const s of cases) {
      expect(htmlToBody(s), JSON.stringify(s)).toEqual(htmlToBody(FORCE_CONVERSION + s));
      expect(htmlToPlain(s), JSON.stringify(s)).toBe(htmlToPlain(FORCE_CONVERSION + s));
    }
  });

  it('for titles with character references and no tag', () => {
    // References of every kind: named with and without ";" (legacy ones decode without), numeric, hex, out of range,
    // zero, a surrogate, one that spells a tag or whitespace, unknown ones, and ones cut short.
    const REFERENCES = [
      '&amp;', '&amp', '&AMP;', '&copy', '&copyx', '&nbsp;', '&nbsp', '&notin;', '&notit;', '&lt;b&gt;', '&#60;p&#62;',
      '&#8217;', '&#x2019;', '&#X2019;', '&#0;', '&#x110000;', '&#xD800;', '&#10;', '&#x9;', '&#8203;', '&#128512;',
      '&#', '&#;', '&#x;', '&foo;', '&a', '&eacute;', '&Eacute', '&zwnj;', '&NewLine;', '&Tab;', '&#65', '&#x41',
    ];
    const rand = prng(29);
    const withReferences = texts(4000, 23).map((text) => {
      let s = text;
      for (let i = 1 + Math.floor(rand() * 4); i > 0; i--) {
        const at = Math.floor(rand() * (s.length + 1));
        s = s.slice(0, at) + REFERENCES[Math.floor(rand() * REFERENCES.length)] + s.slice(at);
      }
      return s;
    });
    for (const s of withReferences) expect(titleToPlain(s), JSON.stringify(s)).toBe(titleToPlain(FORCE_CONVERSION + s));
  });

  it('and real titles with a bare ampersand or a zero-width space read as before', () => {
    expect(titleToPlain('Tom & Jerry\u200bat  the\n fair')).toBe('Tom & Jerry at the fair');
    expect(titleToPlain('Caf&eacute; &amp; bar')).toBe('Café & bar');
  });
});
