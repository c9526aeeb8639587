/**
 * Before the ellipsis, trailing punctuation is trimmed. That used to be one pattern anchored at the end of the
 * text, which a long run of dots made quadratic; it is now a scan backwards. This is the pattern it replaces.
 */
import { describe, expect, it } from 'vitest';
import { renderPart } from '../../src/compose/render.js';
import type { LinkSpan } from '../../src/compose/urls.js';
import { prng } from './helpers.js';

const TRAILING = /[\s\p{Pd}.,;:!?\u2026\u00B7\u3001\u3002\uFF0C\uFF1B\uFF1A\uFF01\uFF1F\u060C\u061B\u061F\u06D4]+$/u;

/** What the pattern kept of a one-piece body before the ellipsis, and whether a space goes before it. */
function definition(text: string, links: LinkSpan[]): string {
  const linkEnd = links.reduce((m, l) => Math.max(m, l.end), 0);
  const tail = TRAILING.exec(text.slice(linkEnd));
  const keep = tail ? linkEnd + tail.index : text.length;
  if (keep === 0) return '\u2026';
  return text.slice(0, keep) + (linkEnd > 0 && linkEnd === keep ? ' \u2026' : '\u2026');
}

const ATOMS = ['a', '我', '.', ',', '!', '?', ' ', '-', '\u2014', '\u2026', '\u3002', '\u060C', '\u{10EAD}', '\u{1F600}', ')', '”', '\uD800'];

describe('the ellipsis', () => {
  it('trims exactly the trailing punctuation the pattern did, after links and across astral characters', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const rnd = prng(seed);
      let text = '';
      const n = 1 + Math.floor(rnd() * 12);
      for (let i = 0; i < n; i++) text += ATOMS[Math.floor(rnd() * ATOMS.length)]!;
      const links: LinkSpan[] = rnd() < 0.3 ? [{ start: 0, end: Math.floor(rnd() * text.length), uri: 'https://example.com/' }] : [];
      const rendered = renderPart({
        pieces: [{ text, sep: ' ', links }],
        ellipsis: true,
        hashtags: [],
        link: undefined,
        counter: undefined,
      }).text;
      expect(rendered, JSON.stringify(text)).toBe(definition(text, links));
    }
  });
});
