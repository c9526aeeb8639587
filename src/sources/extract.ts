import type { AtomFeed, JsonFeed, MediaNs, RdfFeed, RssFeed } from 'feedsmith';

/**
 * Reading feedsmith's format-specific shapes into one neutral shape. No cleaning happens here: values are as the
 * feed gave them (XML already unescaped once by the parser), each text tagged with how it must be read.
 */
export type FeedFormat = 'rss' | 'atom' | 'rdf' | 'json';

export interface RawText {
  value: string;
  /** html: markup and entities to decode; text: literal plain text. */
  kind: 'html' | 'text';
  /** For body fields: the feed's name for the field (`description`, `content:encoded`, `itunes:summary`…). */
  field?: string;
}

export interface RawImage {
  url: string;
  alt?: string;
  mimeType?: string;
}

export interface RawEntry {
  id?: string;
  /** The entry's own link(s), best first. */
  links: string[];
  /** xml:base declared on the entry (may be relative). */
  base?: string;
  title?: RawText;
  /**
   * Summary-like fields, best first: RSS description, Atom summary, JSON summary, then itunes:summary,
   * itunes:subtitle and media:description (YouTube's only text). Cleaning chooses among them (src/clean).
   */
  excerpts: RawText[];
  /** Full-content fields (content:encoded, Atom content, JSON content_text/html), best first. */
  contents: RawText[];
  /** Date candidates, best first, raw strings. */
  dates: string[];
  tags: string[];
  images: RawImage[];
  language?: string;
}

export interface RawFeed {
  format: FeedFormat;
  title?: RawText;
  language?: string;
  /** xml:base declared on the feed element (may be relative). */
  base?: string;
  /** The site's home page as the feed names it (RSS channel link, Atom alternate link, JSON home_page_url). */
  siteLink?: string;
  /** The feed's own URL, when it says (JSON Feed feed_url, an Atom or RSS atom:link rel="self"). */
  feedUrl?: string;
  entries: unknown[];
}

type Rss = RssFeed.Feed<string>;
type RssItem = RssFeed.Item<string>;
type Atom = AtomFeed.Feed<string>;
type AtomEntry = AtomFeed.Entry<string>;
type Rdf = RdfFeed.Feed<string>;
type RdfItem = RdfFeed.Item<string>;
type Json = JsonFeed.Feed<string>;
type JsonItem = JsonFeed.Item<string>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
const html = (v: unknown): RawText | undefined => (str(v) ? { value: v as string, kind: 'html' } : undefined);
/** A named body field; `kind` html or text as the format says, or, where it does not (iTunes), by whether it holds tags. */
const field = (name: string, v: unknown, kind: 'html' | 'text' | 'sniff'): RawText | undefined => {
  if (!str(v)) return undefined;
  const value = v as string;
  const k = kind === 'sniff' ? (/<\/?[a-z][^<>]*>/i.test(value) ? 'html' : 'text') : kind;
  return { value, kind: k, field: name };
};
const defined = <T>(xs: ReadonlyArray<T | undefined>): T[] => xs.filter((x): x is T => x !== undefined);
const arr = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : []);

export function readFeed(format: FeedFormat, feed: unknown): RawFeed {
  switch (format) {
    case 'rss': {
      const f = feed as Rss;
      return {
        format,
        title: html(f.title),
        language: str(f.language) ?? str(arr(f.dc?.languages)[0]) ?? str(f.xml?.lang),
        base: str(f.xml?.base),
        siteLink: str(f.link),
        feedUrl: selfLink(arr((f as { atom?: { links?: unknown[] } }).atom?.links)),
        entries: arr(f.items),
      };
    }
    case 'atom': {
      const f = feed as Atom;
      return {
        format,
        title: atomText(f.title),
        language: str(f.xml?.lang),
        base: str(f.xml?.base),
        siteLink: alternateLinks(arr(f.links))[0],
        feedUrl: selfLink(arr(f.links)),
        entries: arr(f.entries),
      };
    }
    case 'rdf': {
      const f = feed as Rdf;
      return {
        format,
        title: html(f.title),
        language: str(arr(f.dc?.languages)[0]) ?? str(f.xml?.lang),
        base: str(f.xml?.base),
        siteLink: str(f.link),
        entries: arr(f.items),
      };
    }
    case 'json': {
      const f = feed as Json;
      return {
        format,
        title: html(f.title),
        language: str(f.language),
        siteLink: str(f.home_page_url),
        feedUrl: str(f.feed_url),
        entries: arr(f.items),
      };
    }
  }
}

export function readEntry(format: FeedFormat, entry: unknown): RawEntry {
  if (entry === null || typeof entry !== 'object') throw new Error('the entry is not an object');
  switch (format) {
    case 'rss':
      return readRssItem(entry as RssItem);
    case 'atom':
      return readAtomEntry(entry as AtomEntry);
    case 'rdf':
      return readRdfItem(entry as RdfItem);
    case 'json':
      return readJsonItem(entry as JsonItem);
  }
}

function readRssItem(i: RssItem): RawEntry {
  // RSS: a guid is a permalink unless isPermaLink="false", so it may stand in for a missing <link>.
  const guid = str(i.guid?.value)?.trim();
  const guidLink = guid && i.guid?.isPermaLink !== false && /^https?:\/\//i.test(guid) ? guid : undefined;
  return {
    id: guid,
    links: defined([str(i.link), guidLink, ...alternateLinks(arr(i.atom?.links))]),
    base: str(i.xml?.base),
    title: html(i.title) ?? html(arr(i.dc?.titles)[0]),
    excerpts: defined([
      field('description', i.description, 'html'),
      field('dc:description', arr(i.dc?.descriptions)[0], 'html'),
      field('itunes:summary', i.itunes?.summary, 'sniff'),
      field('itunes:subtitle', i.itunes?.subtitle, 'sniff'),
      mediaDescription(i.media),
    ]),
    contents: defined([field('content:encoded', i.content?.encoded, 'html')]),
    dates: defined([str(i.pubDate), str(arr(i.dc?.dates)[0]), str(i.atom?.published), str(i.atom?.updated)]),
    tags: defined([...arr(i.categories).map((c) => str(c?.name)), ...arr(i.dc?.subjects).map(str)]),
    images: [
      ...arr(i.enclosures)
        .filter((e) => isImageType(e?.type))
        .map((e) => ({ url: e.url ?? '', mimeType: str(e.type) })),
      ...mediaImages(i.media),
    ],
    language: str(i.xml?.lang) ?? str(arr(i.dc?.languages)[0]),
  };
}

function readAtomEntry(e: AtomEntry): RawEntry {
  const links = arr(e.links);
  return {
    id: str(e.id)?.trim(),
    links: alternateLinks(links),
    base: str(e.xml?.base),
    title: atomText(e.title),
    excerpts: defined([named('summary', atomText(e.summary)), field('itunes:summary', e.itunes?.summary, 'sniff'), mediaDescription(e.media)]),
    contents: defined([e.content?.src ? undefined : named('content', atomText(e.content))]),
    dates: defined([str(e.published), str(e.updated), str(arr(e.dc?.dates)[0])]),
    tags: defined(arr(e.categories).map((c) => str(c?.term))),
    images: [
      ...links
        .filter((l) => l?.rel === 'enclosure' && isImageType(l.type))
        .map((l) => ({ url: l.href ?? '', mimeType: str(l.type) })),
      ...mediaImages(e.media),
    ],
    language: str(e.xml?.lang),
  };
}

function readRdfItem(i: RdfItem): RawEntry {
  return {
    // rdf:about is normally the item's URL: the canonical URL is the better id, so it is only a fallback link.
    links: defined([str(i.link), str(i.rdf?.about)]),
    base: str(i.xml?.base),
    title: html(i.title) ?? html(arr(i.dc?.titles)[0]),
    excerpts: defined([field('description', i.description, 'html'), field('dc:description', arr(i.dc?.descriptions)[0], 'html'), mediaDescription(i.media)]),
    contents: defined([field('content:encoded', i.content?.encoded, 'html')]),
    dates: defined([str(arr(i.dc?.dates)[0]), str(arr(i.dcterms?.modified)[0])]),
    tags: defined(arr(i.dc?.subjects).map(str)),
    images: mediaImages(i.media),
    language: str(i.xml?.lang) ?? str(arr(i.dc?.languages)[0]),
  };
}

function readJsonItem(i: JsonItem): RawEntry {
  return {
    id: str(i.id)?.trim(),
    links: defined([str(i.url), str(i.external_url)]),
    title: html(i.title),
    excerpts: defined([field('summary', i.summary, 'text')]),
    contents: defined([field('content_text', i.content_text, 'text'), field('content_html', i.content_html, 'html')]),
    dates: defined([str(i.date_published), str(i.date_modified)]),
    tags: defined(arr(i.tags).map(str)),
    images: [
      ...defined([str(i.image), str(i.banner_image)]).map((url) => ({ url })),
      ...arr(i.attachments)
        .filter((a) => isImageType(a?.mime_type))
        .map((a) => ({ url: a.url ?? '', alt: str(a.title), mimeType: str(a.mime_type) })),
    ],
    language: str(i.language),
  };
}

function named(name: string, t: RawText | undefined): RawText | undefined {
  return t ? { ...t, field: name } : undefined;
}

/** media:description on the item or in its media:group (YouTube puts the video's text there): type html or plain. */
function mediaDescription(media: MediaContainer): RawText | undefined {
  const d = media?.description ?? arr(media?.groups).find((g) => str(g?.description?.value))?.description;
  if (!d || !str(d.value)) return undefined;
  return { value: d.value as string, kind: d.type === 'html' ? 'html' : 'text', field: 'media:description' };
}

/** Atom text construct: type text (default) is literal; html and xhtml are markup. */
function atomText(t: { value?: string; type?: string } | undefined): RawText | undefined {
  if (!t || !str(t.value)) return undefined;
  const type = (t.type ?? 'text').toLowerCase();
  if (type === 'html' || type === 'xhtml' || type.includes('html')) return { value: t.value as string, kind: 'html' };
  if (type === 'text' || type.startsWith('text/')) return { value: t.value as string, kind: 'text' };
  return undefined; // other media types (base64 payloads) are not text
}

function alternateLinks(links: ReadonlyArray<{ href?: string; rel?: string; type?: string } | undefined>): string[] {
  const alternates = links.filter((l) => l && str(l.href) && (l.rel === undefined || l.rel === 'alternate'));
  // Prefer an HTML page over other alternates (e.g. a JSON or audio representation).
  alternates.sort((a, b) => Number(!isHtmlType(a?.type)) - Number(!isHtmlType(b?.type)));
  return alternates.map((l) => l?.href as string);
}

function selfLink(links: readonly unknown[]): string | undefined {
  for (const l of links) {
    const link = l as { href?: unknown; rel?: unknown } | undefined;
    if (link?.rel === 'self' && str(link.href)) return link.href as string;
  }
  return undefined;
}

function isHtmlType(type: string | undefined): boolean {
  return type === undefined || /html/i.test(type);
}

export function isImageType(type: unknown): boolean {
  return typeof type === 'string' && /^image\//i.test(type.trim());
}

type MediaContainer = MediaNs.ItemOrFeed | undefined;

/** Media RSS: media:content with an image medium or type, then media:thumbnail, also inside media:group. */
function mediaImages(media: MediaContainer): RawImage[] {
  if (!media) return [];
  const out: RawImage[] = [];
  const fallbackAlt = str(media.description?.value) ?? str(media.title?.value);
  const contents = [...arr(media.contents), ...arr(media.groups).flatMap((g) => arr(g?.contents))];
  for (const c of contents) {
    if (!c || !str(c.url)) continue;
    const isImage = c.medium === 'image' || isImageType(c.type);
    if (isImage) {
      out.push({
        url: c.url as string,
        alt: str(c.description?.value) ?? str(c.title?.value) ?? fallbackAlt,
        mimeType: isImageType(c.type) ? c.type : undefined,
      });
    }
    for (const t of arr(c.thumbnails)) if (str(t?.url)) out.push({ url: t.url as string });
  }
  for (const t of [...arr(media.thumbnails), ...arr(media.groups).flatMap((g) => arr(g?.thumbnails))]) {
    if (str(t?.url)) out.push({ url: t.url as string, alt: fallbackAlt });
  }
  return out;
}
