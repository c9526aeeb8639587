import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ThreadcastError } from '../../src/core/errors.js';
import { ItemSchema } from '../../src/core/item.js';
import { parseFeed } from '../../src/sources/parse-feed.js';
import { prepareXml } from '../../src/sources/xml-prep.js';

const dir = 'tests/fixtures/feeds';
const load = (name: string, baseUrl?: string) => {
  const location = `${dir}/${name}`;
  return parseFeed(readFileSync(location, 'utf8'), { sourceId: 'test', location, ...(baseUrl ? { baseUrl } : {}) });
};
const parseError = (body: string, location = 'tests/inline.xml'): ThreadcastError => {
  try {
    parseFeed(body, { sourceId: 'test', location });
  } catch (err) {
    expect(err).toBeInstanceOf(ThreadcastError);
    return err as ThreadcastError;
  }
  throw new Error('expected parseFeed to throw');
};

describe('parseFeed: RSS 2.0 from WordPress', () => {
  const feed = load('wordpress-rss.xml');
  const [planting, beds, compost, butts] = feed.items;

  it('reads the feed title and language and keeps items in feed order', () => {
    expect(feed.format).toBe('rss');
    expect(feed.title).toBe('Riverside Community Garden – News');
    expect(feed.language).toBe('en-GB');
    expect(feed.items.map((i) => i.title)).toEqual([
      'Spring planting day – bring gloves & seeds',
      'Raised beds: what’s next <phase two>',
      'Compost workshop',
      'New water butts',
    ]);
    expect(feed.problems).toEqual([]);
    for (const item of feed.items) expect(() => ItemSchema.parse(item)).not.toThrow();
  });

  it('uses the GUID as id and a canonical URL without tracking parameters, default port or odd host case', () => {
    expect(planting?.id).toBe('https://garden.example.org/?p=101');
    expect(planting?.url).toBe('https://garden.example.org/2025/03/spring-planting-day/');
  });

  it('takes the lead of content:encoded over an excerpt cut mid-sentence ("us… […]"), without the "appeared first on" footer', () => {
    // Issue #14: an automatic excerpt cut mid-sentence gives way to the full content's lead (it used to be kept, with "…").
    expect(planting?.summary).toBe(
      'Join us on the 15th for planting the herb spiral and the new pollinator strip.\n\nTools are provided & tea is on us. Please bring gloves.',
    );
  });

  it('keeps categories trimmed and deduplicated in order, and the image enclosure', () => {
    expect(planting?.tags).toEqual(['Events', 'Volunteering']);
    expect(planting?.images).toEqual([
      { url: 'https://garden.example.org/wp-content/uploads/2025/03/herb-spiral.jpg', alt: '', mimeType: 'image/jpeg' },
    ]);
    expect(planting?.publishedAt).toBe('2025-03-01T09:30:00.000Z');
  });

  it('splits a source line off the excerpt into attribution, and decodes entities only once', () => {
    expect(beds?.attribution).toBe('Sam Rivera, Riverside Gazette, March 3 2025');
    expect(beds?.summary).toBe(
      'the six new raised beds make the plots reachable from a wheelchair. Use &lt;b&gt; for bold, the editor says.',
    );
  });

  it('resolves a relative link against the site, drops utm/fbclid and the fragment, keeps other parameters in order', () => {
    expect(compost?.url).toBe('https://garden.example.org/2025/03/compost-workshop/?session=3&lang=en');
    expect(compost?.id).toBe(compost?.url); // no GUID: the canonical URL is the id
  });

  it('leaves publishedAt undefined for an item without a date, without a problem', () => {
    expect(compost?.publishedAt).toBeUndefined();
    expect(compost?.summary).toBe('Learn how hot composting works.\n\nSecond paragraph with a line break.');
  });

  it('does not take an ordinary sentence with commas and a colon for a source line', () => {
    expect(butts?.attribution).toBeUndefined();
    expect(butts?.summary).toBe('However, in the end, the volunteers said: four butts are enough for the whole site.');
  });

  it('takes Media RSS images with their description as alt text', () => {
    expect(butts?.images).toEqual([
      { url: 'https://garden.example.org/wp-content/uploads/2025/02/butts.jpg', alt: 'Four green water butts by the shed', mimeType: 'image/jpeg' },
    ]);
  });

  it('gives the same ids and content hashes on every poll, and a different hash when the text changes', () => {
    const again = load('wordpress-rss.xml');
    expect(again.items.map((i) => [i.id, i.contentHash])).toEqual(feed.items.map((i) => [i.id, i.contentHash]));
    const body = readFileSync(`${dir}/wordpress-rss.xml`, 'utf8').replace('hot composting', 'cold composting');
    const edited = parseFeed(body, { sourceId: 'test', location: 'edited.xml' });
    expect(edited.items[2]?.id).toBe(compost?.id);
    expect(edited.items[2]?.contentHash).not.toBe(compost?.contentHash);
  });
});

describe('parseFeed: Atom 1.0', () => {
  const feed = load('library-atom.xml', 'https://feeds.example.net/library.atom');
  const [hours, club] = feed.items;

  it('resolves links through nested xml:base and drops tracking parameters', () => {
    expect(feed.format).toBe('atom');
    expect(hours?.url).toBe('https://library.example.net/news/2025/opening-hours.html');
    expect(club?.url).toBe('https://library.example.net/news/reading-club');
    expect(hours?.images).toEqual([{ url: 'https://library.example.net/news/img/front-desk.png', alt: '', mimeType: 'image/png' }]);
  });

  it('reads an html title as markup and a text title literally', () => {
    expect(hours?.title).toBe('New opening hours from April & a late Thursday');
    expect(club?.title).toBe('Club de lecture : 5 < 6');
  });

  it('keeps a type="text" summary literal (no second entity decoding)', () => {
    expect(hours?.summary).toBe('From April the branch opens at 9 &amp; closes at 19; Thursday until 21. Write <9> as nine.');
  });

  it('falls back to xhtml content when there is no summary, as paragraphs', () => {
    expect(club?.summary).toBe('Le club se réunit chaque mardi.\n\nEntrée libre.');
  });

  it('uses the Atom id, published (else updated), category terms and xml:lang', () => {
    expect(hours?.id).toBe('tag:library.example.net,2025:news/41');
    expect(hours?.publishedAt).toBe('2025-04-01T07:00:00.000Z');
    expect(club?.publishedAt).toBe('2025-04-02T08:00:00.000Z');
    expect(hours?.tags).toEqual(['hours', 'Services']);
    expect(hours?.language).toBe('en');
    expect(club?.language).toBe('fr');
  });
});

describe('parseFeed: RDF (RSS 1.0)', () => {
  const feed = load('bike-lane-rdf.xml');

  it('reads items, dc:date, dc:subject and dc:language', () => {
    expect(feed.format).toBe('rdf');
    expect(feed.items).toHaveLength(2);
    const [lane, survey] = feed.items;
    expect(lane).toMatchObject({
      id: 'https://streets.example.com/bike-lane-phase-1?page=2',
      url: 'https://streets.example.com/bike-lane-phase-1?page=2',
      title: 'Bike lane on Elm Street: phase 1 done',
      publishedAt: '2025-05-10T14:00:00.000Z',
      tags: ['Cycling', 'Elm Street'],
      language: 'en-US',
    });
    expect(survey?.publishedAt).toBeUndefined(); // "not a date at all": dropped quietly
    expect(feed.problems).toEqual([]);
  });
});

describe('parseFeed: JSON Feed 1.1', () => {
  const feed = load('pool-json-feed.json');
  const [timetable, closure, reminder] = feed.items;

  it('reads id, canonical url, title with entities, plain-text summary and tags', () => {
    expect(feed.format).toBe('json');
    expect(feed.title).toBe('Northgate Swimming Pool');
    expect(timetable).toMatchObject({
      id: 'pool-2025-07',
      url: 'https://pool.example.org/news/summer-timetable?week=28',
      title: 'Summer timetable & lane swimming',
      summary: 'Lanes open from 6:30 on weekdays. Write &lt;lane&gt; literally.',
      publishedAt: '2025-06-20T11:00:00.000Z',
      tags: ['Timetable', 'Swimming'],
      language: 'en-CA',
    });
  });

  it('takes image and banner_image, resolved against the home page', () => {
    expect(timetable?.images.map((i) => i.url)).toEqual(['https://pool.example.org/img/lanes.jpg', 'https://pool.example.org/img/banner.jpg']);
  });

  it('uses content_html when there is no summary, and the feed language when the item has none', () => {
    expect(closure?.url).toBe('https://pool.example.org/news/closure');
    expect(closure?.summary).toBe('The pool is closed August 4–8 for tile repairs.\n\nThe gym stays open.');
    expect(closure?.language).toBe('en');
  });

  it('keeps an item with only content_text and no title or URL', () => {
    expect(reminder).toMatchObject({ id: 'pool-2025-09', summary: 'Reminder: bring a padlock for the lockers.\n\nThank you.' });
    expect(reminder?.url).toBeUndefined();
  });
});

describe('parseFeed: one bad item never loses the others', () => {
  const feed = load('one-broken-item.xml');

  it('returns the good items and a problem for each bad one, naming feed and item', () => {
    expect(feed.items.map((i) => i.id)).toEqual(['market-1', 'market-3', 'market-5']);
    expect(feed.problems).toEqual([
      { where: `feed ${dir}/one-broken-item.xml, item 2`, message: 'nothing to announce: no title, summary or link' },
      { where: `feed ${dir}/one-broken-item.xml, item 3 ("Cheese tasting")`, message: 'link "javascript:alert(1)" is not http(s); the item has no URL' },
      { where: `feed ${dir}/one-broken-item.xml, item 4 ("Bread stall moves again")`, message: 'same id as item 1 ("market-1"); skipped' },
    ]);
  });

  it('keeps the item with a non-http link, without a URL, and ignores its unreadable date', () => {
    const cheese = feed.items[1];
    expect(cheese?.url).toBeUndefined();
    expect(cheese?.publishedAt).toBeUndefined();
  });

  it('tolerates a bare ampersand in text', () => {
    expect(feed.items[2]?.summary).toBe("Tulips & daffodils, Tom & Jerry's favourites.");
  });
});

describe('parseFeed: documents that are not feeds', () => {
  it('names line and column of malformed XML', () => {
    const err = parseError(readFileSync(`${dir}/malformed.xml`, 'utf8'), `${dir}/malformed.xml`);
    expect(err.kind).toBe('permanent');
    expect(err.where).toBe(`feed ${dir}/malformed.xml line 6, column 19`);
    expect(err.message).toMatch(/^feed tests\/fixtures\/feeds\/malformed\.xml line 6, column 19: malformed XML: .*'titel'/);
  });

  it('reports the column of the original text even after escaping bare ampersands on that line', () => {
    const err = parseError('<rss version="2.0"><channel><title>A & B & C</title><x></y></channel></rss>');
    // "<x></y>": the closing tag starts at column 56 in the original line.
    expect(err.where).toBe(`feed tests/inline.xml line 1, column ${'<rss version="2.0"><channel><title>A & B & C</title><x>'.length + 1}`);
  });

  it('reports invalid JSON with the parser message and position', () => {
    const err = parseError('{\n  "version": "https://jsonfeed.org/version/1.1",\n  "items": [],\n}', 'feed.json');
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/^feed feed\.json line 4, column 1: invalid JSON: Expected double-quoted property name/);
    expect(parseError('{"version": "https://jsonfeed.org/version/1.1", "items": [,]}', 'feed.json').message).toMatch(
      /^feed feed\.json line 1, column 59: invalid JSON: Unexpected token/,
    );
  });

  it('says so for well-formed XML or JSON that is no known feed format', () => {
    expect(parseError('<?xml version="1.0"?><opml version="2.0"><body/></opml>').message).toBe(
      'feed tests/inline.xml: well-formed XML (root element <opml>) but not an RSS, Atom, RDF or JSON feed',
    );
    expect(parseError('{"hello": "world"}').message).toContain('not a JSON Feed');
    expect(parseError('<!DOCTYPE html><html><body>Home</body></html>').message).toContain('an HTML page, not a feed');
    expect(parseError('hello').message).toContain('neither XML nor JSON');
    expect(parseError('').kind).toBe('permanent');
  });
});

describe('parseFeed: documents that are no feed get one clear line', () => {
  it('an empty document, or one with only whitespace, a declaration or comments, never "column NaN"', () => {
    for (const body of ['', ' \n\t', '\uFEFF']) {
      expect(parseError(body).message).toBe('feed tests/inline.xml: the document is empty');
    }
    for (const body of ['<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-8"?>\n\n', '\n<?xml version="1.0"?><!-- nothing yet -->']) {
      const err = parseError(body);
      expect(err.message).toBe('feed tests/inline.xml: the document is empty: no element, only an XML declaration, comments or whitespace');
      expect(err.message).not.toContain('NaN');
    }
  });

  it('a document cut short names the elements left open and where the innermost one began', () => {
    const err = parseError('<?xml version="1.0"?>\n<rss version="2.0">\n  <channel>\n    <title>T</title>\n');
    expect(err.where).toBe('feed tests/inline.xml line 3, column 3');
    expect(err.message).toBe(
      'feed tests/inline.xml line 3, column 3: malformed XML: the document ends with <rss>, <channel> still open (cut short?); <channel> was opened here',
    );
  });

  it('an HTML page says so, and names the feed it advertises without fetching it', () => {
    const page =
      '<!DOCTYPE html>\n<html><head><link rel="stylesheet" href="/s.css">' +
      '<LINK REL="alternate" TYPE="application/rss+xml" title="News" href="/news/feed/?a=1&amp;token=abc">' +
      '<link rel=alternate type="application/atom+xml" href="https://u:pw@example.org/atom.xml"></head><body></body></html>';
    let message = '';
    try {
      parseFeed(page, { sourceId: 't', location: 'https://example.org/news', baseUrl: 'https://www.example.org/news/' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      'feed https://example.org/news: this is an HTML page, not a feed; it advertises the feed https://www.example.org/news/feed/?a=1&token=*** (and 1 more): configure that URL if it is the one',
    );
  });

  it('an HTML page without such a link says where to look', () => {
    for (const page of ['<html><body><p>Welcome</p></body></html>', '<head><title>Home</title></head><body><p>Hi<br></body>']) {
      expect(parseError(page).message).toBe(
        'feed tests/inline.xml: this is an HTML page, not a feed (look on it for a <link rel="alternate" type="application/rss+xml"> naming the feed URL)',
      );
    }
  });

  it('JSON that is no feed and plain text say what they are', () => {
    expect(parseError('{"error": "not found"}').message).toBe(
      'feed tests/inline.xml: well-formed JSON but not a JSON Feed (no "version": "https://jsonfeed.org/version/1…")',
    );
    expect(parseError('Service temporarily unavailable').message).toBe(
      'feed tests/inline.xml: neither XML nor JSON (begins with "Service temporarily "), not a feed',
    );
  });
});

describe('parseFeed: hostile XML', () => {
  it('neither hangs nor expands a billion-laughs entity bomb', () => {
    const body = readFileSync(`${dir}/billion-laughs.xml`, 'utf8');
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const feed = parseFeed(body, { sourceId: 'test', location: 'bomb.xml' });
    const ms = performance.now() - t0;
    const grown = process.memoryUsage().heapUsed - heapBefore;
    expect(ms).toBeLessThan(1000);
    expect(grown).toBeLessThan(50 * 1024 * 1024);
    expect(JSON.stringify(feed).length).toBeLessThan(5000);
    expect(JSON.stringify(feed)).not.toContain('lollol');
    expect(feed.problems.map((p) => p.message)).toEqual(['the DOCTYPE declares entities; they were ignored (never expanded or fetched)']);
  });

  it('prepares a 2 MB document of bare ampersands or unterminated sections in one pass, not one per token', () => {
    // Each of these used to rescan the rest of the text (indexOf('\n') on a long line, a lazy [\s\S]*? to the end):
    // tens of seconds at 2 MB. The honest figure is well under a second; the bound only guards against a hang.
    const line = `<rss><channel><title>${'&a '.repeat(700_000)}</title></channel></rss>`;
    const cdata = `<rss>${'<![CDATA['.repeat(230_000)}`;
    const comments = `<rss>${'<!--'.repeat(520_000)}`;
    const t0 = performance.now();
    const prepared = prepareXml(line);
    prepareXml(cdata);
    prepareXml(comments);
    expect(performance.now() - t0).toBeLessThan(8000);
    expect(prepared.xml.slice(21, 36)).toBe('&amp;a &amp;a &');
  });

  it('never reads external entities (XXE): no file content, no network', () => {
    const body = readFileSync(`${dir}/xxe.xml`, 'utf8');
    const feed = parseFeed(body, { sourceId: 'test', location: 'xxe.xml' });
    const text = JSON.stringify(feed);
    expect(text).not.toMatch(/root:|\/bin\/|daemon/);
    expect(feed.items[0]?.title).toBe('Leak: &xxe;');
  });
});

describe('parseFeed: base URLs', () => {
  const rss = (link: string, channelLink = '') =>
    `<rss version="2.0"><channel><title>t</title>${channelLink}<description>d</description><item><title>x</title><link>${link}</link></item></channel></rss>`;

  it('resolves a relative RSS link against the fetched URL when the channel has no absolute link', () => {
    const feed = parseFeed(rss('posts/1?utm_medium=x'), { sourceId: 's', location: 'https://feeds.example.com/a/feed.xml', baseUrl: 'https://www.example.com/a/rss' });
    expect(feed.items[0]?.url).toBe('https://www.example.com/a/posts/1');
  });

  it('reports a relative link that cannot be resolved as a problem, keeping the item', () => {
    const feed = parseFeed(rss('/posts/1'), { sourceId: 's', location: 'local.xml', baseUrl: 'file:///tmp/local.xml' });
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]?.url).toBeUndefined();
    expect(feed.problems[0]?.message).toContain('relative and the feed has no base URL');
  });

  it('masks secrets of the feed URL in problems', () => {
    const feed = parseFeed(rss('mailto:x@example.com'), { sourceId: 's', location: 'https://u:pw@example.com/feed?token=abc123&x=1' });
    expect(feed.problems[0]?.where).toBe('feed https://u:***@example.com/feed?token=***&x=1, item 1 ("x")');
  });
});
