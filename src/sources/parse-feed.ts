import { XMLValidator } from 'fast-xml-parser';
import { DetectError, detectJsonFeed, parseFeed as feedsmithParse } from 'feedsmith';
import { ZodError } from 'zod';
import { describeError, permanent } from '../core/errors.js';
import type { Item } from '../core/item.js';
import { resolveBase } from './canonical-url.js';
import { readEntry, readFeed, type FeedFormat, type RawEntry, type RawText } from './extract.js';
import { feedWhere } from './location.js';
import { language, normaliseEntry } from './normalise.js';
import { HtmlTooDeepError, titleToPlain } from './plain-text.js';
import { nestsDeeperThan, prepareXml } from './xml-prep.js';

/**
 * How deep an XML feed may nest elements. A feed needs five or six levels; Atom xhtml content adds its markup's.
 * fast-xml-parser (inside feedsmith) stops at 100 nested tags (its maxNestedTags) with a bare "Maximum nested
 * tags exceeded", but not inside the elements feedsmith keeps as raw text (Atom content), whose markup is later
 * walked recursively by html-to-text. One linear scan of the whole document, before either runs, gives one error
 * that says what is wrong.
 */
export const MAX_XML_DEPTH = 100;

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
}

/**
 * Parse an RSS 2.0, Atom 1.0, RDF (RSS 1.0) or JSON Feed document and normalise its items.
 * Throws a permanent ThreadcastError when the document is not a feed at all; a bad item only adds a problem.
 */
export function parseFeed(body: string, ctx: ParseContext): ParsedFeed {
  const where = feedWhere(ctx.location);
  const problems: ItemProblem[] = [];
  const { format, feed } = parseDocument(body, where, problems);
  const raw = readFeed(format, feed);

  const docUrl = httpUrl(ctx.baseUrl) ?? httpUrl(ctx.location);
  const siteBase = httpUrl(resolveBase(raw.siteLink, docUrl));
  // Atom resolves against xml:base, then the document's URL (RFC 4287 §8.2 / RFC 3986). RSS, RDF and JSON Feed
  // have no such rule: their relative links are meant against the site, which is often not the feed's host.
  const outerBase =
    format === 'atom' ? docUrl ?? siteBase : format === 'json' ? siteBase ?? resolveBase(raw.feedUrl, docUrl) ?? docUrl : siteBase ?? docUrl;
  const feedBase = resolveBase(raw.base, outerBase);
  const feedLanguage = language(ctx.language) ?? language(raw.language);

  const items: Item[] = [];
  const seenIds = new Map<string, number>();
  raw.entries.forEach((rawEntry, index) => {
    const n = index + 1;
    let entry: RawEntry | undefined;
    let label = `${where}, item ${n}`;
    try {
      entry = readEntry(format, rawEntry);
      // The item's own problems say when its title cannot be read; the label then goes without it.
      const title = titleOrNothing(entry.title);
      if (title) label += ` (${JSON.stringify(title.length > 60 ? `${title.slice(0, 57)}...` : title)})`;
      const result = normaliseEntry(entry, {
        sourceId: ctx.sourceId,
        baseUrl: resolveBase(entry.base, feedBase),
        feedLanguage,
      });
      for (const message of result.problems) problems.push({ where: label, message });
      if (!result.ok) return;
      const first = seenIds.get(result.item.id);
      if (first !== undefined) {
        problems.push({ where: label, message: `same id as item ${first} (${JSON.stringify(result.item.id)}); skipped` });
        return;
      }
      seenIds.set(result.item.id, n);
      items.push(result.item);
    } catch (err) {
      problems.push({ where: label, message: `skipped: ${itemErrorMessage(err)}` });
    }
  });

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
    language: language(raw.language),
    items,
    problems,
  };
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

function parseDocument(body: string, where: string, problems: ItemProblem[]): Document {
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  const start = text.trimStart();
  if (!start) throw permanent('empty document, not a feed', { where });
  if (start.startsWith('{') || start.startsWith('[')) return parseJson(text, where);
  if (start.startsWith('<')) {
    if (/^(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:!DOCTYPE\s+html\b|html\b)/i.test(start)) {
      throw permanent('an HTML page, not a feed (is the URL the site rather than its feed?)', { where });
    }
    return parseXml(text, where, problems);
  }
  throw permanent(`neither XML nor JSON (begins with ${JSON.stringify(start.slice(0, 20))}), not a feed`, { where });
}

function parseJson(text: string, where: string): Document {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = describeError(err);
    const pos = /position (\d+)/.exec(message);
    const at = pos?.[1] !== undefined ? lineCol(text, Number(pos[1])) : undefined;
    throw permanent(`invalid JSON: ${message}`, { where: at ? `${where} line ${at.line}, column ${at.col}` : where, cause: err });
  }
  if (!detectJsonFeed(value)) {
    throw permanent('well-formed JSON but not a JSON Feed (no "version": "https://jsonfeed.org/version/1…")', { where });
  }
  return feedsmithDocument(value, where);
}

function parseXml(text: string, where: string, problems: ItemProblem[]): Document {
  const prepared = prepareXml(text);
  // Before validating too: fast-xml-parser's validator takes half a second over 50,000 levels.
  if (nestsDeeperThan(prepared.xml, MAX_XML_DEPTH)) {
    throw permanent(`the document nests elements more than ${MAX_XML_DEPTH} levels deep`, { where });
  }
  const result = XMLValidator.validate(prepared.xml, { allowBooleanAttributes: true });
  if (result !== true) {
    const { line, col, msg } = result.err;
    throw permanent(`malformed XML: ${msg}`, { where: `${where} line ${line}, column ${prepared.toOriginalColumn(line, col)}` });
  }
  if (prepared.droppedEntities) {
    problems.push({ where, message: 'the DOCTYPE declares entities; they were ignored (never expanded or fetched)' });
  }
  return feedsmithDocument(prepared.xml, where);
}

function feedsmithDocument(value: unknown, where: string): Document {
  try {
    const { format, feed } = feedsmithParse(value);
    return { format, feed };
  } catch (err) {
    if (err instanceof DetectError) {
      const root = typeof value === 'string' ? rootElement(value) : undefined;
      const what = typeof value === 'string' ? `well-formed XML${root ? ` (root element <${root}>)` : ''}` : 'JSON';
      throw permanent(`${what} but not an RSS, Atom, RDF or JSON feed`, { where, cause: err });
    }
    const cause = err instanceof Error && err.cause !== undefined ? `: ${describeError(err.cause)}` : '';
    throw permanent(`not a readable feed: ${describeError(err)}${cause}`, { where, cause: err });
  }
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

function httpUrl(u: string | undefined): string | undefined {
  return u && /^https?:\/\//i.test(u) ? u : undefined;
}

function itemErrorMessage(err: unknown): string {
  if (err instanceof ZodError) {
    return err.issues.map((i) => `${i.path.join('.') || 'item'}: ${i.message}`).join('; ');
  }
  return describeError(err);
}
