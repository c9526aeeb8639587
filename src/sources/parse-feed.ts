import { XMLValidator } from 'fast-xml-parser';
import { DetectError, detectJsonFeed, parseFeed as feedsmithParse } from 'feedsmith';
import { ZodError } from 'zod';
import { clipForMessage, describeError, permanent } from '../core/errors.js';
import { withFields, type Item } from '../core/item.js';
import { articleKey, sharedLinkKey } from './article-key.js';
import { canonicalUrl, resolveBase } from './canonical-url.js';
import { toIsoDate } from './dates.js';
import { readEntry, readFeed, type FeedFormat, type RawEntry, type RawText } from './extract.js';
import { advertisedFeeds } from './html-feed-link.js';
import { jsonErrorOffset } from './json-error-offset.js';
import { feedWhere } from './location.js';
import { language, normaliseEntry } from './normalise.js';
import { HtmlTooDeepError, titleToPlain } from './plain-text.js';
import { readXmlFeedShape } from './xml-feed-reader.js';
import { elementStructure, hasNoContent, openElementsAtEnd, prepareXml, type PreparedXml } from './xml-prep.js';

/**
 * How deep an XML feed may nest elements. A feed needs five or six levels; Atom xhtml content adds its markup's.
 * fast-xml-parser (inside feedsmith) stops at 100 nested tags (its maxNestedTags) with a bare "Maximum nested
 * tags exceeded", but not inside the elements feedsmith keeps as raw text (Atom content), whose markup is later
 * walked recursively by html-to-text. One linear scan of the whole document, before either runs, gives one error
 * that says what is wrong.
 */
export const MAX_XML_DEPTH = 100;

/**
 * Which release of reading a feed's items the kept fetch state (src/app/poll-source.ts) was made by. Raise it with
 * any change that finds items, or fields of them, the last release did not: a feed answered as unchanged from its
 * validators or body hash is then read whole once, by the new reader.
 */
export const FEED_READER_VERSION = 1;

export interface ItemProblem {
  /** Names the feed and, for an item, which one: `feed tests/x.xml, item 3 ("Title")`. */
  where: string;
  message: string;
}

export interface ParsedFeed {
  format: FeedFormat;
  title?: string;
  language?: string;
  /** In feed order. */
  items: Item[];
  problems: ItemProblem[];
}

export interface ParseContext {
  sourceId: string;
  /** Where the feed came from, as configured (URL or path): used to name it in errors and problems. */
  location: string;
  /** The URL the body was finally fetched from; relative links resolve against it (Atom) or the site link. */
  baseUrl?: string;
  /** Language for items that do not state their own, used instead of the feed's. */
  language?: string;
  /** Query parameters the operator added to the default tracking list (canonical-url.ts). */
  trackingParams?: ReadonlySet<string>;
  /** Most entries read (newestEntries); all when unset. */
  maxItems?: number;
  /**
   * Set to have each item's body cleaned only when its text is first read (normalise.ts): the problems cleaning
   * finds then come here, named like the others. Unset, every item is cleaned before parseFeed returns.
   */
  lateProblems?: (problem: ItemProblem) => void;
}

/**
 * Parse an RSS 2.0, Atom 1.0, RDF (RSS 1.0) or JSON Feed document and normalise its items.
 * Throws a permanent ThreadcastError when the document is not a feed at all; a bad item only adds a problem.
 */
export function parseFeed(body: string, ctx: ParseContext): ParsedFeed {
  const where = feedWhere(ctx.location);
  const problems: ItemProblem[] = [];
  const docUrl = httpUrl(ctx.baseUrl) ?? httpUrl(ctx.location);
  const { format, feed } = parseDocument(body, where, docUrl, problems);
  const raw = readFeed(format, feed);

  const siteBase = httpUrl(resolveBase(raw.siteLink, docUrl));
  const selfBase = httpUrl(resolveBase(raw.feedUrl, docUrl));
  // Relative links resolve against xml:base, then the feed's own alternate (site) link, then its self link, then the
  // URL it was fetched from. Atom puts the document's URL before the site (RFC 4287 §8.2 / RFC 3986); RSS, RDF and
  // JSON Feed have no such rule, and their relative links are meant against the site, often not the feed's host.
  // A feed read from a file has no URL of its own: its links then still resolve against what it says it is.
  const outerBase = format === 'atom' ? docUrl ?? siteBase ?? selfBase : siteBase ?? selfBase ?? docUrl;
  const feedBase = resolveBase(raw.base, outerBase);
  // Read once: Intl canonicalises a tag slowly, and the feed's own is returned too.
  const rawLanguage = language(raw.language);
  const feedLanguage = language(ctx.language) ?? rawLanguage;
  // Absolute already, so the same for every entry whatever its xml:base.
  const site = siteBase ? canonicalUrl(siteBase) : undefined;
  const siteUrl = site?.ok ? site.url : undefined;
  const lateProblems = ctx.lateProblems;

  const read: Array<{ n: number; label: () => string; item: Item; hasGuid: boolean; previousUrl?: string }> = [];
  const kept = newestEntries(format, raw.entries, ctx.maxItems);
  if (kept.entries.length < raw.entries.length) {
    problems.push({ where, message: `the feed has ${raw.entries.length} entries; only the ${kept.entries.length} newest were read (the source's maxItems)` });
  }
  kept.entries.forEach((rawEntry, index) => {
    const n = kept.first + index + 1;
    let entry: RawEntry | undefined;
    // Written only for a problem: the title is read for it a second time, which most items never need.
    let written: string | undefined;
    const label = () => {
      if (written !== undefined) return written;
      written = `${where}, item ${n}`;
      // The item's own problems say when its title cannot be read; the label then goes without it.
      const title = entry ? titleOrNothing(entry.title) : undefined;
      if (title) written += ` (${JSON.stringify(title.length > 60 ? `${title.slice(0, 57)}...` : title)})`;
      return written;
    };
    try {
      entry = readEntry(format, rawEntry);
      const result = normaliseEntry(entry, {
        sourceId: ctx.sourceId,
        baseUrl: resolveBase(entry.base, feedBase),
        feedLanguage,
        // So a closing "read it on our site" paragraph is recognised as boilerplate by the site's own link.
        siteUrl,
        trackingParams: ctx.trackingParams,
        lateProblem: lateProblems && ((message: string) => lateProblems({ where: label(), message })),
      });
      for (const message of result.problems) problems.push({ where: label(), message });
      if (result.ok) read.push({ n, label, item: result.item, hasGuid: result.hasGuid, ...(result.previousUrl ? { previousUrl: result.previousUrl } : {}) });
    } catch (err) {
      problems.push({ where: label(), message: `skipped: ${itemErrorMessage(err)}` });
    }
  });

  const items: Item[] = [];
  const seenIds = new Map<string, number>();
  for (const { n, label, item } of withSharedLinksApart(read, ctx.sourceId)) {
    const first = seenIds.get(item.id);
    if (first !== undefined) {
      problems.push({ where: label(), message: `same id as item ${first} (${JSON.stringify(item.id)}); skipped` });
      continue;
    }
    seenIds.set(item.id, n);
    items.push(item);
  }

  let title: string | undefined;
  try {
    title = titleOf(raw.title);
  } catch (err) {
    if (!(err instanceof HtmlTooDeepError)) throw err;
    problems.push({ where, message: `feed title ignored: its HTML nests elements more than ${err.limit} levels deep` });
  }
  return {
    format,
    title,
    language: rawLanguage,
    items,
    problems,
  };
}

/**
 * At most `max` of a feed's entries, the newest: the first ones, as feeds list newest first, unless the last entry is
 * dated later than the first (an archive listed oldest first), then the last ones. `first` is the index of the first
 * kept, so problems still name an entry by its place in the feed. Reading an entry costs tens of microseconds and
 * holds the process: a 5 MiB feed of bare entries holds 116,000 of them.
 */
function newestEntries(format: FeedFormat, entries: readonly unknown[], max: number | undefined): { entries: readonly unknown[]; first: number } {
  if (max === undefined || entries.length <= max) return { entries, first: 0 };
  const dateOf = (entry: unknown): number => {
    try {
      const iso = readEntry(format, entry).dates.map(toIsoDate).find((d) => d !== undefined);
      return iso === undefined ? Number.NaN : Date.parse(iso);
    } catch {
      return Number.NaN;
    }
  };
  const oldestFirst = dateOf(entries[entries.length - 1]) > dateOf(entries[0]);
  return oldestFirst ? { entries: entries.slice(-max), first: entries.length - max } : { entries: entries.slice(0, max), first: 0 };
}

/**
 * A link that several entries of a feed share (a podcast whose episodes all link to the show, a notices feed whose
 * items all point at its home page) says nothing about which article an entry is: entries with a GUID are keyed by
 * it, entries without one by title, date and text (their id too, so they are not taken for one item).
 *
 * An entry without a GUID can also have been seen under another id: its link as the previous release made it
 * canonical (which kept `ref` and read "&amp;" literally), or, for an entry whose link was shared on another day,
 * the other of its two forms. Those go in `otherIds`, which the seen marks read too (src/outbox/seen-marks.ts).
 */
function withSharedLinksApart<T extends { item: Item; hasGuid: boolean; previousUrl?: string }>(read: readonly T[], sourceId: string): T[] {
  const byLink = new Map<string, number>();
  for (const r of read) if (r.item.url) byLink.set(r.item.url, (byLink.get(r.item.url) ?? 0) + 1);
  return read.map((r) => {
    const { item } = r;
    const shared = item.url !== undefined && (byLink.get(item.url) ?? 0) >= 2;
    if (r.hasGuid) return shared ? { ...r, item: withFields(item, { articleKey: articleKey({ guid: item.id, sourceId }) }) } : r;
    // Without a GUID the entry is known by its text too (sharedLinkKey): its body is cleaned here.
    if (!item.url) return r;
    const entryKey = sharedLinkKey({ sourceId, contentHash: item.contentHash, ...pick(item) });
    const linkIds = [r.previousUrl ?? item.url, item.url];
    if (shared) return { ...r, item: { ...item, id: entryKey, articleKey: entryKey, otherIds: [...new Set(linkIds)] } };
    return { ...r, item: { ...item, otherIds: [...new Set([entryKey, ...linkIds])].filter((id) => id !== item.id) } };
  });
}

function pick(item: Item): { title?: string; publishedAt?: string } {
  return { ...(item.title !== undefined ? { title: item.title } : {}), ...(item.publishedAt !== undefined ? { publishedAt: item.publishedAt } : {}) };
}

function titleOf(raw: RawText | undefined): string | undefined {
  return raw ? titleToPlain(raw.value, raw.kind === 'text') || undefined : undefined;
}

function titleOrNothing(raw: RawText | undefined): string | undefined {
  try {
    return titleOf(raw);
  } catch (err) {
    if (err instanceof HtmlTooDeepError) return undefined;
    throw err;
  }
}

interface Document {
  format: FeedFormat;
  feed: unknown;
}

/** An HTML page: its doctype or html/head/body as the first element, possibly after an XML declaration and comments. */
// A comment is matched up to its first "-->" and no further, so that a run of comments cannot backtrack
// exponentially ([\s\S]*? inside a repeated group would).
const HTML_PAGE = /^(?:<\?xml[^>]*>\s*)?(?:<!--(?:[^-]|-(?!->))*-->\s*)*<(?:!DOCTYPE\s+html\b|html\b|head\b|body\b)/i;

function parseDocument(body: string, where: string, docUrl: string | undefined, problems: ItemProblem[]): Document {
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  const start = text.trimStart();
  if (!start) throw permanent('the document is empty', { where });
  if (start.startsWith('{') || start.startsWith('[')) return parseJson(text, where);
  if (start.startsWith('<')) {
    // The start is enough to tell, and keeps the test cheap on a large document.
    if (HTML_PAGE.test(start.slice(0, 64 * 1024))) throw permanent(htmlPageMessage(start, docUrl), { where });
    return parseXml(text, where, problems);
  }
  throw permanent(`neither XML nor JSON (begins with ${JSON.stringify(start.slice(0, 20))}), not a feed`, { where });
}

function htmlPageMessage(html: string, pageUrl: string | undefined): string {
  const feeds = advertisedFeeds(html, pageUrl);
  if (feeds.length === 0) {
    return 'this is an HTML page, not a feed (look on it for a <link rel="alternate" type="application/rss+xml"> naming the feed URL)';
  }
  const more = feeds.length > 1 ? ` (and ${feeds.length - 1} more)` : '';
  return `this is an HTML page, not a feed; it advertises the feed ${feeds[0]}${more}: configure that URL if it is the one`;
}

function parseJson(text: string, where: string): Document {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const offset = jsonErrorOffset(text);
    const at = offset !== undefined ? lineCol(text, offset) : undefined;
    throw permanent(`invalid JSON: ${describeError(err)}`, { where: at ? `${where} line ${at.line}, column ${at.col}` : where, cause: err });
  }
  if (!detectJsonFeed(value)) {
    throw permanent('well-formed JSON but not a JSON Feed (no "version": "https://jsonfeed.org/version/1…")', { where });
  }
  return feedsmithDocument(value, where);
}

/**
 * The reader reads the document once. It, like fast-xml-parser under feedsmith, reads past end tags that name
 * another element and quietly closes what a document cut short leaves open; the depth scan (run anyway) catches
 * both. The validator, a second full pass, runs only for a document the reader and feedsmith both refuse, to say
 * what is wrong and where. Faults only it would see (a repeated attribute, text after the root element) no longer
 * cost every feed a pass: the reader reads past them, as feed readers do.
 */
function parseXml(text: string, where: string, problems: ItemProblem[]): Document {
  const prepared = prepareXml(text);
  // Before parsing too: fast-xml-parser's validator takes half a second over 50,000 levels.
  const structure = elementStructure(prepared.xml, MAX_XML_DEPTH);
  if (structure === 'too-deep') {
    throw permanent(`the document nests elements more than ${MAX_XML_DEPTH} levels deep`, { where });
  }
  let document: Document | undefined;
  let refusal: unknown;
  if (structure === 'balanced') {
    // The streaming reader gives what feedsmith would, several times faster (xml-feed-reader.ts). Where it finds
    // no feed, feedsmith reads the document, as before: it either finds one after all, or says why not.
    document = readXmlFeedShape(prepared.xml);
    if (!document) {
      try {
        document = feedsmithParse(prepared.xml);
      } catch (err) {
        refusal = err;
      }
    }
  }
  if (!document) {
    const result = XMLValidator.validate(prepared.xml, VALIDATOR_OPTIONS);
    if (result !== true) throw malformed(prepared, result.err, where);
    if (refusal !== undefined) throw feedsmithError(refusal, prepared.xml, where);
    document = feedsmithDocument(prepared.xml, where);
  }
  if (prepared.droppedEntities) {
    problems.push({ where, message: 'the DOCTYPE declares entities; they were ignored (never expanded or fetched)' });
  }
  return document;
}

const VALIDATOR_OPTIONS = { allowBooleanAttributes: true };

/**
 * The validator's error, at its place in the original text. Two faults get our own words, because the validator
 * gives them no position (it says "line 1" and no column, or "line 1, column 1"): a document with no element at
 * all, and one that ends with elements still open (a truncated download), which is found by closing them and
 * validating again.
 */
function malformed(prepared: PreparedXml, err: { line: number; col?: number; msg: string }, where: string): Error {
  if (hasNoContent(prepared.xml)) {
    return permanent('the document is empty: no element, only an XML declaration, comments or whitespace', { where });
  }
  const open = openElementsAtEnd(prepared.xml);
  const innermost = open[open.length - 1];
  if (innermost) {
    const closed = prepared.xml + open.map((e) => `</${e.name}>`).reverse().join('');
    if (XMLValidator.validate(closed, VALIDATOR_OPTIONS) === true) {
      const shown = open.length > 6 ? [...open.slice(0, 2), undefined, ...open.slice(-3)] : open;
      const names = shown.map((e) => (e ? `<${e.name}>` : '…')).join(', ');
      const at = lineCol(prepared.xml, innermost.index);
      return permanent(`malformed XML: the document ends with ${names} still open (cut short?); <${innermost.name}> was opened here`, {
        where: `${where} ${position(prepared.toOriginal(at.line, at.col))}`,
      });
    }
  }
  // The validator gives a column for every fault but the two above; should one come without, name the line alone.
  const at = err.col === undefined ? { line: prepared.toOriginal(err.line, 1).line } : prepared.toOriginal(err.line, err.col);
  return permanent(`malformed XML: ${clipForMessage(err.msg)}`, { where: `${where} ${position(at)}` });
}

function position(at: { line: number; col?: number }): string {
  return at.col === undefined ? `line ${at.line}` : `line ${at.line}, column ${at.col}`;
}

function feedsmithDocument(value: unknown, where: string): Document {
  try {
    const { format, feed } = feedsmithParse(value);
    return { format, feed };
  } catch (err) {
    throw feedsmithError(err, value, where);
  }
}

/** What feedsmith's refusal of a well-formed document (or parsed JSON) means, in our words. */
function feedsmithError(err: unknown, value: unknown, where: string): Error {
  if (err instanceof DetectError) {
    const root = typeof value === 'string' ? rootElement(value) : undefined;
    const what = typeof value === 'string' ? `well-formed XML${root ? ` (root element <${clipForMessage(root, 60)}>)` : ''}` : 'JSON';
    return permanent(`${what} but not an RSS, Atom, RDF or JSON feed`, { where, cause: err });
  }
  const cause = err instanceof Error && err.cause !== undefined ? `: ${describeError(err.cause)}` : '';
  return permanent(`not a readable feed: ${clipForMessage(`${describeError(err)}${cause}`)}`, { where, cause: err });
}

function rootElement(xml: string): string | undefined {
  const m = /<([A-Za-z_][\w.:-]*)/.exec(xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/gi, ''));
  return m?.[1];
}

function lineCol(text: string, index: number): { line: number; col: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, col: index - (before.lastIndexOf('\n') + 1) + 1 };
}

/**
 * `u` when it is an http(s) URL, without a user name or password: a private feed's credentials must not end up in
 * the item links resolved against it, which are posted.
 */
function httpUrl(u: string | undefined): string | undefined {
  if (!u || !/^https?:\/\//i.test(u)) return undefined;
  try {
    const url = new URL(u);
    if (!url.username && !url.password) return u;
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return undefined;
  }
}

function itemErrorMessage(err: unknown): string {
  if (err instanceof ZodError) {
    return err.issues.map((i) => `${i.path.join('.') || 'item'}: ${i.message}`).join('; ');
  }
  return describeError(err);
}
