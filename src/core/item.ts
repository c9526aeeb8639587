import { z } from 'zod';

/**
 * One thing to announce, normalised from any source (feed item or editor announcement).
 * Everything downstream (compose, outbox, publishers) sees only this shape.
 */
export const ItemImageSchema = z.object({
  url: z.string(),
  alt: z.string().default(''),
  mimeType: z.string().optional(),
});

export const ItemSchema = z.object({
  /** Stable id within its source: GUID, else canonical URL (unless entries share it), else a content hash. */
  id: z.string().min(1),
  sourceId: z.string().min(1),
  /** Canonical URL: absolute, tracking parameters removed. */
  url: z.string().url().optional(),
  title: z.string().optional(),
  /** Plain text (no markup, entities decoded), paragraphs separated by a blank line. */
  summary: z.string(),
  /** The source line as shown, e.g. "Jane Doe, Example Times, June 25 2019", when the excerpt began with one. */
  attribution: z.string().optional(),
  /** The source line's author and outlet, when it names them (src/clean/source-line.ts). Optional: older stores lack them. */
  author: z.string().optional(),
  outlet: z.string().optional(),
  /** ISO 8601; missing dates are normal. */
  publishedAt: z.string().optional(),
  tags: z.array(z.string()).default([]),
  images: z.array(ItemImageSchema).max(4).default([]),
  /** BCP 47 language tag, when the feed or item says. */
  language: z.string().optional(),
  /** Hash of the announced content: a change under the same id is an update. */
  contentHash: z.string(),
  /**
   * Hash of the entry as the feed wrote it, before cleaning (src/sources/normalise.ts): while it stays the same, so
   * does the cleaned content, and a seen item need not be cleaned again to tell. Feed items only.
   */
  rawHash: z.string().optional(),
  /**
   * Which article this is, across sources (src/sources/article-key.ts): a channel announces each article once.
   * Optional: items stored before identity crossed sources lack it.
   */
  articleKey: z.string().optional(),
  /**
   * Other ids this entry may have been seen under (src/sources/parse-feed.ts): the id an earlier release gave it, and
   * the other form of its own id when its link is shared by other entries some days and not others.
   */
  otherIds: z.array(z.string()).optional(),
  /**
   * The text template of the item's source (`sources[].template.text`), set when the item is taken in, as the
   * source's `language` is: compose uses it before the channel's, and a queued item keeps the one it was queued with.
   */
  template: z.string().optional(),
});

export type Item = z.infer<typeof ItemSchema>;

/**
 * `item` with `fields` set, its other properties copied as they are, not read: a polled item's cleaned fields are
 * computed when first read (src/sources/normalise.ts), which a spread would do.
 */
export function withFields(item: Item, fields: Partial<Item>): Item {
  const copy = Object.create(Object.getPrototypeOf(item) as object, Object.getOwnPropertyDescriptors(item)) as Item;
  return Object.defineProperties(copy, Object.getOwnPropertyDescriptors(fields));
}

/**
 * Which way `contentHash` is computed. A release that changes what the hash covers — or how a feed's text is
 * cleaned before it is hashed — raises this, so a hash from an older release is not mistaken for an edited
 * item (with `onUpdate: reply`, every published item would otherwise get an "Update:" reply after an upgrade).
 * 2: the clean stage (boilerplate, title echoes and source lines removed; the best body field chosen).
 * 3: cut excerpts end on their last whole sentence; more boilerplate; "&amp;" in links read as "&".
 * 4: line breaks in HTML (<br>, list items, <pre>) kept in the summary; closing contact blocks, music credits,
 *    bylines, title-only paragraphs and "[read more]" removed; the body field chosen by how it reads; UTF-8 that a
 *    publisher read as windows-1252 repaired (the real-feed corpus's findings).
 */
export const CONTENT_HASH_SCHEME = 4;
export type ItemImage = z.infer<typeof ItemImageSchema>;
