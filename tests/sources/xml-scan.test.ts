/**
 * src/sources/xml-scan.ts stands in for htmlparser2's tokenizer and parser under the feed reader: on every document
 * the structure check lets through to the reader (elementStructure, 'balanced') it must report exactly what
 * htmlparser2 (xmlMode, no entity decoding) reports, event for event and index for index. Compared on generated
 * documents full of the syntax where tokenizers differ, on faults real feeds have, and on the fixtures.
 */
import { Parser } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/sources/parse-feed.js';
import { elementStructure } from '../../src/sources/xml-prep.js';
import { scanXml, type XmlSink } from '../../src/sources/xml-scan.js';
import { prng } from '../support/prng.js';
import { xmlFixtures } from '../support/xml-fixtures.js';

type Event = string;

/** Events as the reader sees them; adjacent text joined, since either side may split a run of text. */
function events(xml: string, push: (record: (e: Event) => void, text: (t: string) => void) => void): Event[] {
  const out: Event[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push(`text ${JSON.stringify(text)}`);
    text = '';
  };
  push(
    (e) => {
      flush();
      out.push(e);
    },
    (t) => {
      text += t;
    },
  );
  flush();
  return out;
}

function ours(xml: string): Event[] {
  return events(xml, (record, text) => {
    const sink: XmlSink = {
      attribute: (name, value, quote) => record(`attr ${JSON.stringify([name, value, quote ?? null])}`),
      open: (name, tagEnd) => record(`open ${name} ${tagEnd}`),
      close: (closeStart) => record(`close ${closeStart}`),
      text: (start, end) => text(xml.slice(start, end)),
      comment: () => record('comment'),
      instruction: () => record('instruction'),
    };
    scanXml(xml, sink);
  });
}

/** What the reader is given at all: a document the structure check calls balanced. */
const readable = (xml: string) => elementStructure(xml, 100) === 'balanced';

function htmlparser2(xml: string): Event[] {
  return events(xml, (record, text) => {
    const parser: Parser = new Parser(
      {
        // A value-less attribute is undefined to htmlparser2, an unquoted one null: the reader treats both alike.
        onattribute: (name, value, quote) => record(`attr ${JSON.stringify([name, value, quote ?? null])}`),
        onopentag: (name) => record(`open ${name} ${parser.endIndex}`),
        // The end tag's "<". htmlparser2's own startIndex is one short after an end tag with white space before its
        // ">" (`</a ></b>`): it counts from where that name ended. The reader took a leaf's text up to that index, so
        // a leaf closed right after such a tag kept a stray ">" less; the scan gives the true index.
        onclosetag: (_name, implied) => record(`close ${implied ? -1 : xml.lastIndexOf('</', parser.endIndex)}`),
        ontext: (t) => text(t),
        oncomment: () => record('comment'),
        onprocessinginstruction: () => record('instruction'),
      },
      { xmlMode: true, decodeEntities: false },
    );
    parser.end(xml);
  });
}

const NAMES = ['a', 'item', 'dc:date', 'atom:link', 'x-y', 'a.b', 'Ünï', 'content'];
const SPACES = ['', ' ', '  ', '\n', '\t', ' \n '];

function randomDocument(rand: () => number): string {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const space = () => pick(SPACES);
  const attributes = () => {
    let out = '';
    for (let n = Math.floor(rand() * 3); n > 0; n--) {
      const name = pick(['href', 'rel', 'xml:base', 'type', 'x', 'isPermaLink']);
      const value = pick(['', 'a b', 'x>y', "it's", 'say "hi"', '/', 'a/b', '&amp;', '<p>']);
      const form = rand();
      const eq = `${space()}=${space()}`;
      if (form < 0.4) out += ` ${name}${eq}"${value.replace(/"/g, '')}"`;
      else if (form < 0.7) out += ` ${name}${eq}'${value.replace(/'/g, '')}'`;
      else if (form < 0.85) out += ` ${name}${eq}${value.replace(/[\s>"']/g, '') || 'v'}`;
      else if (form < 0.95) out += ` ${name}`;
      else out += pick([' ="x"', ' x"', " x'y", ' =/']);
    }
    return out + space();
  };
  const content = (depth: number): string => {
    let out = '';
    for (let n = Math.floor(rand() * 4); n > 0; n--) {
      const r = rand();
      if (r < 0.3 || depth > 4) out += pick(['text', ' ', 'a &amp; b', 'x > y', '"quoted"', ']]>', '--', '\n  ']);
      else if (r < 0.4) out += pick(['<!-- c -->', '<!---->', '<!-->', '<!--->', '<!-- a -- b -->']);
      else if (r < 0.5) out += pick(['<![CDATA[<p>x</p>]]>', '<![CDATA[]]>', '<![CDATA[a]]]>', '<![CDATA[ ]] > ]]>']);
      else if (r < 0.55) out += pick(['<?pi data?>', '<?x?>', '<!ELEMENT x ANY>', '<!>', '<!->', '<![CDAT>', '</>', '<//x>', '< ', '1 <2']);
      else if (r < 0.65) {
        const name = pick(NAMES);
        out += `<${name}${attributes()}${pick(['/>', '/ >', '/\n>', ' / >'])}`;
      } else {
        const name = pick(NAMES);
        out += `<${name}${attributes()}>${content(depth + 1)}</${name}${pick([space(), space(), '/', '\f'])}>`;
      }
    }
    return out;
  };
  return `<?xml version="1.0"?>\n<rss${attributes()}>${content(0)}</rss>\n`;
}

/** Faults of real feeds and the corners where tokenizers part, each inside an element of an item. */
const CORNERS = [
  'Prices < $5 today<br/>',
  '1 <2 and 3> 2',
  '<category domain=x/>',
  '<enclosure url="a"/ >',
  '<a x"></a>',
  "<a x'y></a>",
  '<a b=/></a>',
  '<a b=c/></a>',
  '<a\f></a>',
  '<a></a\f>',
  '<!><b></b>',
  '<!-><b></b>',
  '<![CDAT><b></b>',
  '<![CDATA[x]]]>',
  '<a ="x><b>"></a>',
  '<a / b="1"></a>',
  '<title>t</title/>',
  '</>',
  '<//x>',
  '</ a>',
  '<?pi a>b?>',
  '<!-- a -- b --->',
];

describe('scanXml reports what htmlparser2 reports', () => {
  it('on generated documents the reader is given', () => {
    const rand = prng(41);
    let compared = 0;
    for (let n = 0; n < 3000; n++) {
      const xml = randomDocument(rand);
      if (!readable(xml)) continue;
      compared += 1;
      expect(ours(xml), xml).toStrictEqual(htmlparser2(xml));
    }
    // Most must be readable, or the comparison proves little.
    expect(compared).toBeGreaterThan(1500);
  });

  it('on faults of real feeds and the corners where tokenizers part', () => {
    let compared = 0;
    for (const corner of CORNERS) {
      const xml = `<?xml version="1.0"?>\n<rss><channel><item><description>${corner}</description><guid>g</guid></item></channel></rss>\n`;
      if (!readable(xml)) continue;
      compared += 1;
      expect(ours(xml), xml).toStrictEqual(htmlparser2(xml));
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('on every XML fixture the reader is given', () => {
    let compared = 0;
    for (const fixture of xmlFixtures()) {
      const xml = fixture.xml.replace(/\r\n?/g, '\n');
      if (!readable(xml)) continue;
      compared += 1;
      expect(ours(xml), fixture.path).toStrictEqual(htmlparser2(xml));
    }
    expect(compared).toBeGreaterThan(150);
  });
});

describe('feeds with faults that readers read past', () => {
  it.each([
    ['a bare "<" before a tag that closes itself', '<description>Prices < $5 today<br/>while stocks last</description>', 'Prices < $5 today\nwhile stocks last'],
    // htmlparser2 (and so the reader) takes "x/" for the value, the category stays open and holds the description:
    // the item is read, its summary is not. As before this scan; fast-xml-parser refuses the whole feed.
    ['an unquoted attribute value before "/>"', '<category domain=x/><description>Short note.</description>', ''],
  ])('are still read: %s', (_, inside, summary) => {
    const xml = `<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Deals</title><item><title>Deals</title><link>https://example.org/deals</link>${inside}</item></channel></rss>\n`;
    const feed = parseFeed(xml, { sourceId: 'deals', location: 'https://example.org/feed.xml' });
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]!.summary).toBe(summary);
  });
});
