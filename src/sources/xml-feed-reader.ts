import { readEntry, readFeed, type RawEntry, type RawFeed } from './extract.js';
import { isForeignNamespace, KNOWN_PREFIXES, Prefixes, type XmlFeedFormat } from './xml-feed-namespaces.js';
import { isXhtmlType, leafText, unwrapDiv, xhtmlText, type UnwrappedDiv, type XhtmlWatch } from './xml-feed-text.js';
import { scanXml, type XmlSink } from './xml-scan.js';

/**
 * Reading an RSS 2.0, Atom or RDF (RSS 1.0) document in one streaming pass, for speed: feedsmith builds an object
 * of the whole document with fast-xml-parser and then reads every field of every namespace it knows, of which
 * extract.ts uses a handful. This reader walks the document's tags once (xml-scan.ts, which reports them as
 * htmlparser2 would), keeps only those fields, and hands extract.ts the same values feedsmith would, so
 * readFeed/readEntry give the same RawFeed and RawEntry.
 *
 * "The same values" means feedsmith's reading rules, which are not XML's: its element names
 * (xml-feed-namespaces.ts), its leaf text (xml-feed-text.ts), and which elements count:
 * - The first element of a kind counts for single fields (even when empty), every non-empty one for lists; an
 *   entry, channel or Atom feed with nothing feedsmith would read is dropped (feedsmith reads more fields than we
 *   do, so that is judged from ours plus any element with content under a name feedsmith knows).
 * The reader does not validate: run the document's structure check first (xml-prep.ts), as for feedsmith (the scan,
 * like htmlparser2, reads past what is malformed).
 */

export type { XmlFeedFormat };

export interface XmlFeed {
  format: XmlFeedFormat;
  raw: RawFeed;
  entries: RawEntry[];
}

/**
 * The feed in `xml` (as prepareXml gives it) as feedsmith's parseFeed gives it for XML — `{ format, feed }`, with only
 * the fields extract.ts reads — or undefined when its root element is not rss, feed or rdf:RDF, or feedsmith would
 * find no feed under it. What src/sources/parse-feed.ts reads an XML feed with.
 */
export function readXmlFeedShape(input: string): { format: XmlFeedFormat; feed: unknown } | undefined {
  const xml = input.includes('\r') ? input.replace(/\r\n?/g, '\n') : input;
  const reader = new FeedReader(xml, input);
  scanXml(xml, reader);
  const feed = reader.feed();
  return feed ? { format: feed.format, feed: feed.shape } : undefined;
}

/** readXmlFeedShape read through extract.ts: the RawFeed and RawEntry list it gives. */
export function readXmlFeed(input: string): XmlFeed | undefined {
  const feed = readXmlFeedShape(input);
  if (!feed) return undefined;
  const raw = readFeed(feed.format, feed.feed);
  return { format: feed.format, raw, entries: raw.entries.map((e) => readEntry(feed.format, e)) };
}

// ── the element tree of what is read ─────────────────────────────────────────────────────────────────────────────

/** An element as feedsmith would see it: a leaf ("stop") element keeps its raw markup, any other its children. */
interface El {
  name: string;
  /** Attributes by name (lower-cased, prefix mapped), raw values; undefined when there are none. */
  attrs?: Record<string, string>;
  /** Raw inner markup of a leaf element. */
  inner?: string;
  kids?: El[];
  /** Whether it has child elements (entries are read as they close and not kept among its kids). */
  parent?: boolean;
  /** Its kids by name, made when first asked: an entry's fields are looked up a few dozen times. */
  byName?: Map<string, El[]>;
  /** The prefixes of its kids' names: feedsmith reads a namespace's fields only where one of its elements is. */
  prefixes?: Set<string>;
  /** For an xhtml text construct: the inner markup with one wrapping div removed, when it is just that. */
  unwrapped?: UnwrappedDiv;
}

/** Read as an object by feedsmith (not a bare string): it has attributes, or child elements. */
const isObject = (el: El | undefined): el is El => el !== undefined && (el.attrs !== undefined || el.parent === true);
const NONE: El[] = [];
const all = (el: El | undefined, name: string): El[] => (el?.kids ? (el.byName ?? index(el)).get(name) ?? NONE : NONE);
const first = (el: El | undefined, name: string): El | undefined => all(el, name)[0];

function hasPrefix(el: El, prefix: string): boolean {
  if (!el.kids) return false;
  if (!el.byName) index(el);
  return el.prefixes!.has(prefix);
}

function index(el: El): Map<string, El[]> {
  el.prefixes = new Set();
  return (el.byName = byName(el.kids!, el.prefixes));
}

function byName(kids: El[], prefixes: Set<string>): Map<string, El[]> {
  const map = new Map<string, El[]>();
  for (const k of kids) {
    const colon = k.name.indexOf(':');
    if (colon > 0) prefixes.add(k.name.slice(0, colon));
    const list = map.get(k.name);
    if (list) list.push(k);
    else map.set(k.name, [k]);
  }
  return map;
}
const text = (el: El | undefined): string | undefined => (el?.inner !== undefined ? leafText(el.inner) : undefined);
const attr = (el: El | undefined, name: string): string | undefined => leafText(el?.attrs?.[name]);
const texts = (el: El, name: string): string[] | undefined => nonEmpty(all(el, name).map(text).filter((t): t is string => t !== undefined));
const nonEmpty = <T>(xs: T[]): T[] | undefined => (xs.length > 0 ? xs : undefined);

/** Elements read whole, by name anywhere (namespaces) or by path under the root (each format's own elements). */
const LEAF_NAMES = new Set([
  ...'title creator subject description publisher contributor date type format identifier source language relation coverage rights'
    .split(' ')
    .map((n) => `dc:${n}`),
  ...'abstract created date description issued language modified subject title'.split(' ').map((n) => `dcterms:${n}`),
  'content:encoded',
  ...'author title duration explicit episode season episodetype block summary subtitle keywords name email type new-feed-url complete applepodcastsverify'
    .split(' ')
    .map((n) => `itunes:${n}`),
  ...'rating adult title description category hash credit copyright text restriction keywords comment response backlink license location param'
    .split(' ')
    .map((n) => `media:${n}`),
  ...'category content generator icon id link logo published issued created rights subtitle tagline summary title updated modified'
    .split(' ')
    .map((n) => `atom:${n}`),
  'rdf:type',
  'rdf:value',
]);
const RSS_ITEM_LEAVES = new Set(['title', 'link', 'description', 'category', 'comments', 'enclosure', 'guid', 'pubdate', 'source']);
const RSS_CHANNEL_LEAVES = new Set([
  ...'title link description language copyright managingeditor webmaster pubdate lastbuilddate category generator docs cloud ttl rating'.split(' '),
]);
const ATOM_FEED_LEAVES = new Set('category generator icon id link logo rights subtitle tagline title updated modified'.split(' '));
const ATOM_ENTRY_LEAVES = new Set('category content id link published issued created rights summary title updated modified'.split(' '));
const ATOM_TEXT = new Set(['title', 'subtitle', 'rights', 'summary', 'content', 'tagline']);
const RDF_LEAVES = new Set(['title', 'link', 'description']);

/** Whether an element at `path` (canonical names from the root, itself last) is read whole. */
function isLeaf(format: XmlFeedFormat, path: readonly string[], atomPrefix: string): boolean {
  const name = path[path.length - 1]!;
  if (LEAF_NAMES.has(name)) return true;
  const depth = path.length;
  if (format === 'rss') {
    if (depth === 3 && path[1] === 'channel') return RSS_CHANNEL_LEAVES.has(name);
    const inItem = (depth === 4 && path[1] === 'channel' && path[2] === 'item') || (depth === 3 && path[1] === 'item');
    return inItem && RSS_ITEM_LEAVES.has(name);
  }
  if (format === 'rdf') return depth === 3 && (path[1] === 'channel' || path[1] === 'item') && RDF_LEAVES.has(name);
  if (atomPrefix) return false; // the prefixed names are all in LEAF_NAMES
  if (depth === 2) return ATOM_FEED_LEAVES.has(name);
  return depth === 3 && path[1] === 'entry' && ATOM_ENTRY_LEAVES.has(name);
}

interface Frame {
  el: El;
  /** Index just past the start tag's ">". */
  innerStart: number;
  leaf: boolean;
}

class FeedReader implements XmlSink {
  private format: XmlFeedFormat | undefined;
  private refused = false;
  private prefixes: Prefixes | undefined;
  private atomPrefix = '';
  private readonly path: string[] = [];
  private readonly stack: Frame[] = [];
  /** Elements open inside the current leaf element (not read one by one). */
  private insideLeaf = 0;
  private attrs: Array<[string, string]> = [];
  private xhtml: XhtmlWatch | undefined;
  private root: El | undefined;
  /** RSS: how many channel elements have opened; only the first one's items count. */
  private channels = 0;
  /** Entries in document order; an RSS item says whether it is in the first channel or outside any. */
  private readonly items: Array<{ shape: object; about?: string; at: 'channel' | 'root' | 'elsewhere' }> = [];

  constructor(
    private readonly xml: string,
    private readonly original: string,
  ) {}

  // ── XmlSink: what the scan reports ──

  attribute(name: string, value: string, quote: '"' | "'" | undefined): void {
    // An attribute without a quoted value is not read by feedsmith's parser.
    if (this.insideLeaf === 0 && quote) this.attrs.push([name, value]);
  }

  text(start: number, end: number): void {
    if (this.xhtml && this.insideLeaf === 1 && this.xml.slice(start, end).trim()) this.xhtml.other = true;
  }

  comment(): void {
    if (this.xhtml && this.insideLeaf === 1) this.xhtml.other = true;
  }

  instruction(): void {
    if (this.xhtml && this.insideLeaf === 1) this.xhtml.other = true;
  }

  open(rawName: string, tagEnd: number): void {
    if (this.refused) return;
    if (this.insideLeaf > 0) {
      if (this.xhtml && this.insideLeaf === 1 && !this.xhtml.open) this.xhtml.open = { raw: rawName, innerStart: tagEnd + 1 };
      this.insideLeaf++;
      return;
    }
    const rawAttrs = this.attrs;
    this.attrs = [];
    if (!this.prefixes) {
      const format = formatOf(rawName.toLowerCase());
      if (!format) {
        this.refused = true;
        return;
      }
      this.format = format;
      this.prefixes = new Prefixes(format, this.original);
    }
    for (const [name, value] of rawAttrs) {
      const lower = name.toLowerCase();
      if (lower.startsWith('xmlns:')) this.prefixes.declare(lower.slice(6), value);
      else if (lower === 'xmlns' && this.stack.length === 0) {
        // feedsmith puts the root's default namespace, when it is a known one not the format's own, on every
        // unprefixed name: the root is then not found.
        if (isForeignNamespace(this.format!, value)) {
          this.refused = true;
          return;
        }
      }
    }
    const name = this.prefixes.name(rawName);
    if (this.stack.length === 0) {
      if (name === 'atom:feed') this.atomPrefix = 'atom:';
      else if (name !== this.format && !(this.format === 'atom' && name === 'feed')) {
        this.refused = true;
        return;
      }
    }
    const el: El = { name };
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.el.parent = true;
    if (rawAttrs.length > 0) {
      el.attrs = {};
      for (const [n, v] of rawAttrs) el.attrs[this.prefixes.name(n)] = v;
    }
    this.path.push(name);
    const leaf = this.stack.length > 0 && isLeaf(this.format!, this.path, this.atomPrefix);
    if (leaf) {
      this.insideLeaf = 1;
      if (this.format === 'atom' && ATOM_TEXT.has(name.slice(this.atomPrefix.length)) && isXhtmlType(attr(el, 'type'))) {
        this.xhtml = { divs: [], other: false };
      }
    } else if (this.format === 'rss' && name === 'channel' && this.stack.length === 1) this.channels++;
    this.stack.push({ el, innerStart: tagEnd + 1, leaf });
  }

  close(closeStart: number): void {
    if (this.refused) return;
    if (this.insideLeaf > 1) {
      this.insideLeaf--;
      const watch = this.xhtml;
      if (watch && this.insideLeaf === 1 && watch.open) {
        watch.divs.push({ raw: watch.open.raw, innerStart: watch.open.innerStart, innerEnd: closeStart === -1 ? watch.open.innerStart : closeStart });
        watch.open = undefined;
      }
      return;
    }
    const frame = this.stack.pop();
    if (!frame) return;
    this.path.pop();
    const { el } = frame;
    if (frame.leaf) {
      el.inner = closeStart === -1 ? '' : this.xml.slice(frame.innerStart, closeStart);
      this.insideLeaf = 0;
      if (this.xhtml) {
        el.unwrapped = unwrapDiv(this.xml, el.inner, this.xhtml);
        this.xhtml = undefined;
      }
    }
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      this.root = el;
      return;
    }
    if (this.isEntry(el.name, this.stack.length)) {
      this.entry(el);
      return;
    }
    (parent.el.kids ??= []).push(el);
  }

  /** Whether an element closing at `depth` (its parent's stack length) is one of the feed's entries. */
  private isEntry(name: string, depth: number): boolean {
    if (this.format === 'rss') return name === 'item' && (depth === 1 || (depth === 2 && this.path[1] === 'channel'));
    if (this.format === 'rdf') return name === 'item' && depth === 1;
    return depth === 1 && name === `${this.atomPrefix}entry`;
  }

  private entry(el: El): void {
    const at = this.stack.length === 1 ? 'root' : this.stack.length === 2 && this.channels === 1 ? 'channel' : 'elsewhere';
    // A bare <item> (no attributes, no children) is a string to feedsmith, not an item.
    if (!isObject(el)) return;
    const shape = this.format === 'rss' ? rssItem(el) : this.format === 'rdf' ? rdfItem(el) : atomEntry(el, this.atomPrefix);
    if (!shape || !worthKeeping(el, shape, READ_WHOLE[this.format!])) return;
    this.items.push({ shape, about: el.attrs?.['about'], at });
  }

  feed(): { format: XmlFeedFormat; shape: object } | undefined {
    const root = this.root;
    if (this.refused || !root || !this.format) return undefined;
    switch (this.format) {
      case 'rss': {
        const channel = first(root, 'channel');
        if (!isObject(channel)) return undefined;
        const inChannel = this.items.filter((i) => i.at === 'channel');
        const items = inChannel.length > 0 ? inChannel : this.items.filter((i) => i.at === 'root');
        const shape = {
          title: text(first(channel, 'title')),
          link: text(first(channel, 'link')),
          language: text(first(channel, 'language')),
          dc: { languages: texts(channel, 'dc:language') },
          atom: { links: links(channel, 'atom:link') },
          xml: xmlAttrs(root),
          items: items.map((i) => i.shape),
        };
        // A channel in which feedsmith reads nothing is no feed to it.
        return items.length > 0 || worthKeeping(channel, shape, FEED_READ_WHOLE.rss) ? { format: 'rss', shape } : undefined;
      }
      case 'atom': {
        const shape = {
          title: atomText(first(root, `${this.atomPrefix}title`)),
          links: links(root, `${this.atomPrefix}link`),
          xml: xmlAttrs(root),
          entries: this.items.map((i) => i.shape),
        };
        return this.items.length > 0 || worthKeeping(root, shape, FEED_READ_WHOLE.atom) ? { format: 'atom', shape } : undefined;
      }
      case 'rdf': {
        const channel = first(root, 'channel');
        return {
          format: 'rdf',
          shape: {
            title: text(first(channel, 'title')),
            link: text(first(channel, 'link')),
            dc: channel ? { languages: texts(channel, 'dc:language') } : undefined,
            xml: xmlAttrs(root),
            items: this.rdfItems(channel).map((i) => i.shape),
          },
        };
      }
    }
  }

  /** RDF lists its items' URIs in order in the channel; items it does not list, or a channel without a list, fall back to document order. */
  private rdfItems(channel: El | undefined) {
    const seq = first(first(channel, 'items'), 'seq');
    const uris = all(seq, 'li')
      .map((li) => attr(li, 'resource'))
      .filter((u): u is string => u !== undefined);
    // The first item of each URI, looked up once: a search per listed URI would be quadratic in a large feed.
    const byAbout = new Map<string, (typeof this.items)[number]>();
    for (const item of this.items) if (item.about !== undefined && !byAbout.has(item.about)) byAbout.set(item.about, item);
    const listed = uris.map((uri) => byAbout.get(uri)).filter((i) => i !== undefined);
    return listed.length > 0 ? listed : this.items;
  }
}

function formatOf(rootName: string): XmlFeedFormat | undefined {
  const local = rootName.slice(rootName.indexOf(':') + 1);
  if (local === 'rss') return 'rss';
  if (local === 'feed') return 'atom';
  if (local === 'rdf') return 'rdf';
  return undefined;
}
// ── feedsmith's shapes, the fields extract.ts reads ──────────────────────────────────────────────────────────────

function xmlAttrs(el: El) {
  return { lang: attr(el, 'xml:lang'), base: attr(el, 'xml:base') };
}

function links(el: El, name: string) {
  return nonEmpty(
    all(el, name)
      .filter((l) => l.attrs !== undefined)
      .map((l) => ({ href: attr(l, 'href') ?? text(l), rel: attr(l, 'rel'), type: attr(l, 'type') })),
  );
}

/** An Atom text construct: type text, html or xhtml; xhtml keeps its markup. */
function atomText(el: El | undefined): { value: string; type?: string } | undefined {
  if (!el) return undefined;
  if (!el.attrs) {
    const value = text(el);
    return value ? { value } : undefined;
  }
  const type = attr(el, 'type');
  const value = typedText(el, type);
  return value ? { value, ...(type !== undefined ? { type } : {}) } : undefined;
}

function typedText(el: El, type: string | undefined): string | undefined {
  if (!isXhtmlType(type)) return text(el);
  const unwrapped = el.unwrapped;
  if (!unwrapped) return text(el);
  return xhtmlText(el.inner, unwrapped);
}

/** Media RSS, as feedsmith reads it: on the entry, in its media:group elements and in their media:content. */
function media(el: El) {
  if (!hasPrefix(el, 'media')) return undefined;
  return {
    groups: nonEmpty(
      all(el, 'media:group')
        .filter(isObject)
        .map((g) => ({ contents: mediaContents(g), ...mediaCommon(g) })),
    ),
    contents: mediaContents(el),
    ...mediaCommon(el),
  };
}

function mediaContents(el: El) {
  return nonEmpty(
    all(el, 'media:content')
      .filter(isObject)
      .map((c) => ({ url: attr(c, 'url'), type: attr(c, 'type'), medium: attr(c, 'medium'), ...mediaCommon(c) })),
  );
}

function mediaCommon(el: El) {
  return {
    title: mediaText(first(el, 'media:title')),
    description: mediaText(first(el, 'media:description')),
    thumbnails: nonEmpty(
      all(el, 'media:thumbnail')
        .filter(isObject)
        .map((t) => ({ url: attr(t, 'url') })),
    ),
  };
}

function mediaText(el: El | undefined) {
  if (!el) return undefined;
  const value = text(el);
  const type = attr(el, 'type');
  return value !== undefined || type !== undefined ? { value, type } : undefined;
}

function dc(el: El) {
  if (!hasPrefix(el, 'dc')) return undefined;
  return {
    titles: texts(el, 'dc:title'),
    descriptions: texts(el, 'dc:description'),
    dates: texts(el, 'dc:date'),
    subjects: texts(el, 'dc:subject'),
    languages: texts(el, 'dc:language'),
  };
}

function rssItem(el: El) {
  const guid = first(el, 'guid');
  const permalink = guid?.attrs?.['ispermalink'];
  return {
    title: text(first(el, 'title')),
    link: text(first(el, 'link')),
    description: text(first(el, 'description')),
    guid: guid ? { value: text(guid), isPermaLink: permalink === undefined ? undefined : booleanOf(permalink) } : undefined,
    pubDate: text(first(el, 'pubdate')),
    categories: all(el, 'category').map((c) => ({ name: text(c) })),
    enclosures: all(el, 'enclosure')
      .filter((e) => e.attrs !== undefined)
      .map((e) => ({ url: attr(e, 'url'), type: attr(e, 'type') })),
    atom: hasPrefix(el, 'atom')
      ? {
          links: links(el, 'atom:link'),
          published: text(first(el, 'atom:published')) || text(first(el, 'atom:issued')) || text(first(el, 'atom:created')),
          updated: text(first(el, 'atom:updated')) || text(first(el, 'atom:modified')),
        }
      : undefined,
    dc: dc(el),
    itunes: hasPrefix(el, 'itunes') ? { summary: text(first(el, 'itunes:summary')), subtitle: text(first(el, 'itunes:subtitle')) } : undefined,
    content: hasPrefix(el, 'content') ? { encoded: text(first(el, 'content:encoded')) } : undefined,
    media: media(el),
    xml: xmlAttrs(el),
  };
}

function atomEntry(el: El, prefix: string) {
  const get = (name: string) => first(el, prefix + name);
  const content = get('content');
  return {
    id: text(get('id')),
    links: links(el, `${prefix}link`),
    title: atomText(get('title')),
    summary: atomText(get('summary')),
    content: content ? { ...atomText(content), src: attr(content, 'src') } : undefined,
    published: text(get('published')) || text(get('issued')) || text(get('created')),
    updated: text(get('updated')) || text(get('modified')),
    categories: all(el, `${prefix}category`)
      .filter((c) => c.attrs !== undefined)
      .map((c) => ({ term: attr(c, 'term') })),
    itunes: { summary: text(first(el, 'itunes:summary')) },
    dc: dc(el),
    media: media(el),
    xml: xmlAttrs(el),
  };
}

function rdfItem(el: El) {
  return {
    title: text(first(el, 'title')),
    link: text(first(el, 'link')),
    description: text(first(el, 'description')),
    rdf: { about: attr(el, 'about') ?? attr(el, 'rdf:about') },
    dc: dc(el),
    dcterms: { modified: texts(el, 'dcterms:modified') },
    content: { encoded: text(first(el, 'content:encoded')) },
    media: media(el),
    xml: xmlAttrs(el),
  };
}

/** feedsmith's boolean attribute: true or false (any case, padded with white space), else nothing. */
function booleanOf(raw: string): boolean | undefined {
  if (raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\p{White_Space}*true\p{White_Space}*$/iu.test(raw)) return true;
  if (/^\p{White_Space}*false\p{White_Space}*$/iu.test(raw)) return false;
  return undefined;
}

/**
 * feedsmith drops an entry in which it reads nothing at all. Its fields are many more than ours, so an entry is kept
 * when one of ours is there, or when it has an element of the format or of a namespace feedsmith knows with some
 * text or attribute value in it (feedsmith ignores some of those too: an approximation).
 */
function worthKeeping(el: El, shape: object, readWhole: ReadonlySet<string>): boolean {
  if (hasValue(shape)) return true;
  if (el.attrs && Object.keys(el.attrs).some((a) => a.startsWith('xml:') && leafText(el.attrs![a]) !== undefined)) return true;
  return (el.kids ?? []).some((k) => {
    if (readWhole.has(k.name)) return false;
    const colon = k.name.indexOf(':');
    return (colon === -1 || KNOWN_PREFIXES.has(k.name.slice(0, colon))) && holdsSomething(k);
  });
}

/** Elements of which feedsmith reads only what the shapes here read: hasValue(shape) has looked at them already. */
const DC_READ = ['dc:title', 'dc:description', 'dc:date', 'dc:subject', 'dc:language'];
const ATOM_DATES = ['published', 'issued', 'created', 'updated', 'modified'];
const READ_WHOLE: Record<XmlFeedFormat, ReadonlySet<string>> = {
  rss: new Set([
    ...['title', 'link', 'description', 'guid', 'pubdate', 'itunes:summary', 'itunes:subtitle', 'content:encoded'],
    ...DC_READ,
    ...ATOM_DATES.map((d) => `atom:${d}`),
  ]),
  atom: new Set([...['id', 'title', 'summary', ...ATOM_DATES].flatMap((n) => [n, `atom:${n}`]), 'itunes:summary', ...DC_READ]),
  rdf: new Set(['title', 'link', 'description', 'content:encoded', 'dcterms:modified', ...DC_READ]),
};
/** The same for a feed's own fields (RSS channel, Atom feed). */
const FEED_READ_WHOLE: Record<XmlFeedFormat, ReadonlySet<string>> = {
  rss: new Set(['title', 'link', 'language', 'dc:language']),
  atom: new Set(['title', 'atom:title']),
  rdf: new Set(),
};

function holdsSomething(el: El): boolean {
  if (leafText(el.inner) !== undefined) return true;
  if (el.attrs && Object.values(el.attrs).some((v) => leafText(v) !== undefined)) return true;
  return (el.kids ?? []).some(holdsSomething);
}

function hasValue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'object') return true;
  if (Array.isArray(v)) return v.some(hasValue);
  return Object.values(v).some(hasValue);
}
