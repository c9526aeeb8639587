import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/sources/parse-feed.js';

/**
 * Hostile bodies through the whole intake (sources → clean): cleaning must stay linear, whatever a feed repeats,
 * and a second entity decoding must not bring back what sources strip. Each run is bounded as a guard against a
 * hang; the honest figure is well under a second.
 */
const rss = (description: string, title = 'Title') =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://example.org/</link><item><title>${title}</title>` +
  `<link>https://example.org/a</link><description><![CDATA[${description}]]></description></item></channel></rss>`;
const summaryOf = (description: string, title?: string) => parseFeed(rss(description, title), { sourceId: 's', location: 'tests/hostile.xml' }).items[0]?.summary;

describe('cleaning hostile bodies', () => {
  it.each([
    ['a megabyte of "The post x"', `<p>${'The post x '.repeat(100_000)}</p>`],
    ['a megabyte of "Read more"', `<p>${'Read more '.repeat(100_000)}</p>`],
    ['200,000 double-escaped entities', `<p>${'a&amp;#769;'.repeat(200_000)}</p>`],
    ['200,000 unknown entities', `<p>${'&amp;zz; '.repeat(200_000)}</p>`],
    ['50,000 "Read more" paragraphs', '<p>Read more</p>'.repeat(50_000)],
    ['30,000 comment links', `<p>${'<a href="https://example.org/c">Comments</a> '.repeat(30_000)}</p>`],
    ['a source-line-like start before a megabyte of words', `<p>${'Aa Bb, '.repeat(30)}June 25 2019: ${'Word '.repeat(200_000)}.</p>`],
  ])('cleans %s within 5 s', (_what, description) => {
    const started = Date.now();
    expect(typeof summaryOf(description)).toBe('string');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('cleans a 2,000-word title echoed in a megabyte body within 5 s', () => {
    const started = Date.now();
    summaryOf(`<p>${'word '.repeat(200_000)}</p>`, 'word '.repeat(2_000));
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('drops controls and bidi overrides that a second decoding would bring back', () => {
    const summary = summaryOf('<p>Ok &amp;#27;[2J &amp;#x202E;evil &amp;#x2066;text&amp;#x2069; &amp;quot;here&amp;quot;.</p>');
    expect(summary).toBe('Ok [2J evil text "here".');
  });
});
