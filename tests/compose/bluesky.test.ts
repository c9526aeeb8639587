/**
 * Bluesky rules: 300 graphemes and 3000 UTF-8 bytes per post, long links shown short, and facets whose
 * byte ranges cover exactly the link or #tag text they describe (a wrong offset makes the wrong text
 * clickable, or the record invalid).
 */
import { describe, expect, it } from 'vitest';
import { composeForBluesky, fitsBluesky } from '../../src/platforms/bluesky/compose.js';
import { expectValidBluesky, graphemeCount, linkFacets, makeItem, tagFacets, template } from './helpers.js';

const LONG_URL = 'https://www.example.com/articles/2026/11/an-exceptionally-long-article-slug-for-testing?utm=x';

describe('fitsBluesky', () => {
  it('counts graphemes, not code units, and also limits bytes', () => {
    expect(fitsBluesky('a'.repeat(300))).toBe(true);
    expect(fitsBluesky('a'.repeat(301))).toBe(false);
    expect(fitsBluesky('🇺🇦'.repeat(300))).toBe(true); // 300 graphemes, 2400 bytes
    expect(fitsBluesky('👩‍👩‍👧‍👦'.repeat(121))).toBe(false); // 121 graphemes but 3025 bytes
  });

  it('composes byte-heavy text by the byte limit', () => {
    const parts = composeForBluesky(makeItem({ summary: '👩‍👩‍👧‍👦 '.repeat(400).trim() }), template({ maxParts: 25 }));
    expectValidBluesky(parts);
    expect(Math.max(...parts.map((p) => p.bytes))).toBeGreaterThan(2900);
    expect(Math.max(...parts.map((p) => p.graphemes))).toBeLessThan(300);
  });
});

describe('item link', () => {
  it('is shown as-is with a facet when it is short', () => {
    const url = 'https://example.com/short';
    const [part] = composeForBluesky(makeItem({ title: 'Título ñ 東京', url }), template());
    expectValidBluesky([part!]);
    expect(part!.text).toBe(`Título ñ 東京\n\n${url}`);
    expect(linkFacets(part!)).toEqual([{ text: url, uri: url }]);
  });

  it('is shortened to host+path with "…" when long, the facet keeping the full URI', () => {
    const [part] = composeForBluesky(makeItem({ title: 'T', url: LONG_URL }), template());
    expectValidBluesky([part!]);
    const [link] = linkFacets(part!);
    expect(link!.uri).toBe(LONG_URL);
    expect(link!.text).toMatch(/^example\.com\/articles\/.*\u2026$/u);
    expect(graphemeCount(link!.text)).toBeLessThanOrEqual(40);
    expect(part!.text).toBe(`T\n\n${link!.text}`);
  });

  it('gets a facet in every part that shows it, past multi-byte text', () => {
    const summary = Array.from({ length: 20 }, (_, i) => `Ünïcödé 東京 🧑🏽‍💻 sentence ${i}.`).join(' ');
    const parts = composeForBluesky(makeItem({ summary, url: LONG_URL }), template({ link: 'every', maxParts: 25 }));
    expectValidBluesky(parts);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(linkFacets(p).map((l) => l.uri)).toEqual([LONG_URL]);
  });
});

describe('links in the summary', () => {
  it('get facets; short ones as-is, long ones shortened, bare domains with https://', () => {
    const summary = `See https://example.org/a and ${LONG_URL} and example.net/page for more.`;
    const [part] = composeForBluesky(makeItem({ summary }), template());
    expectValidBluesky([part!]);
    const links = linkFacets(part!);
    expect(links.map((l) => l.uri)).toEqual(['https://example.org/a', LONG_URL, 'https://example.net/page']);
    expect(links[0]!.text).toBe('https://example.org/a');
    expect(links[1]!.text).toMatch(/^example\.com\/.*\u2026$/u);
    expect(links[2]!.text).toBe('example.net/page');
  });

  it('keeps punctuation around a link outside its facet', () => {
    const [part] = composeForBluesky(makeItem({ summary: 'Docs (https://example.org/docs).' }), template());
    expectValidBluesky([part!]);
    expect(linkFacets(part!)).toEqual([{ text: 'https://example.org/docs', uri: 'https://example.org/docs' }]);
  });
});

describe('hashtags', () => {
  it('in the text get #tag facets covering "#tag", without the "#" in the tag', () => {
    const [part] = composeForBluesky(makeItem({ summary: 'Talking #rust and #東京 today, #web3! Not #123.' }), template());
    expectValidBluesky([part!]);
    expect(tagFacets(part!)).toEqual([
      { text: '#rust', tag: 'rust' },
      { text: '#東京', tag: '東京' },
      { text: '#web3', tag: 'web3' },
    ]);
  });

  it('inside a URL, or longer than 64 graphemes, get no tag facet', () => {
    const long = `#${'a'.repeat(65)}`;
    const [part] = composeForBluesky(makeItem({ summary: `Page https://example.org/page#section and ${long}` }), template());
    expectValidBluesky([part!]);
    expect(tagFacets(part!)).toEqual([]);
    expect(linkFacets(part!).map((l) => l.uri)).toEqual(['https://example.org/page#section']);
  });

  it('added from item tags get facets too', () => {
    const item = makeItem({ summary: 'Body.', tags: ['machine learning', 'Ünïcode'] });
    const [part] = composeForBluesky(item, template({ hashtags: 2 }));
    expectValidBluesky([part!]);
    expect(tagFacets(part!).map((t) => t.tag)).toEqual(['MachineLearning', 'Ünïcode']);
  });
});

describe('mentions', () => {
  it('are left as text: no mention facets (they would need a network lookup)', () => {
    const [part] = composeForBluesky(makeItem({ summary: 'Thanks @alice.bsky.social and @bob.test!' }), template());
    expectValidBluesky([part!]);
    expect(part!.facets).toEqual([]);
  });
});
