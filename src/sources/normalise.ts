import { createHash } from 'node:crypto';
import { cleanBody, repairMojibake, type BodyField, type BodyParagraph } from '../clean/index.js';
import { describeError } from '../core/errors.js';
import { ItemSchema, type Item, type ItemImage } from '../core/item.js';
import { articleKey } from './article-key.js';
import { canonicalUrl } from './canonical-url.js';
import { toIsoDate } from './dates.js';
import type { RawEntry, RawText } from './extract.js';
import { sha256Hex } from './hash.js';
import { collapse, HtmlTooDeepError, htmlToBody, textToBody, titleToPlain } from './plain-text.js';

export const MAX_IMAGES = 4;

export interface NormaliseContext {
  sourceId: string;
  /** Base URL for this entry's relative links (entry xml:base resolved against the feed's). */
  baseUrl?: string;
  /** Language for entries that do not state their own, as `language` gives it: read once per feed, not per item. */
  feedLanguage?: string;
  /**
   * The site's home page (RSS channel link, Atom alternate, JSON home_page_url), absolute and canonical (made so once
   * per feed, by parse-feed.ts): a closing link to it is boilerplate.
   */
  siteUrl?: string;
  /** Query parameters the operator added to the default tracking list (canonical-url.ts). */
  trackingParams?: ReadonlySet<string>;
  /**
   * Set to clean the body only when the item's text is first read (see `withBodyOnDemand`): a poll reads the text of
   * the few items it queues, not of those it has seen or leaves to the backlog. Problems found then come here.
   */
  lateProblem?: (message: string) => void;
}

export type NormaliseResult =
  | {
      ok: true;
      item: Item;
      problems: string[];
      /** The entry had a GUID (else its id is its link or its text). */
      hasGuid: boolean;
      /** Its link as the release before article identity made it canonical, when that differs (parse-feed.ts). */
      previousUrl?: string;
    }
  | { ok: false; problems: string[] };

/**
 * One feed entry → one `Item`. Never throws for bad data: what cannot be used is dropped and reported in
 * `problems` (plain messages; the caller adds which feed and item). Not ok only when nothing is left to announce.
 */
export function normaliseEntry(entry: RawEntry, ctx: NormaliseContext): NormaliseResult {
  const problems: string[] = [];

  const rawTitle = entry.title;
  const title = rawTitle ? plainOrProblem('title', problems, () => repairMojibake(titleToPlain(rawTitle.value, rawTitle.kind === 'text'))) || undefined : undefined;

  let url: string | undefined;
  let urlIdentity: string | undefined;
  let previousUrl: string | undefined;
  const linkProblems: string[] = [];
  for (const link of entry.links) {
    const c = canonicalUrl(link, ctx.baseUrl, ctx.trackingParams);
    if (c.ok) {
      url = c.url;
      urlIdentity = c.identity;
      // The rules differ only in the query, which a link without "?" (or a bare "#…", which keeps its base's) lacks.
      const before = /[?#]/.test(link) ? canonicalUrl(link, ctx.baseUrl, undefined, 'previous-release') : c;
      if (before.ok && before.url !== url) previousUrl = before.url;
      break;
    }
    linkProblems.push(`${c.reason}; the item has no URL`);
  }
  // Only the first bad link is worth a line; an alternative that worked makes the problem moot.
  if (url === undefined && linkProblems.length > 0) problems.push(linkProblems[0]!);

  const itemLanguage = (entry.language !== undefined ? language(entry.language) : undefined) ?? ctx.feedLanguage;
  const guid = entry.id?.trim() || undefined;

  // Everything cleaning reads: the same entry under the same feed gives the same cleaned text (CONTENT_HASH_SCHEME
  // covers a release that cleans differently), so a seen entry whose raw hash is unchanged need not be cleaned again.
  const hashRawEntry = () => rawHashOf(entry, [ctx.baseUrl ?? '', ctx.siteUrl ?? '', itemLanguage ?? '', title ?? '', url ?? '']);
  const clean = (report: (message: string) => void): Cleaned => {
    const body = cleanBody(bodyFields(entry, ctx.baseUrl, report), {
      title,
      itemUrl: url,
      ...(ctx.siteUrl ? { siteUrl: ctx.siteUrl } : {}),
      ...(itemLanguage ? { language: itemLanguage } : {}),
    });
    const attribution = body.source?.attribution;
    return {
      summary: body.summary,
      contentHash: sha256Hex([title ?? '', body.summary, url ?? '', attribution ?? '']),
      attribution,
      author: body.source?.author,
      outlet: body.source?.outlet,
    };
  };
  const head = (images: ItemImage[], id: string, key: string): ItemHead => ({
    id,
    sourceId: ctx.sourceId,
    url,
    title,
    publishedAt: firstDate(entry.dates),
    tags: tags(entry.tags),
    images,
    language: itemLanguage,
    articleKey: key,
  });

  const lateProblem = ctx.lateProblem;
  if (lateProblem && (url || (guid && title))) {
    // Its id and article key need no text, and it has something to announce whatever the text: the body can wait.
    const cleanLate = (): Cleaned => {
      try {
        return clean(lateProblem);
      } catch (err) {
        // Parsing at once would have skipped the entry; read later, it is already counted in: it goes on without a
        // body, said, rather than failing its whole source on every poll.
        lateProblem(`body ignored: ${describeError(err)}`);
        return { summary: '', contentHash: sha256Hex([title ?? '', '', url ?? '', '']), attribution: undefined, author: undefined, outlet: undefined };
      }
    };
    const item = withBodyOnDemand(
      head(imagesOf(entry, ctx.baseUrl, problems), guid ?? url!, articleKey({ url, urlIdentity, guid, sourceId: ctx.sourceId })),
      cleanLate,
      hashRawEntry,
    );
    return { ok: true, item, problems, hasGuid: guid !== undefined, ...(previousUrl ? { previousUrl } : {}) };
  }

  const cleaned = clean((message) => problems.push(message));
  if (!title && !cleaned.summary && !url) {
    return { ok: false, problems: [...problems, 'nothing to announce: no title, summary or link'] };
  }
  const images = imagesOf(entry, ctx.baseUrl, problems);
  const id = guid || url || `sha256:${sha256Hex([title ?? '', cleaned.summary])}`;
  const key = articleKey({ url, urlIdentity, guid, sourceId: ctx.sourceId, contentHash: cleaned.contentHash });
  const item = ItemSchema.parse({ ...head(images, id, key), rawHash: hashRawEntry(), ...cleaned });
  return { ok: true, item, problems, hasGuid: guid !== undefined, ...(previousUrl ? { previousUrl } : {}) };
}

/**
 * The raw hash: the entry as JSON, after the short values derived from its feed, hashed as two texts. Passing the
 * entry's JSON through sha256Hex would encode it as JSON a second time, escaping every quote of its markup: that was
 * a quarter of normalising an entry. Neither JSON text holds a raw line break, so the one between them keeps the
 * whole unambiguous. (Marks hashed the old way read as written differently once: the entry is cleaned, its content
 * found the same, and the new hash kept; src/outbox/intake.ts.)
 */
function rawHashOf(entry: RawEntry, derived: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(derived)).update('\n').update(JSON.stringify(entry)).digest('hex').slice(0, 32);
}

/** The entry's images, canonical, each once, at most MAX_IMAGES; a bad one is a problem, not the item's end. */
function imagesOf(entry: RawEntry, baseUrl: string | undefined, problems: string[]): ItemImage[] {
  const images: ItemImage[] = [];
  const seenImages = new Set<string>();
  for (const img of entry.images) {
    const c = canonicalUrl(img.url, baseUrl);
    if (!c.ok) {
      problems.push(`image ignored: ${c.reason}`);
      continue;
    }
    if (seenImages.has(c.url) || images.length >= MAX_IMAGES) continue;
    seenImages.add(c.url);
    const rawAlt = img.alt;
    const alt = rawAlt ? collapse(plainOrProblem('image alt text', problems, () => titleToPlain(rawAlt))) : '';
    images.push({ url: c.url, alt, ...(img.mimeType ? { mimeType: img.mimeType.trim().toLowerCase() } : {}) });
  }
  return images;
}

/** What cleaning gives an item. */
const CLEANED_FIELDS = ['summary', 'contentHash', 'attribution', 'author', 'outlet'] as const;
type Cleaned = Pick<Item, (typeof CLEANED_FIELDS)[number]>;

/** An item without what cleaning gives it, and without its raw hash. */
type ItemHead = Omit<Item, keyof Cleaned | 'rawHash'>;

/** Where an item made by withBodyOnDemand keeps what it needs to clean its entry, and what cleaning gave. */
const BODY = Symbol('body on demand');

interface BodyOnDemand {
  clean: () => Cleaned;
  hashRaw: () => string;
  cleaned?: Cleaned;
  rawHash?: string;
}

type Lazy = Item & { [BODY]: BodyOnDemand };

const bodyOf = (item: Lazy): Cleaned => {
  const state = item[BODY];
  return (state.cleaned ??= state.clean());
};

/** Accessors shared by every item: each reads its own item's state, so none is made per item. */
const accessor = (get: (item: Lazy) => unknown): PropertyDescriptor => ({
  get(this: Lazy) {
    return get(this);
  },
  enumerable: true,
  configurable: true,
});
const CLEANED_TEXT: PropertyDescriptorMap = {
  summary: accessor((item) => bodyOf(item).summary),
  attribution: accessor((item) => bodyOf(item).attribution),
  author: accessor((item) => bodyOf(item).author),
  outlet: accessor((item) => bodyOf(item).outlet),
};
const HASHES: PropertyDescriptorMap = {
  contentHash: accessor((item) => bodyOf(item).contentHash),
  rawHash: accessor((item) => (item[BODY].rawHash ??= item[BODY].hashRaw())),
};

/**
 * `head` with the cleaned fields read through on first use: cleaning is most of a feed's parse, and a poll needs the
 * text only of the items it queues or whose entry changed (src/outbox/intake.ts). The item is still plain data to
 * every reader: the fields are enumerable own properties, in the order an item cleaned at once has them, so
 * spreading it or writing it as JSON cleans it then; its state is a symbol-keyed property none of those read.
 *
 * Not passed through ItemSchema, as an item cleaned at once is: every field of the head is built above from values
 * already checked (a canonical http(s) URL, a trimmed GUID, at most MAX_IMAGES images with their alt text), and the
 * schema's check and copy were a third of this function's time. The accessors are the same functions for every
 * item, so V8 keeps them in the items' shared layout: an object literal with getters made six functions and six
 * accessor pairs for each item, which every garbage collection of a large feed's parse then had to copy.
 */
function withBodyOnDemand(head: ItemHead, clean: () => Cleaned, hashRaw: () => string): Item {
  const item = { id: head.id, sourceId: head.sourceId, url: head.url, title: head.title } as Lazy;
  Object.defineProperty(item, BODY, { value: { clean, hashRaw } satisfies BodyOnDemand });
  Object.defineProperties(item, CLEANED_TEXT);
  item.publishedAt = head.publishedAt;
  item.tags = head.tags;
  item.images = head.images;
  item.language = head.language;
  Object.defineProperties(item, HASHES);
  item.articleKey = head.articleKey;
  return item;
}

/**
 * The entry's body fields for the cleaning stage, which chooses among them (src/clean/select-body.ts): summary-like
 * fields first, then full content, each converted only when read. Link targets are made canonical here, so that
 * cleaning can tell a link back to the item itself.
 */
function bodyFields(entry: RawEntry, baseUrl: string | undefined, report: (message: string) => void): BodyField[] {
  const one = (raw: RawText, role: 'summary' | 'content'): BodyField => {
    const name = raw.field ?? role;
    // Problems name the role ("summary ignored: …"), as they always have; the field name is for cleaning.
    return { field: name, role, read: () => toBody(raw, role, baseUrl, report) };
  };
  return [...entry.excerpts.map((f) => one(f, 'summary')), ...entry.contents.map((f) => one(f, 'content'))];
}

function toBody(field: RawText, role: string, baseUrl: string | undefined, report: (message: string) => void): BodyParagraph[] {
  try {
    const paragraphs = field.kind === 'html' ? htmlToBody(field.value) : textToBody(field.value);
    return paragraphs.map((p) =>
      p.map((run) => {
        if (run.href === undefined) return run;
        const c = canonicalUrl(run.href, baseUrl);
        return { ...run, href: c.ok ? c.url : run.href };
      }),
    );
  } catch (err) {
    if (!(err instanceof HtmlTooDeepError)) throw err;
    report(`${role} ignored: its HTML nests elements more than ${err.limit} levels deep`);
    return [];
  }
}

/**
 * The field as plain text, or '' and a problem when its HTML nests too deep to convert (a hostile feed, not a
 * real one): the item goes on with its other fields.
 */
function plainOrProblem(field: string, problems: string[], toText: () => string): string {
  try {
    return toText();
  } catch (err) {
    if (!(err instanceof HtmlTooDeepError)) throw err;
    problems.push(`${field} ignored: its HTML nests elements more than ${err.limit} levels deep`);
    return '';
  }
}

function firstDate(candidates: readonly string[]): string | undefined {
  for (const raw of candidates) {
    const iso = toIsoDate(raw);
    if (iso) return iso;
  }
  return undefined;
}

/** Trimmed, whitespace collapsed, deduplicated case-insensitively (first spelling wins), in feed order. */
function tags(raw: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const t of raw) {
    const tag = collapse(t);
    const key = tag.toLowerCase();
    if (!tag || seen.has(key)) continue;
    seen.add(key);
    out.push(tag);
  }
  return out;
}

/** A well-formed BCP 47 tag in its canonical case ("en-us" → "en-US"), or undefined. */
export function language(raw: string | undefined): string | undefined {
  const tag = raw?.trim().replace(/_/g, '-');
  if (!tag) return undefined;
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}
