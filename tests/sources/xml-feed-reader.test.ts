import { parseFeed as feedsmithParse } from 'feedsmith';
import { describe, expect, it } from 'vitest';
import { readEntry, readFeed, type RawFeed } from '../../src/sources/extract.js';
import { readXmlFeed } from '../../src/sources/xml-feed-reader.js';
import { leafText } from '../../src/sources/xml-feed-text.js';
import { prepareXml } from '../../src/sources/xml-prep.js';
import { randomFeed } from '../support/random-feeds.js';
import { xmlFixtures as xmlFixturesOf } from '../support/xml-fixtures.js';

/**
 * The streaming reader gives what feedsmith + extract.ts give, field for field and entry for entry, on every XML
 * feed of the fixtures that feedsmith reads.
 */
const xmlFixtures = xmlFixturesOf();

/** feedsmith's reading, as parse-feed.ts does it: undefined when feedsmith refuses the document. */
function viaFeedsmith(xml: string) {
  let document: ReturnType<typeof feedsmithParse>;
  try {
    document = feedsmithParse(xml);
  } catch {
    return undefined;
  }
  if (document.format === 'json') return undefined;
  const raw = readFeed(document.format, document.feed);
  return { format: document.format, feed: withoutEntries(raw), entries: raw.entries.map((e) => readEntry(document.format, e)) };
}

const withoutEntries = ({ entries: _, ...feed }: RawFeed) => feed;

const readByFeedsmith = xmlFixtures.flatMap(({ path, xml }) => {
  const expected = viaFeedsmith(xml);
  return expected ? [{ path, xml, expected }] : [];
});

describe('readXmlFeed gives what feedsmith and extract.ts give', () => {
  it('on most of the fixtures', () => {
    expect(readByFeedsmith.length).toBeGreaterThanOrEqual(150);
  });

  it.each(readByFeedsmith)('$path', ({ xml, expected }) => {
    const read = readXmlFeed(xml);
    expect(read).toBeDefined();
    expect(read!.format).toBe(expected.format);
    expect(withoutEntries(read!.raw)).toStrictEqual(expected.feed);
    expect(read!.entries).toStrictEqual(expected.entries);
  });
});

describe('readXmlFeed gives what feedsmith and extract.ts give on random documents', () => {
  // Seeds in blocks, so that a failure names a block to replay rather than one test per document.
  const blocks = Array.from({ length: 10 }, (_, b) => ({ from: b * 100 + 1, to: b * 100 + 100 }));

  it.each(blocks)('seeds $from–$to', ({ from, to }) => {
    let read = 0;
    for (let seed = from; seed <= to; seed++) {
      const xml = prepareXml(randomFeed(seed)).xml;
      const expected = viaFeedsmith(xml);
      const got = readXmlFeed(xml);
      // Where feedsmith finds no feed, neither does the reader.
      expect(got === undefined, `seed ${seed}: refused`).toBe(expected === undefined);
      if (!expected || !got) continue;
      read++;
      expect(got.format, `seed ${seed}`).toBe(expected.format);
      expect(withoutEntries(got.raw), `seed ${seed}`).toStrictEqual(expected.feed);
      expect(got.entries, `seed ${seed}`).toStrictEqual(expected.entries);
    }
    expect(read).toBeGreaterThan(80);
  });
});

/** Each case: the rule, a document, and what feedsmith + extract.ts read from it (checked against them too). */
const rss = (channel: string, namespaces = '') =>
  `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"${namespaces}><channel>${channel}</channel></rss>`;
const atom = (body: string, namespaces = '') => `<feed xmlns="http://www.w3.org/2005/Atom"${namespaces}>${body}</feed>`;

describe('readXmlFeed follows feedsmith on the rules that are easy to get wrong', () => {
  const cases: Array<{ rule: string; xml: string; check: (read: NonNullable<ReturnType<typeof readXmlFeed>>) => void }> = [
    {
      rule: 'HTML entities (&nbsp;) decode outside CDATA; CDATA is kept literally; comments go',
      xml: rss('<title>A&nbsp;&amp;amp; <![CDATA[&amp;<b>]]><!-- no --></title><item><title>x</title></item>'),
      check: (r) => expect(r.raw.title?.value).toBe('A\u00a0&amp; &amp;<b>'),
    },
    {
      rule: 'a prefix bound to a known namespace URI reads as its usual prefix',
      xml: rss('<item><title>t</title><d:date>2024-01-02</d:date></item>', ' xmlns:d="http://purl.org/dc/elements/1.1/"'),
      check: (r) => expect(r.entries[0]!.dates).toEqual(['2024-01-02']),
    },
    {
      rule: 'an undeclared prefix reads as written',
      xml: rss('<item><title>t</title><media:description>seen</media:description></item>'),
      check: (r) => expect(r.entries[0]!.excerpts.map((e) => e.value)).toEqual(['seen']),
    },
    {
      rule: 'a usual prefix bound to an unknown URI still reads as written',
      xml: rss('<item><title>t</title><content:encoded>body</content:encoded></item>', ' xmlns:content="http://example.com/not-content"'),
      check: (r) => expect(r.entries[0]!.contents.map((c) => c.value)).toEqual(['body']),
    },
    {
      rule: 'names are read case-insensitively',
      xml: rss('<ITEM><Title>t</Title><PubDate>Mon, 01 Jan 2024 00:00:00 GMT</PubDate><GUID isPermaLink="FALSE">g</GUID></ITEM>'),
      check: (r) => expect(r.entries.map((e) => [e.id, e.links, e.dates])).toEqual([['g', [], ['Mon, 01 Jan 2024 00:00:00 GMT']]]),
    },
    {
      rule: 'the first element of a kind counts even when empty',
      xml: rss('<item><title> </title><title>second</title><dc:title>dc</dc:title></item>'),
      check: (r) => expect(r.entries[0]!.title?.value).toBe('dc'),
    },
    {
      rule: 'an entry with nothing in it is dropped',
      xml: rss('<item><title></title></item><item><title>kept</title></item>'),
      check: (r) => expect(r.entries.map((e) => e.title?.value)).toEqual(['kept']),
    },
    {
      rule: 'Atom xhtml content loses its wrapping div and the div prefix, and keeps its markup and entities',
      xml: atom(
        '<entry><id>1</id><content type="xhtml"><x:div xmlns:x="http://www.w3.org/1999/xhtml"><x:p>a &amp; <x:b>b</x:b></x:p></x:div></content></entry>',
      ),
      check: (r) => expect(r.entries[0]!.contents[0]!.value).toBe('<p>a &amp; <b>b</b></p>'),
    },
    {
      rule: 'Atom xhtml content with more than the div is read as text',
      xml: atom('<entry><id>1</id><content type="xhtml">lead <div>a &amp; b</div></content></entry>'),
      check: (r) => expect(r.entries[0]!.contents[0]!.value).toBe('lead <div>a & b</div>'),
    },
    {
      rule: 'a title without attributes is Atom text whatever it holds',
      xml: atom('<title>&lt;b&gt;bold&lt;/b&gt;</title><entry><id>1</id></entry>'),
      check: (r) => expect(r.raw.title).toEqual({ value: '<b>bold</b>', kind: 'text' }),
    },
    {
      rule: 'CRLF line ends read as LF',
      xml: rss('<item><title>t</title><description>a\r\nb\rc</description></item>'),
      check: (r) => expect(r.entries[0]!.excerpts[0]!.value).toBe('a\nb\nc'),
    },
    {
      rule: 'a binding is not scoped: one met on an item, past the first 64 KiB, holds for the rest of the document',
      xml: rss(
        `<description>${'x'.repeat(70_000)}</description><item xmlns:y="http://purl.org/dc/elements/1.1/"><title>t</title><y:date>d</y:date></item><item><title>u</title><y:date>e</y:date></item>`,
      ),
      check: (r) => expect(r.entries.map((e) => e.dates)).toEqual([['d'], ['e']]),
    },
    {
      rule: 'a binding in the first 64 KiB counts even inside CDATA',
      xml: rss('<item><title>t</title><description><![CDATA[<svg xmlns:q="http://purl.org/dc/elements/1.1/">]]></description><q:date>d</q:date></item>'),
      check: (r) => expect(r.entries[0]!.dates).toEqual(['d']),
    },
    {
      rule: 'the first binding of a prefix wins: dc bound to DC terms on the root is not dc on the item',
      xml: `<rss version="2.0" xmlns:dc="http://purl.org/dc/terms/"><channel><item xmlns:dc="http://purl.org/dc/elements/1.1/"><title>t</title><dc:date>d</dc:date></item></channel></rss>`,
      check: (r) => expect(r.entries[0]!.dates).toEqual([]),
    },
    {
      rule: 'a binding the 64 KiB scan found in text gives way to the first one on an element',
      xml: `<rss version="2.0"><channel><description><![CDATA[ xmlns:dc="http://purl.org/dc/terms/" ]]></description><item xmlns:dc="http://purl.org/dc/elements/1.1/"><title>t</title><dc:date>d</dc:date></item></channel></rss>`,
      check: (r) => expect(r.entries[0]!.dates).toEqual(['d']),
    },
    {
      rule: 'Atom xhtml: anything beside the div keeps it all, verbatim',
      xml: atom('<entry><id>1</id><content type="xhtml"><div>a &amp; b</div> tail</content></entry>'),
      check: (r) => expect(r.entries[0]!.contents[0]!.value).toBe('<div>a &amp; b</div> tail'),
    },
    {
      rule: 'Atom xhtml: a comment after the div keeps it all too',
      xml: atom('<entry><id>1</id><content type="xhtml"> <div>a</div><!-- c --></content><summary type="xhtml"><div>s</div><?pi x?></summary></entry>'),
      check: (r) => expect([r.entries[0]!.excerpts[0]!.value, r.entries[0]!.contents[0]!.value]).toEqual(['<div>s</div><?pi x?>', '<div>a</div><!-- c -->']),
    },
    {
      rule: 'Atom xhtml: CDATA inside the div is written out escaped',
      xml: atom('<entry><id>1</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">a <![CDATA[<b>&]]> c</div></content></entry>'),
      check: (r) => expect(r.entries[0]!.contents[0]!.value).toBe('a &lt;b>&amp; c'),
    },
    {
      rule: 'Atom xhtml: a comment before the div keeps the div, decoded as text',
      xml: atom('<entry><id>1</id><content type="xhtml"><!-- c --><div>x &amp; y</div></content></entry>'),
      check: (r) => expect(r.entries[0]!.contents[0]!.value).toBe('<div>x & y</div>'),
    },
    {
      rule: 'RSS: the first channel only, and items outside any channel when it has none',
      xml: `<rss version="0.91"><channel><title>1</title></channel><channel><item><title>b</title></item></channel><item><title>r</title></item></rss>`,
      check: (r) => expect(r.entries.map((e) => e.title?.value)).toEqual(['r']),
    },
    {
      rule: 'media:description with a type and no text hides the media:group one',
      xml: rss(
        '<item><title>t</title><media:description type="plain"/><media:group><media:description>g</media:description></media:group></item>',
        ' xmlns:media="http://search.yahoo.com/mrss/"',
      ),
      check: (r) => expect(r.entries[0]!.excerpts).toEqual([]),
    },
    {
      rule: 'isPermaLink is read with white space around it',
      xml: rss('<item><guid isPermaLink=" false ">http://x/1</guid></item>'),
      check: (r) => expect(r.entries[0]!.links).toEqual([]),
    },
    {
      rule: 'RDF items come in the order the channel lists them',
      xml: `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="c"><title>T</title><items><rdf:Seq><rdf:li rdf:resource="b"/><rdf:li rdf:resource="a"/></rdf:Seq></items></channel><item rdf:about="a"><title>A</title></item><item rdf:about="b"><title>B</title></item></rdf:RDF>`,
      check: (r) => expect(r.entries.map((e) => e.title?.value)).toEqual(['B', 'A']),
    },
  ];

  it.each(cases)('$rule', ({ xml, check }) => {
    const read = readXmlFeed(xml);
    expect(read).toBeDefined();
    const expected = viaFeedsmith(xml);
    expect(expected).toBeDefined();
    expect(withoutEntries(read!.raw)).toStrictEqual(expected!.feed);
    expect(read!.entries).toStrictEqual(expected!.entries);
    check(read!);
  });

  it('gives nothing for a document whose root is no feed', () => {
    expect(readXmlFeed('<?xml version="1.0"?><html><body><rss version="2.0"/></body></html>')).toBeUndefined();
    expect(readXmlFeed('<opml version="2.0"><body/></opml>')).toBeUndefined();
  });

  it('gives nothing where feedsmith finds no feed under a feed root', () => {
    const refused = [
      // A channel with nothing feedsmith reads.
      '<rss version="2.0"><channel a="1"></channel></rss>',
      // The root's default namespace is a known one, not the format's: feedsmith prefixes every name with it.
      '<feed xmlns="http://purl.org/dc/elements/1.1/"><title>T</title><entry><id>1</id></entry></feed>',
      // rdf: not bound to RDF's namespace.
      '<rdf:RDF xmlns="http://purl.org/rss/1.0/"><channel><title>T</title></channel><item><title>A</title></item></rdf:RDF>',
    ];
    for (const xml of refused) {
      expect(viaFeedsmith(xml)).toBeUndefined();
      expect(readXmlFeed(xml)).toBeUndefined();
    }
  });

  it('reads a leaf as feedsmith does: an unterminated comment or CDATA section changes nothing', () => {
    expect(leafText('a <!-- open')).toBe('a <!-- open');
    expect(leafText('&amp; <![CDATA[ x')).toBe('& <![CDATA[ x');
    expect(leafText('&copy 2024')).toBe('&copy 2024');
    expect(leafText('  ')).toBeUndefined();
  });
});
