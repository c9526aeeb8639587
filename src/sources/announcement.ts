import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ItemSchema, type Item } from '../core/item.js';
import { EDITOR_SOURCE_ID } from '../config/schema.js';

/** A time an editor gives: ISO 8601 with its offset, so "09:00" never means the server's zone by accident. */
export const PublishAtSchema = z
  .string()
  .refine((v) => /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(v) && !Number.isNaN(Date.parse(v)), {
    message: 'give an ISO 8601 time with its offset, e.g. 2026-12-01T09:00:00+01:00',
  });

export const HttpUrlSchema = z.string().refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), { message: 'give an http(s) URL' });

export const AnnouncementTextSchema = z.string().trim().min(1, 'the announcement text is empty').max(20_000, 'longer than 20,000 characters');

/**
 * What an editor asks for, from any door (CLI flags, a Markdown file's front matter, the HTTP API):
 * one schema, so each door reports a bad field by the same name.
 */
export const AnnouncementRequestSchema = z
  .object({
    text: AnnouncementTextSchema,
    url: HttpUrlSchema.optional(),
    /** A local image file (CLI and files only: the HTTP API must not name files on the server). */
    image: z.string().min(1).optional(),
    alt: z.string().optional(),
    at: PublishAtSchema.optional(),
    channels: z.array(z.string().min(1)).min(1, 'name at least one channel').optional(),
  })
  .strict()
  .refine((r) => r.image === undefined || (r.alt ?? '').trim() !== '', {
    path: ['alt'],
    message: 'an image needs alt text, so everyone can follow the post',
  });
export type AnnouncementRequest = z.infer<typeof AnnouncementRequestSchema>;

/** An editor's change to a delivery not yet sent: `null` removes the link or the publish-at time. */
export const AnnouncementEditSchema = z
  .object({
    text: z.string().trim().min(1, 'the text is empty').max(20_000, 'longer than 20,000 characters').optional(),
    url: HttpUrlSchema.nullable().optional(),
    at: PublishAtSchema.nullable().optional(),
  })
  .strict();
export type AnnouncementEdit = z.infer<typeof AnnouncementEditSchema>;

export interface AnnouncementInput {
  text: string;
  url?: string;
  image?: { path: string; alt: string };
  /** Keep an existing announcement's id when editing it. */
  id?: string;
  title?: string;
}

/** A new announcement id: short, sortable by time, unique. */
export function newAnnouncementId(now = Date.now()): string {
  return `a-${now.toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * An editor's announcement as an Item, so it flows through the same compose and outbox as feed items
 * (what an editor previews is what followers get). The text is the summary; the link, when given,
 * goes where the template puts links.
 */
export function announcementItem(input: AnnouncementInput, where: string): Item {
  const text = input.text.trim();
  if (!text) throw new Error(`${where}: the announcement text is empty`);
  if (input.url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(input.url);
    } catch {
      throw new Error(`${where}: url "${input.url}" is not a valid URL`);
    }
    if (!/^https?:$/.test(parsed.protocol)) throw new Error(`${where}: url must be http(s), got ${parsed.protocol}`);
  }
  if (input.image && !input.image.alt.trim()) throw new Error(`${where}: an image needs alt text (--alt), so everyone can follow the post`);
  const base = {
    id: input.id ?? newAnnouncementId(),
    sourceId: EDITOR_SOURCE_ID,
    summary: text,
    ...(input.title ? { title: input.title } : {}),
    ...(input.url ? { url: input.url } : {}),
    tags: [],
    images: input.image ? [{ url: input.image.path, alt: input.image.alt.trim() }] : [],
  };
  const contentHash = createHash('sha256').update(JSON.stringify([base.title, base.summary, base.url, base.images])).digest('hex').slice(0, 32);
  return ItemSchema.parse({ ...base, contentHash });
}
