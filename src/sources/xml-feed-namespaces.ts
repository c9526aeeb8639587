/**
 * Element names as feedsmith reads them, which are not XML's: xml-feed-reader.ts looks fields up by these names, so
 * they must be what feedsmith's would be for the same document.
 * - A name is lower-cased; its prefix is replaced by the namespace's usual prefix when the document binds it to a
 *   namespace URI we know (`xmlns:foo="http://purl.org/dc/elements/1.1/"` makes `foo:date` `dc:date`), and kept as
 *   written otherwise (an undeclared `media:` is still media). Atom's own namespace (in Atom) and RDF's and RSS 1.0's
 *   (in RDF) are dropped.
 * - The bindings are those in the first 64 KiB of text from the root element on, then each element's own, the first
 *   binding of a prefix winning.
 * Known gaps, none met in the fixtures: namespaces outside the ones we read (slash, podcast…) are not mapped, so a
 * prefix bound to one of those is read as written where feedsmith would rename it; a binding on an element applies
 * to its own name here, to its children only in feedsmith, when the 64 KiB scan did not see it.
 */

/** The three XML feed formats; each has namespaces of its own whose prefix it drops. */
export type XmlFeedFormat = 'rss' | 'atom' | 'rdf';

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
export const KNOWN_PREFIXES = new Set(
  'admin atom blogchannel app dc sy content creativecommons slash itunes podcast psc media georss geo thr dcterms wfw source feedpress yt googleplay spotify rdf rss rawvoice cc opensearch arxiv pingback trackback prism acast'.split(
    ' ',
  ),
);

/** The first 64 KiB from the root element are searched for xmlns: bindings before any element is read. */
const SEED_SCAN = 65536;

/** A document's prefix bindings and the names they give; names are cached, as a feed repeats a few dozen of them. */
export class Prefixes {
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

/** Whether `uri` is a namespace we know that is not one of `format`'s own (whose prefix it drops). */
export function isForeignNamespace(format: XmlFeedFormat, uri: string): boolean {
  const ns = NAMESPACES.get(uri.trim().toLowerCase());
  return ns !== undefined && !OWN_NAMESPACES[format].includes(ns);
}
