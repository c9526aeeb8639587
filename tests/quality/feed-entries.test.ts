/**
 * Tests of the instrument: the independent entry reader the quality bench counts lost items and judges stub-only
 * threads with (bench/quality/feed-entries.ts), and the platform limits it checks parts against (limits.ts).
 */
import { describe, expect, it } from 'vitest';
import { htmlText, readFeedEntries } from '../../bench/quality/feed-entries.js';
import { blueskyRefusal, xRefusal } from '../../bench/quality/limits.js';

describe('readFeedEntries', () => {
  it('reads RSS items: title, links, escaped HTML and CDATA as plain text, dates and categories left out', () => {
    const rss = `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
      <title>Feed</title><link>https://e.org/</link>
      <item><title>Fish &amp;amp; chips</title><link>https://e.org/1</link><guid>id-1</guid><pubDate>Tue, 25 Jun 2019 08:00:00 +0000</pubDate>
        <category>Food</category><description>&lt;p&gt;Fresh &amp;amp; hot&lt;/p&gt;</description>
        <content:encoded><![CDATA[<p>The whole <b>article</b> &#8211; here.</p><script>x()</script>]]></content:encoded></item>
      <item><title>Second</title></item>
    </channel></rss>`;
    const entries = readFeedEntries(rss);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual({ title: 'Fish & chips', texts: ['Fresh & hot', 'The whole article – here.'], links: ['https://e.org/1', 'id-1'] });
    expect(entries[1]).toEqual({ title: 'Second', texts: [], links: [] });
  });

  it('reads RDF items outside the channel and prefixed elements', () => {
    const rdf = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rss="http://purl.org/rss/1.0/">
      <rss:channel><rss:items><rdf:Seq><rdf:li resource="https://e.org/1"/></rdf:Seq></rss:items></rss:channel>
      <rss:item rdf:about="https://e.org/1"><rss:title>One</rss:title><rss:description>Text one.</rss:description></rss:item>
    </rdf:RDF>`;
    expect(readFeedEntries(rdf)).toEqual([{ title: 'One', texts: ['Text one.'], links: [] }]);
  });

  it('reads Atom entries: link hrefs, text and xhtml content, media:description in a group', () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
      <entry><title type="text">a &lt;b&gt; tag</title><link rel="alternate" href="/blog/1"/><id>tag:e.org,1</id>
        <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One</p><p>two</p></div></content>
        <media:group><media:title>T</media:title><media:description>Watch this video</media:description></media:group></entry>
    </feed>`;
    const [entry] = readFeedEntries(atom);
    expect(entry?.title).toBe('a <b> tag');
    expect(entry?.links).toEqual(['/blog/1', 'tag:e.org,1']);
    expect(entry?.texts).toEqual(['One two', 'T Watch this video']);
  });

  it('reads JSON Feed items, and tolerates a BOM and leading blank lines', () => {
    const json = `\uFEFF\n{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","url":"https://e.org/1","title":"A","content_html":"<p>Hi &amp; bye</p>"},{"id":"2","summary":"S"}]}`;
    expect(readFeedEntries(json)).toEqual([
      { title: 'A', texts: ['Hi & bye'], links: ['https://e.org/1', '1'] },
      { texts: ['S'], links: ['2'] },
    ]);
    expect(readFeedEntries('\n\n<?xml version="1.0"?><rss><channel><item><title>x</title></item></channel></rss>')).toHaveLength(1);
  });

  it('does not count an item nested inside an entry twice', () => {
    expect(readFeedEntries('<rss><channel><item><title>a</title><foo:item>b</foo:item></item></channel></rss>')).toHaveLength(1);
  });

  it('turns HTML into plain text', () => {
    expect(htmlText('<p>a&nbsp;<i>b</i></p>\n<p>c</p><style>p{}</style>')).toBe('a b c');
  });
});

describe('platform limits', () => {
  it('X: what twitter-text calls valid', () => {
    expect(xRefusal('a'.repeat(280))).toBeUndefined();
    expect(xRefusal('a'.repeat(281))).toMatch(/weighted length 281/);
    expect(xRefusal('あ'.repeat(141))).toMatch(/weighted length 282/);
  });

  it('Bluesky: 300 graphemes and 3000 bytes', () => {
    expect(blueskyRefusal('a'.repeat(300))).toBeUndefined();
    expect(blueskyRefusal('a'.repeat(301))).toBe('301 graphemes (max 300)');
    const family = '👨‍👩‍👧‍👦';
    expect(blueskyRefusal(family.repeat(150))).toBe('3750 UTF-8 bytes (max 3000)');
    expect(blueskyRefusal('  ')).toBe('empty');
  });
});
