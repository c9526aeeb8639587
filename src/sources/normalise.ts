import { ItemSchema, type Item, type ItemImage } from '../core/item.js';
import { extractAttribution } from './attribution.js';
import { canonicalUrl } from './canonical-url.js';
import { toIsoDate } from './dates.js';
import type { RawEntry, RawText } from './extract.js';
import { sha256Hex } from './hash.js';
import { collapse, HtmlTooDeepError, htmlToPlain, stripBoilerplate, textToPlain, titleToPlain } from './plain-text.js';

export const MAX_IMAGES = 4;

export interface NormaliseContext {
  sourceId: string;
  /** Base URL for this entry's relative links (entry xml:base resolved against the feed's). */
  baseUrl?: string;
  /** Language for entries that do not state their own. */
  feedLanguage?: string;
}

export type NormaliseResult =
  | { ok: true; item: Item; problems: string[] }
  | { ok: false; problems: string[] };

/**
 * One feed entry → one `Item`. Never throws for bad data: what cannot be used is dropped and reported in
 * `problems` (plain messages; the caller adds which feed and item). Not ok only when nothing is left to announce.
 */
export function normaliseEntry(entry: RawEntry, ctx: NormaliseContext): NormaliseResult {
  const problems: string[] = [];

  const rawTitle = entry.title;
  const title = rawTitle ? plainOrProblem('title', problems, () => titleToPlain(rawTitle.value, rawTitle.kind === 'text')) || undefined : undefined;

  let url: string | undefined;
  const linkProblems: string[] = [];
  for (const link of entry.links) {
    const c = canonicalUrl(link, ctx.baseUrl);
    if (c.ok) {
      url = c.url;
      break;
    }
    linkProblems.push(`${c.reason}; the item has no URL`);
  }
  // Only the first bad link is worth a line; an alternative that worked makes the problem moot.
  if (url === undefined && linkProblems.length > 0) problems.push(linkProblems[0]!);

  let summary = pickSummary(entry, problems);
  let attribution: string | undefined;
  const found = extractAttribution(summary);
  if (found) {
    attribution = found.attribution;
    summary = found.rest;
  }

  if (!title && !summary && !url) {
    return { ok: false, problems: [...problems, 'nothing to announce: no title, summary or link'] };
  }

  const images: ItemImage[] = [];
  const seenImages = new Set<string>();
  for (const img of entry.images) {
    const c = canonicalUrl(img.url, ctx.baseUrl);
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

  const id = entry.id?.trim() || url || `sha256:${sha256Hex([title ?? '', summary])}`;

  const item = ItemSchema.parse({
    id,
    sourceId: ctx.sourceId,
    url,
    title,
    summary,
    attribution,
    publishedAt: firstDate(entry.dates),
    tags: tags(entry.tags),
    images,
    language: language(entry.language) ?? language(ctx.feedLanguage),
    contentHash: sha256Hex([title ?? '', summary, url ?? '', attribution ?? '']),
  });
  return { ok: true, item, problems };
}

/**
 * The excerpt-like field when there is one (RSS description, Atom/JSON summary), else the full content.
 * A field that turns out empty as text (an excerpt that is only an image) gives way to the next.
 */
function pickSummary(entry: RawEntry, problems: string[]): string {
  const fields = [...entry.excerpts.map((f) => ['summary', f] as const), ...entry.contents.map((f) => ['content', f] as const)];
  for (const [name, field] of fields) {
    const plain = stripBoilerplate(plainOrProblem(name, problems, () => toPlain(field)));
    if (plain) return plain;
  }
  return '';
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

function toPlain(field: RawText): string {
  return field.kind === 'html' ? htmlToPlain(field.value) : textToPlain(field.value);
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
