/** X rules: twitter-text is the length authority, URLs weigh 23, and URL posts are what costs money. */
import { describe, expect, it } from 'vitest';
import twitterText from 'twitter-text';
import { composeForX, estimateXCostUsd, fitsX } from '../../src/platforms/x/compose.js';
import { defaultXPrices, type XPart } from '../../src/platforms/x/parts.js';
import { expectValidX, makeItem, prng, template } from './helpers.js';

describe('fitsX', () => {
  it('follows parseTweet: 280 weighted, CJK and emoji weigh 2, empty is not a post', () => {
    expect(fitsX('a'.repeat(280))).toBe(true);
    expect(fitsX('a'.repeat(281))).toBe(false);
    expect(fitsX('漢'.repeat(140))).toBe(true);
    expect(fitsX('漢'.repeat(141))).toBe(false);
    expect(fitsX('')).toBe(false);
    expect(fitsX('\uFEFFhi')).toBe(false);
  });

  it('measures line by line yet answers exactly as parseTweet does on the whole text', () => {
    // Pieces that make twitter-text's answer depend on context: URLs with and without scheme, bare domains,
    // dots that are and are not before a TLD, emoji, CJK, combining marks, a refused character, line breaks.
    const pieces = [
      'word', 'Dr.', 'e.g.', ' ', ' ', '\n', '\n\n', '.', '..', 'a.b', '我.我', 'example.com', 'x.co/p?q=1',
      'https://example.org/a/b', 'http://t.co/abc', '東京', '😀', '👩‍👩‍👧‍👦', '🇺🇦', 'e\u0301', 'a\u0301\u0302',
      '#tag', '@user', '\uFFFE', '…', '—', 'xn--bcher-kva.example', 'ok.我爱你', '.com', 'www.', '1/12',
    ];
    for (let seed = 1; seed <= 3000; seed++) {
      const rnd = prng(seed);
      let text = '';
      const count = 1 + Math.floor(rnd() * (rnd() < 0.2 ? 200 : 30));
      for (let i = 0; i < count; i++) text += pieces[Math.floor(rnd() * pieces.length)]!;
      expect(fitsX(text), JSON.stringify(text)).toBe(twitterText.parseTweet(text).valid);
    }
  });
});

describe('links on X', () => {
  it('count 23 whatever their length, so a 200-character URL still fits beside 250 characters', () => {
    const url = `https://example.com/${'a'.repeat(180)}`;
    expect(url.length).toBeGreaterThan(199);
    const summary = 'b'.repeat(250);
    const parts = composeForX(makeItem({ summary, url }), template());
    expectValidX(parts);
    expect(parts.map((p) => p.text)).toEqual([`${summary}\n\n${url}`]);
    expect(parts[0]!.weightedLength).toBe(250 + 2 + 23);
  });

  it('shows the URL in full (X shortens it itself)', () => {
    const url = `https://example.com/${'segment/'.repeat(20)}`;
    const [part] = composeForX(makeItem({ title: 'T', url }), template());
    expect(part!.text).toBe(`T\n\n${url}`);
    expect(part!.containsUrl).toBe(true);
  });
});

describe('containsUrl and cost', () => {
  const sentences = Array.from({ length: 30 }, (_, i) => `Sentence ${i} of the story is here.`).join(' ');

  it('marks exactly the parts that carry a URL, including bare domains in the text', () => {
    const item = makeItem({ summary: `${sentences} Read more at example.com today.`, url: 'https://example.com/a' });
    const parts = composeForX(item, template({ link: 'first', maxParts: 25 }));
    expectValidX(parts);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts[0]!.containsUrl).toBe(true);
    expect(parts.at(-1)!.containsUrl).toBe(true); // the bare domain
    for (const p of parts.slice(1, -1)) expect(p.containsUrl).toBe(false);
    for (const p of parts) expect(p.containsUrl).toBe(twitterText.extractUrls(p.text).length > 0);
  });

  it('prices a thread as $0.20 per URL post and $0.015 per other post', () => {
    const item = makeItem({ summary: sentences, url: 'https://example.com/a' });
    const first = composeForX(item, template({ link: 'first', maxParts: 25 }));
    const every = composeForX(item, template({ link: 'every', maxParts: 25 }));
    const none = composeForX(item, template({ link: 'none', maxParts: 25 }));
    expect(estimateXCostUsd(first)).toBeCloseTo(0.2 + (first.length - 1) * 0.015, 10);
    expect(estimateXCostUsd(every)).toBeCloseTo(every.length * 0.2, 10);
    expect(estimateXCostUsd(none)).toBeCloseTo(none.length * 0.015, 10);
  });

  it('uses the prices it is given, with defaults 0.015 and 0.20', () => {
    expect(defaultXPrices).toEqual({ postUsd: 0.015, postWithUrlUsd: 0.2 });
    const parts: XPart[] = [
      { text: 'a', weightedLength: 1, containsUrl: true },
      { text: 'b', weightedLength: 1, containsUrl: false },
      { text: 'c', weightedLength: 1, containsUrl: false },
    ];
    expect(estimateXCostUsd(parts)).toBe(0.23);
    expect(estimateXCostUsd(parts, { postUsd: 1, postWithUrlUsd: 10 })).toBe(12);
    expect(estimateXCostUsd([])).toBe(0);
  });
});
