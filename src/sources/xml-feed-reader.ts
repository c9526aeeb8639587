import { decodeHTML } from 'entities';
import { Parser } from 'htmlparser2';
import { readEntry, readFeed, type RawEntry, type RawFeed } from './extract.js';

/**
 * Reading an RSS 2.0, Atom or RDF (RSS 1.0) document in one streaming pass, for speed: feedsmith builds an object
 * of the whole document with fast-xml-parser and then reads every field of every namespace it knows, of which
 * extract.ts uses a handful. This reader walks htmlparser2's SAX events once, keeps only those fields, and hands
 * extract.ts the same values feedsmith would, so readFeed/readEntry give the same RawFeed and RawEntry.
 *
 * "The same values" means feedsmith's reading rules, which are not XML's:
 * - An element's name is lower-cased; its prefix is replaced by the namespace's usual prefix when the document binds
 *   it to a namespace URI we know (`xmlns:foo="http://purl.org/dc/elements/1.1/"` makes `foo:date` `dc:date`), and
 *   kept as written otherwise (an undeclared `media:` is still media). Atom's own namespace (in Atom) and RDF's and
 *   RSS 1.0's (in RDF) are dropped. The bindings are those in the first 64 KiB of text from the root element on, then
 *   each element's own, the first binding of a prefix winning.
 * - Leaf fields are read from their raw markup: comments removed (even inside CDATA), CDATA sections kept literally,
 *   everything else HTML-entity-decoded (`&nbsp;` too, and only when a ";" follows the "&"), then trimmed; attribute
 *   values the same way. Line ends are LF.
 * - Atom xhtml text keeps its markup: one wrapping `<div>` is removed, with its prefix on the tags inside.
 * - The first element of a kind counts for single fields (even when empty), every non-empty one for lists; an
 *   entry, channel or Atom feed with nothing feedsmith would read is dropped (feedsmith reads more fields than we
 *   do, so that is judged from ours plus any element with content under a name feedsmith knows).
 * Known gaps, none met in the fixtures: namespaces outside the ones we read (slash, podcast…) are not mapped, so a
 * prefix bound to one of those is read as written where feedsmith would rename it; a binding on an element applies
 * to its own name here, to its children only in feedsmith, when the 64 KiB scan did not see it. The reader does not
 * validate: run the document's structure check first, as for feedsmith (htmlparser2 reads past what is malformed).
 */

export type XmlFeedFormat = 'rss' | 'atom' | 'rdf';

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
  const parser: Parser = new Parser(reader.handler((): Parser => parser), { xmlMode: true, decodeEntities: false });
  parser.end(xml);
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

// ── feedsmith's text rules ───────────────────────────────────────────────────────────────────────────────────────

/** A leaf's raw markup as feedsmith reads it: comments out, CDATA literal, entities decoded elsewhere, trimmed. */
export function leafText(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const text = withoutComments(raw);
  let out = '';
  let from = 0;
  for (;;) {
    const open = text.indexOf('<![CDATA[', from);
    if (open === -1) break;
    const close = text.indexOf(']]>', open + 9);
    // An unterminated section: the whole text is decoded as if there were none.
    if (close === -1) return decoded(text).trim() || undefined;
    out += decoded(text.slice(from, open)) + text.slice(open + 9, close);
    from = close + 3;
  }
  return (out + decoded(text.slice(from))).trim() || undefined;
}

function decoded(text: string): string {
  const amp = text.indexOf('&');
  return amp !== -1 && text.indexOf(';', amp) !== -1 ? decodeHTML(text) : text;
}

/** Comments removed; an unterminated one leaves the text as it was. */
function withoutComments(text: string): string {
  let open = text.indexOf('<!--');
  if (open === -1) return text;
  let out = '';
  let from = 0;
  while (open !== -1) {
    const close = text.indexOf('-->', open + 4);
    if (close === -1) return text;
    out += text.slice(from, open);
    from = close + 3;
    open = text.indexOf('<!--', from);
  }
  return out + text.slice(from);
}

const verbatim = (text: string | undefined): string | undefined => (text ? text.trim() || undefined : undefined);

/** CDATA sections of xhtml written out as escaped text, so that the markup around them can be kept verbatim. */
const escapeCdata = (text: string): string =>
  text.includes('<![CDATA[') ? text.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, c: string) => c.replace(/&/g, '&amp;').replace(/</g, '&lt;')) : text;

const XHTML_DIV_START = /^\s*<(?:([a-zA-Z][\w.-]*):)?div[\s/>]/;

// ── namespaces ───────────────────────────────────────────────────────────────────────────────────────────────────

const variants = (...uris: string[]): string[] =>
  uris.flatMap((u) => {
    const bare = u.replace(/^https?:\/\//, '').replace(/\/$/, '');
    return ['http://', 'https://'].flatMap((s) => [`${s}${bare}`, `${s}${bare}/`]);
  });

/** Namespace URIs (lower-cased) of the namespaces whose elements we read, and their usual prefixes. */
const NAMESPACES = new Map<string, string>([
  ...variants('www.w3.org/2005/Atom').map((u) => [u, 'atom'] as const),
  ...['http://purl.org/atom/ns#', 'https://purl.org/atom/ns#'].map((u) => [u, 'atom'] as const),
  ...variants('purl.org/dc/elements/1.1', 'dublincore.org/documents/dcmi-namespace', 'purl.org/dc/elements/1.0').map((u) => [u, 'dc'] as const),
  ...variants('purl.org/dc/terms', 'dublincore.org/documents/dcmi-terms', 'dublincore.org/specifications/dublin-core/dcmi-terms').map(
    (u) => [u, 'dcterms'] as const,
  ),
  ...variants('purl.org/rss/1.0/modules/content').map((u) => [u, 'content'] as const),
  ...['http://www.itunes.com/dtds/podcast-1.0.dtd', 'https://www.itunes.com/dtds/podcast-1.0.dtd'].map((u) => [u, 'itunes'] as const),
  ...variants(
    'search.yahoo.com/mrss',
    'video.search.yahoo.com/mrss',
    'www.rssboard.org/media-rss',
    'search.yahoo.com/searchmonkey/media',
    'tools.search.yahoo.com/mrss',
  ).map((u) => [u, 'media'] as const),
  ...['http://www.w3.org/1999/02/22-rdf-syntax-ns#', 'https://www.w3.org/1999/02/22-rdf-syntax-ns#'].map((u) => [u, 'rdf'] as const),
  ...variants('purl.org/rss/1.0').map((u) => [u, 'rss'] as const),
].map(([u, p]) => [u.toLowerCase(), p]));

/** Namespaces whose prefix a format drops: its own. */
const OWN_NAMESPACES: Record<XmlFeedFormat, readonly string[]> = { rss: [], atom: ['atom'], rdf: ['rdf', 'rss'] };

/** The usual prefixes of every namespace feedsmith reads: an element under one of them may make an entry worth keeping. */
const KNOWN_PREFIXES = new Set(
  'admin atom blogchannel app dc sy content creativecommons slash itunes podcast psc media georss geo thr dcterms wfw source feedpress yt googleplay spotify rdf rss rawvoice cc opensearch arxiv pingback trackback prism acast'.split(
    ' ',
  ),
);

/** The first 64 KiB from the root element are searched for xmlns: bindings before any element is read. */
const SEED_SCAN = 65536;

class Prefixes {
  private readonly map = new Map<string, string>();
  private readonly seeded = new Set<string>();
  private readonly own: ReadonlySet<string>;
  private readonly names = new Map<string, string>();

  constructor(format: XmlFeedFormat, original: string) {
    this.own = new Set(OWN_NAMESPACES[format]);
    const head = original.length > SEED_SCAN ? original.slice(0, SEED_SCAN) : original;
    const binding = /([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
    let at = head.indexOf('xmlns:', rootIndex(head));
    while (at !== -1) {
      binding.lastIndex = at + 6;
      const m = binding.exec(head);
      if (m) {
        const prefix = m[1]!.toLowerCase();
        this.bind(prefix, m[2] ?? m[3]!);
        this.seeded.add(prefix);
      }
      at = head.indexOf('xmlns:', m ? binding.lastIndex : at + 6);
    }
  }

  /** An xmlns:prefix attribute met on an element: the first one read replaces what the head scan found. */
  declare(prefix: string, uri: string): void {
    if (this.seeded.delete(prefix)) this.map.delete(prefix);
    this.bind(prefix, uri);
  }

  private bind(prefix: string, uri: string): void {
    if (this.map.has(prefix)) return;
    const ns = NAMESPACES.get(uri.trim().toLowerCase());
    if (ns === undefined) return;
    this.map.set(prefix, this.own.has(ns) ? '' : ns);
    this.names.clear();
  }

  name(raw: string): string {
    let name = this.names.get(raw);
    if (name !== undefined) return name;
    name = raw.toLowerCase();
    const colon = name.indexOf(':');
    if (colon > 0) {
      const prefix = name.slice(0, colon);
      const ns = prefix === 'xml' || prefix === 'xmlns' ? undefined : this.map.get(prefix);
      if (ns !== undefined) name = ns ? `${ns}${name.slice(colon)}` : name.slice(colon + 1);
    }
    this.names.set(raw, name);
    return name;
  }
}

/** Where the root element starts: after the declaration, processing instructions, comments and DOCTYPE. */
function rootIndex(text: string): number {
  let at = text.indexOf('<');
  while (at !== -1) {
    const next = text.charCodeAt(at + 1);
    if (next !== 0x3f && next !== 0x21) return at;
    const end = text.startsWith('<!--', at) ? text.indexOf('-->', at) : text.indexOf('>', at);
    if (end === -1) return -1;
    at = text.indexOf('<', end);
  }
  return -1;
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
  unwrapped?: { value: string | undefined; prefix: string | undefined };
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

/** Top-level content of an xhtml text construct, to tell whether it is one div and nothing else. */
interface XhtmlWatch {
  divs: Array<{ raw: string; innerStart: number; innerEnd: number }>;
  other: boolean;
  open?: { raw: string; innerStart: number };
}

class FeedReader {
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

  handler(parser: () => Parser) {
    return {
      onattribute: (name: string, value: string, quote?: string | null) => {
        // An attribute without a quoted value is not read by feedsmith's parser.
        if (this.insideLeaf === 0 && quote) this.attrs.push([name, value]);
      },
      onopentag: (name: string) => this.open(name, parser().endIndex),
      onclosetag: (_name: string, implied: boolean) => this.close(implied ? -1 : parser().startIndex),
      ontext: (data: string) => {
        if (this.xhtml && this.insideLeaf === 1 && data.trim()) this.xhtml.other = true;
      },
      oncomment: () => {
        if (this.xhtml && this.insideLeaf === 1) this.xhtml.other = true;
      },
      onprocessinginstruction: () => {
        if (this.xhtml && this.insideLeaf === 1) this.xhtml.other = true;
      },
    };
  }

  private open(rawName: string, tagEnd: number): void {
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
        const ns = NAMESPACES.get(value.trim().toLowerCase());
        if (ns !== undefined && !OWN_NAMESPACES[this.format!].includes(ns)) {
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

  private close(closeStart: number): void {
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
    const listed = uris.map((uri) => this.items.find((i) => i.about === uri)).filter((i) => i !== undefined);
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

const isXhtmlType = (type: string | undefined): boolean => type === 'xhtml' || type === 'application/xhtml+xml';

function unwrapDiv(xml: string, inner: string, watch: XhtmlWatch): El['unwrapped'] {
  const escaped = escapeCdata(inner);
  const match = XHTML_DIV_START.exec(escaped);
  if (!match) return undefined;
  const div = watch.divs[0];
  const localName = (raw: string) => raw.slice(raw.indexOf(':') + 1);
  if (watch.other || watch.divs.length !== 1 || !div || localName(div.raw) !== 'div') return { value: undefined, prefix: undefined };
  return { value: escapeCdata(xml.slice(div.innerStart, div.innerEnd)), prefix: match[1] };
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
  if (unwrapped.value === undefined) return verbatim(escapeCdata(el.inner ?? ''));
  let inner = unwrapped.value;
  if (inner === '') return undefined;
  if (unwrapped.prefix) inner = inner.replace(new RegExp(`(</?)${unwrapped.prefix.replace(/\./g, '\\.')}:`, 'g'), '$1');
  return verbatim(inner);
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
