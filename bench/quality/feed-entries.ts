/**
 * A second, independent reading of a feed document: how many entries it has, and what text each holds. The
 * quality bench counts lost items and judges stub-only threads against it, so it must not share the application's
 * parser (feedsmith and fast-xml-parser behind src/sources/): it walks the XML with htmlparser2's tokenizer in
 * XML mode, or reads JSON Feed with JSON.parse. It is tolerant rather than strict — a document the application
 * refuses still has its entries counted here.
 */
import { Parser } from 'htmlparser2';

export interface FeedEntryText {
  /** The entry's title as plain text, when it has one. */
  title?: string;
  /** Its other fields as plain text (escaped HTML unescaped and stripped), links, ids, dates and categories left out. */
  texts: string[];
  /** Its links and ids, to match the entry to an item. */
  links: string[];
}

/** Elements whose text is not prose: identifiers, links, dates, taxonomy, people, numbers. */
const NOT_PROSE = new Set([
  'title',
  'link',
  'guid',
  'id',
  'pubdate',
  'published',
  'updated',
  'date',
  'modified',
  'issued',
  'created',
  'category',
  'subject',
  'comments',
  'author',
  'creator',
  'contributor',
  'name',
  'email',
  'uri',
  'source',
  'enclosure',
  'duration',
  'explicit',
  'episode',
  'season',
  'episodetype',
  'keywords',
  'image',
  'thumbnail',
  'content-type',
  'origlink',
  'commentrss',
  'total',
  'rights',
]);

const localName = (name: string): string => name.slice(name.lastIndexOf(':') + 1).toLowerCase();

/** The entries of an RSS/RDF/Atom (XML) or JSON Feed document, in document order. */
export function readFeedEntries(document: string): FeedEntryText[] {
  const text = document.replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (start.startsWith('{') || start.startsWith('[')) return readJsonEntries(start);
  return readXmlEntries(text);
}

function readJsonEntries(text: string): FeedEntryText[] {
  let feed: unknown;
  try {
    feed = JSON.parse(text);
  } catch {
    return [];
  }
  const items = (feed as { items?: unknown })?.items;
  if (!Array.isArray(items)) return [];
  return items.map((raw) => {
    const i = (raw ?? {}) as Record<string, unknown>;
    const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
    const title = str(i.title);
    return {
      ...(title ? { title: htmlText(title) } : {}),
      texts: [str(i.summary), str(i.content_text), str(i.content_html) && htmlText(i.content_html as string)].filter(
        (t): t is string => typeof t === 'string' && t.trim().length > 0,
      ),
      links: [str(i.url), str(i.external_url), str(i.id)].filter((t): t is string => t !== undefined),
    };
  });
}

function readXmlEntries(xml: string): FeedEntryText[] {
  const entries: FeedEntryText[] = [];
  // Depth of elements inside the current entry (0 = the entry element itself), and the entry's child being read.
  let current: { depth: number; field?: { name: string; text: string; attrs: Record<string, string> }; entry: FeedEntryText } | undefined;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const local = localName(name);
        if (!current) {
          if (local === 'item' || local === 'entry') current = { depth: 0, entry: { texts: [], links: [] } };
          return;
        }
        current.depth++;
        if (current.depth === 1) {
          current.field = { name: local, text: '', attrs };
          if (local === 'link' && attrs.href) current.entry.links.push(attrs.href);
        } else if (current.field && local === 'link' && attrs.href) {
          current.entry.links.push(attrs.href);
        }
        // Markup inside an Atom xhtml field: keep words apart.
        if (current.depth > 1 && current.field) current.field.text += ' ';
      },
      ontext(data) {
        if (current?.field) current.field.text += data;
      },
      onclosetag() {
        if (!current) return;
        if (current.depth === 0) {
          entries.push(current.entry);
          current = undefined;
          return;
        }
        if (current.depth === 1 && current.field) {
          const { name, text, attrs } = current.field;
          const type = (attrs.type ?? '').toLowerCase();
          // RSS/RDF fields and Atom html/xhtml hold HTML as text; Atom type="text" (the default) is literal.
          const plain = type === 'text' || type === 'text/plain' ? collapse(text) : htmlText(text);
          if (name === 'title') {
            if (plain && current.entry.title === undefined) current.entry.title = plain;
          } else if (name === 'link' || name === 'guid' || name === 'id') {
            if (text.trim()) current.entry.links.push(text.trim());
          } else if (!NOT_PROSE.has(name) && plain) {
            current.entry.texts.push(plain);
          }
          current.field = undefined;
        }
        current.depth--;
      },
    },
    { xmlMode: true, decodeEntities: true, recognizeCDATA: true },
  );
  parser.write(xml);
  parser.end();
  return entries;
}

/** HTML (already unescaped from the XML once) as plain text: tags dropped, entities decoded, whitespace collapsed. */
export function htmlText(html: string): string {
  if (!/[<&]/.test(html)) return collapse(html);
  let out = '';
  let skipping = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (name === 'script' || name === 'style') skipping++;
        out += ' ';
      },
      ontext(data) {
        if (!skipping) out += data;
      },
      onclosetag(name) {
        if ((name === 'script' || name === 'style') && skipping > 0) skipping--;
        out += ' ';
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return collapse(out);
}

function collapse(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}
