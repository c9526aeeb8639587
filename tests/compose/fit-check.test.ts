/**
 * A Bluesky part is sized in three places: compose fits it (the packer), compose checks it before handing
 * it out, and the publisher and the previews check it again. All of them must count graphemes the same way,
 * or a part fitted to 300 by one is 302 for another and the item is lost. These are texts where counting
 * code units or code points would disagree with grapheme clusters: ZWJ sequences, flags, combining marks,
 * Hangul jamo, CRLF.
 */
import { describe, expect, it } from 'vitest';
import { BLUESKY_MAX_BYTES, BLUESKY_MAX_GRAPHEMES, composeForBluesky, fitsBluesky } from '../../src/platforms/bluesky/compose.js';
import { graphemeCount } from '../../src/compose/index.js';
import { measureThread } from '../../src/platforms/thread-preview.js';
import { makeItem, prng, template } from './helpers.js';

/** One user-perceived character each, and each longer than one code unit and one code point. */
const CLUSTERS = {
  'ZWJ family': '👩‍👩‍👧‍👦',
  'skin-tone ZWJ': '🧑🏽‍💻',
  flag: '🇺🇦',
  'rainbow flag': '🏳️‍🌈',
  'combining marks': 'e\u0301\u0323',
  'Hangul jamo': '\u1100\u1161\u11a8',
  CRLF: '\r\n',
  keycap: '1️⃣',
};

// Counted by ICU on the whole string at once: the reference the windowed counter in compose must match.
const reference = (text: string): number => [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].length;

/** `graphemes` clusters, as many of them `cluster` as the byte limit allows and the rest plain letters. */
function textOf(cluster: string, graphemes: number): string {
  const bytes = Buffer.byteLength(cluster);
  const heavy = Math.min(graphemes, Math.floor((BLUESKY_MAX_BYTES - graphemes) / (bytes - 1)) - 1);
  return cluster.repeat(heavy) + 'a'.repeat(graphemes - heavy);
}

describe('fitting and checking a Bluesky part', () => {
  for (const [name, cluster] of Object.entries(CLUSTERS)) {
    it(`agree at the limit on ${name}`, () => {
      const at = textOf(cluster, BLUESKY_MAX_GRAPHEMES);
      const over = textOf(cluster, BLUESKY_MAX_GRAPHEMES + 1);
      // Naive counts would call both over the limit.
      expect(at.length).toBeGreaterThan(BLUESKY_MAX_GRAPHEMES);
      expect([...at].length).toBeGreaterThan(BLUESKY_MAX_GRAPHEMES);
      expect(reference(at)).toBe(BLUESKY_MAX_GRAPHEMES);
      expect(reference(over)).toBe(BLUESKY_MAX_GRAPHEMES + 1);
      expect(Buffer.byteLength(over)).toBeLessThanOrEqual(BLUESKY_MAX_BYTES);

      expect(graphemeCount(at)).toBe(BLUESKY_MAX_GRAPHEMES);
      expect(graphemeCount(over)).toBe(BLUESKY_MAX_GRAPHEMES + 1);
      expect(fitsBluesky(at)).toBe(true);
      expect(fitsBluesky(over)).toBe(false);
      // The editor's preview: its count and its verdict.
      const parts = measureThread({ platform: 'bluesky', parts: [at, over].map((text) => ({ text, graphemes: graphemeCount(text) })) });
      expect(parts.map((p) => [p.length, p.valid])).toEqual([[BLUESKY_MAX_GRAPHEMES, true], [BLUESKY_MAX_GRAPHEMES + 1, false]]);
    });
  }

  it('agree on every part compose fits from text made of these clusters', () => {
    const rnd = prng(14);
    const words = Array.from({ length: 600 }, () => {
      const clusters = Object.values(CLUSTERS).filter((c) => c !== '\r\n');
      let word = '';
      for (let n = 1 + Math.floor(rnd() * 4); n > 0; n--) word += rnd() < 0.5 ? 'a' : clusters[Math.floor(rnd() * clusters.length)]!;
      return word;
    });
    const parts = composeForBluesky(makeItem({ title: 'Clusters', summary: words.join(' ') }), template({ maxParts: 25 }));
    expect(parts.length).toBeGreaterThan(3);
    for (const part of parts) {
      expect(part.graphemes).toBe(reference(part.text));
      expect(fitsBluesky(part.text)).toBe(true);
    }
    // Fitted up to the limit, not short of it: the fit and the check meet at the same count.
    expect(Math.max(...parts.map((p) => p.graphemes))).toBeGreaterThan(BLUESKY_MAX_GRAPHEMES - 10);
    for (const shown of measureThread({ platform: 'bluesky', parts })) {
      expect(shown.length).toBe(reference(shown.text));
      expect(shown.valid).toBe(true);
    }
  });
});
