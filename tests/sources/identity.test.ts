/**
 * Issue #15 at the source: which article an item is (article-key.ts), entries that share one link, relative links
 * (xml:base, then the feed's own alternate or self link, then its URL), and the tracking list an operator extends.
 */
import { describe, expect, it } from 'vitest';
import { articleKey, identityUrl } from '../../src/sources/article-key.js';
import { canonicalUrl } from '../../src/sources/canonical-url.js';
import { parseFeed } from '../../src/sources/parse-feed.js';

describe('identityUrl: what does not tell articles apart does not count', () => {
  it.each([
    'https://news.example.org/2026/story/',
    'http://news.example.org/2026/story',
    'https://www.news.example.org/2026/story/',
    'https://NEWS.Example.org:443/2026/story',
    'http://news.example.org:80/2026/story/',
  ])('%s', (url) => {
    expect(identityUrl(canonicalUrl(url).ok ? (canonicalUrl(url) as { url: string }).url : url)).toBe('//news.example.org/2026/story');
    // The same, taken from canonicalUrl's own parse of the link (what normalising an entry uses).
    expect(canonicalUrl(`${url}?utm_source=rss#top`)).toMatchObject({ ok: true, identity: '//news.example.org/2026/story' });
  });

  it('keeps what does: another path, another query, another port', () => {
    const keys = ['https://news.example.org/2026/story?page=2', 'https://news.example.org/2026/other', 'https://news.example.org:8443/2026/story'].map(identityUrl);
    expect(new Set([...keys, '//news.example.org/2026/story']).size).toBe(4);
  });

  it('keys by link first, then by a GUID scoped to its source, then by the text', () => {
    expect(articleKey({ url: 'https://news.example.org/a/', guid: 'g', sourceId: 's', contentHash: 'h' })).toBe('url://news.example.org/a');
    expect(articleKey({ guid: '17', sourceId: 's', contentHash: 'h' })).toBe('guid:s:17');
    expect(articleKey({ sourceId: 's', contentHash: 'h' })).toBe('hash:h');
  });
});

describe('tracking parameters', () => {
  it('keeps a numeric ref, an article id in old CMSs, unless the operator lists ref', () => {
    expect(canonicalUrl('https://cms.example.org/article.asp?ref=1234')).toEqual({ ok: true, url: 'https://cms.example.org/article.asp?ref=1234', identity: '//cms.example.org/article.asp?ref=1234' });
    expect(canonicalUrl('https://cms.example.org/article.asp?ref=1234', undefined, new Set(['ref']))).toEqual({ ok: true, url: 'https://cms.example.org/article.asp', identity: '//cms.example.org/article.asp' });
  });

  it("remembers the link as the previous release made it canonical, for an entry without a GUID whose id is its link", () => {
    const rss = `<rss version="2.0"><channel><title>t</title><item><title>A</title><link>https://n.example.org/story.php?id=5&amp;amp;ref=rss</link></item></channel></rss>`;
    const [item] = parseFeed(rss, { sourceId: 's', location: 'https://n.example.org/feed' }).items;
    expect(item!.id).toBe('https://n.example.org/story.php?id=5');
    expect(item!.otherIds).toContain('https://n.example.org/story.php?id=5&amp;ref=rss');
  });

  it('drops the default list (utm_*, fbclid, ref, spm…) and what the operator adds, and keeps the rest', () => {
    const url = 'https://news.example.org/a?id=7&utm_source=x&ref=home&spm=a.b&fbclid=1&campaign_id=9&src=rss';
    expect(canonicalUrl(url)).toEqual({ ok: true, url: 'https://news.example.org/a?id=7&campaign_id=9&src=rss', identity: '//news.example.org/a?id=7&campaign_id=9&src=rss' });
    expect(canonicalUrl(url, undefined, new Set(['src', 'campaign_id']))).toEqual({ ok: true, url: 'https://news.example.org/a?id=7', identity: '//news.example.org/a?id=7' });
  });

  it('reaches parseFeed from the config (links.trackingParams)', () => {
    const rss = `<rss version="2.0"><channel><title>t</title><item><title>A</title><link>https://n.example.org/a?src=rss&amp;id=1</link></item></channel></rss>`;
    const plain = parseFeed(rss, { sourceId: 's', location: 'feed.xml' });
    const extended = parseFeed(rss, { sourceId: 's', location: 'feed.xml', trackingParams: new Set(['src']) });
    expect(plain.items[0]!.url).toBe('https://n.example.org/a?src=rss&id=1');
    expect(extended.items[0]!.url).toBe('https://n.example.org/a?id=1');
  });
});

describe('entries that share one link', () => {
  const feed = (n: number, guid: boolean) =>
    `<?xml version="1.0"?><rss version="2.0"><channel><title>Notices</title><link>https://notices.example.org/</link>${Array.from(
      { length: n },
      (_, i) =>
        `<item><title>Notice ${i + 1}</title><link>https://notices.example.org/</link>${guid ? `<guid>n-${i + 1}</guid>` : ''}<pubDate>Mon, 01 Jun 2026 ${String(i % 24).padStart(2, '0')}:00:00 +0000</pubDate><description>Notice number ${i + 1}.</description></item>`,
    ).join('')}</channel></rss>`;

  it('keeps all 99 entries without GUIDs apart, by title, date and text, and none reads as the home page article', () => {
    const parsed = parseFeed(feed(99, false), { sourceId: 'notices', location: 'https://notices.example.org/feed' });
    expect(parsed.items).toHaveLength(99);
    expect(parsed.problems).toEqual([]);
    expect(new Set(parsed.items.map((i) => i.id)).size).toBe(99);
    expect(new Set(parsed.items.map((i) => i.articleKey)).size).toBe(99);
    for (const item of parsed.items) {
      expect(item.articleKey).toMatch(/^entry:notices:/u);
      // What an earlier release called every one of them: read as seen under it too, once (seen-marks.ts).
      expect(item.otherIds).toEqual(['https://notices.example.org/']);
    }
  });

  it('is stable: the same feed read again gives the same ids', () => {
    const a = parseFeed(feed(5, false), { sourceId: 'notices', location: 'https://notices.example.org/feed' });
    const b = parseFeed(feed(5, false), { sourceId: 'notices', location: 'https://notices.example.org/feed' });
    expect(b.items.map((i) => i.id)).toEqual(a.items.map((i) => i.id));
  });

  it('keys entries with GUIDs that share one link by their GUIDs (a podcast whose episodes all link to the show)', () => {
    const parsed = parseFeed(feed(3, true), { sourceId: 'notices', location: 'https://notices.example.org/feed' });
    expect(parsed.items.map((i) => i.id)).toEqual(['n-1', 'n-2', 'n-3']);
    expect(parsed.items.map((i) => i.articleKey)).toEqual(['guid:notices:n-1', 'guid:notices:n-2', 'guid:notices:n-3']);
  });

  it('gives a link only one entry has to that entry, which may have been seen under its shared form before', () => {
    const single = parseFeed(feed(1, false), { sourceId: 'notices', location: 'https://notices.example.org/feed' });
    expect(single.items[0]!.id).toBe('https://notices.example.org/');
    expect(single.items[0]!.articleKey).toBe('url://notices.example.org');
    expect(single.items[0]!.otherIds).toEqual([parseFeed(feed(2, false), { sourceId: 'notices', location: 'x' }).items[0]!.id]);
  });
});

describe('relative item links', () => {
  const rss = (head: string) => `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>${head}<item><title>A</title><link>story/a</link></item></channel></rss>`;

  it('resolve against xml:base first', () => {
    const withBase = `<rss version="2.0" xml:base="https://base.example.org/news/"><channel><title>t</title><link>https://site.example.org/</link><item><title>A</title><link>story/a</link></item></channel></rss>`;
    expect(parseFeed(withBase, { sourceId: 's', location: 'feed.xml' }).items[0]!.url).toBe('https://base.example.org/news/story/a');
  });

  it("then the feed's own alternate (site) link", () => {
    const parsed = parseFeed(rss('<link>https://site.example.org/blog/</link><atom:link rel="self" href="https://feeds.example.org/x.xml"/>'), { sourceId: 's', location: 'feed.xml' });
    expect(parsed.items[0]!.url).toBe('https://site.example.org/blog/story/a');
  });

  it('then its self link, when it names no site (a feed read from a file has no URL of its own)', () => {
    const parsed = parseFeed(rss('<atom:link rel="self" href="https://feeds.example.org/blog/feed.xml"/>'), { sourceId: 's', location: 'feed.xml' });
    expect(parsed.items[0]!.url).toBe('https://feeds.example.org/blog/story/a');
  });

  it('then the URL it was fetched from', () => {
    const parsed = parseFeed(rss(''), { sourceId: 's', location: 'https://fetched.example.org/news/feed.xml' });
    expect(parsed.items[0]!.url).toBe('https://fetched.example.org/news/story/a');
  });

  it('an Atom feed read from a file resolves against its self link', () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id><link rel="self" href="https://feeds.example.org/blog/atom.xml"/><entry><title>A</title><id>e</id><link href="story/a"/></entry></feed>`;
    expect(parseFeed(atom, { sourceId: 's', location: 'atom.xml' }).items[0]!.url).toBe('https://feeds.example.org/blog/story/a');
  });
});

describe('a private feed', () => {
  it("never lends its user name and password to the item links resolved against its URL", () => {
    const rss = `<rss version="2.0"><channel><title>t</title><item><title>A</title><link>story/a</link></item></channel></rss>`;
    const parsed = parseFeed(rss, { sourceId: 's', location: 'https://reader:s3cret@intranet.example.org/news/feed.xml' });
    expect(parsed.items[0]!.url).toBe('https://intranet.example.org/news/story/a');
    const viaFinal = parseFeed(rss, { sourceId: 's', location: 'feed', baseUrl: 'https://reader:s3cret@intranet.example.org/news/feed.xml' });
    expect(viaFinal.items[0]!.url).toBe('https://intranet.example.org/news/story/a');
  });
});
