/**
 * src/sources/xml-scan.ts stands in for htmlparser2's tokenizer under the feed reader: on every document it calls
 * balanced it must report exactly what htmlparser2 (xmlMode, no entity decoding) reports, event for event and index
 * for index. Compared on generated documents full of the syntax where tokenizers differ, and on the fixtures.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/sources/decode-body.js';
import { scanXml, type XmlSink } from '../../src/sources/xml-scan.js';
import { prepareXml } from '../../src/sources/xml-prep.js';
import { prng } from '../support/prng.js';

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

function ours(xml: string): { structure: string; events: Event[] } {
  let structure = '';
  const list = events(xml, (record, text) => {
    const sink: XmlSink = {
      attribute: (name, value, quote) => record(`attr ${JSON.stringify([name, value, quote ?? null])}`),
      open: (name, tagEnd) => record(`open ${name} ${tagEnd}`),
      close: (closeStart) => record(`close ${closeStart}`),
      text: (start, end) => text(xml.slice(start, end)),
      comment: () => record('comment'),
      instruction: () => record('instruction'),
    };
    structure = scanXml(xml, 1000, sink);
  });
  return { structure, events: list };
}

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
      else out += ` ${name}`;
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
      else if (r < 0.55) out += pick(['<?pi data?>', '<?x?>', '<!ELEMENT x ANY>']);
      else if (r < 0.65) {
        const name = pick(NAMES);
        out += `<${name}${attributes()}${pick(['/>', '/ >', '/\n>'])}`;
      } else {
        const name = pick(NAMES);
        out += `<${name}${attributes()}>${content(depth + 1)}</${name}${space()}>`;
      }
    }
    return out;
  };
  return `<?xml version="1.0"?>\n<rss${attributes()}>${content(0)}</rss>\n`;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

describe('scanXml reports what htmlparser2 reports', () => {
  it('on generated documents', () => {
    const rand = prng(41);
    let balanced = 0;
    for (let n = 0; n < 3000; n++) {
      const xml = randomDocument(rand);
      const got = ours(xml);
      if (got.structure !== 'balanced') continue;
      balanced += 1;
      expect(got.events, xml).toStrictEqual(htmlparser2(xml));
    }
    // Most must be balanced, or the comparison proves little.
    expect(balanced).toBeGreaterThan(2000);
  });

  it('on every XML fixture it calls balanced', () => {
    let compared = 0;
    for (const path of filesUnder('tests/fixtures')) {
      if (/(?:^|\/)LICENSE$|\.(?:md|json)$/.test(path)) continue;
      const xml = prepareXml(decodeBody(readFileSync(path))).xml.replace(/\r\n?/g, '\n');
      if (!xml.startsWith('<')) continue;
      const got = ours(xml);
      if (got.structure !== 'balanced') continue;
      compared += 1;
      expect(got.events, path).toStrictEqual(htmlparser2(xml));
    }
    expect(compared).toBeGreaterThan(150);
  });

  it('calls faults htmlparser2 reads past unbalanced, and still finds a document too deep after them', () => {
    expect(ours('<a></b>').structure).toBe('unbalanced');
    expect(ours('<a></ a>').structure).toBe('unbalanced');
    expect(ours('<a>1 < 2</a>').structure).toBe('unbalanced');
    expect(ours('<a><b></a>').structure).toBe('unbalanced');
    expect(ours('<a x="1').structure).toBe('unbalanced');
    expect(ours('<a><!-- open').structure).toBe('unbalanced');
    const deep = `<a>1 < 2${'<b>'.repeat(2000)}`;
    expect(scanXml(deep, 100, NOTHING)).toBe('too-deep');
  });
});

const NOTHING: XmlSink = { attribute() {}, open() {}, close() {}, text() {}, comment() {}, instruction() {} };
