import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ItemSchema, type Item } from '../core/item.js';
import { EDITOR_SOURCE_ID } from '../config/schema.js';
import { articleKey } from './article-key.js';
import { canonicalUrl } from './canonical-url.js';

/** The earliest publish-at time taken: anything before is a typo (a year of 0026, 1926), not a plan. */
export const EARLIEST_PUBLISH_AT = Date.UTC(2000, 0, 1);
/** How far ahead a publish-at time may be; further is a typo too, and would sit in the queue for ever. */
export const MAX_PUBLISH_AT_YEARS_AHEAD = 5;

/**
 * ISO 8601 / RFC 3339 with a four-digit year, minutes, optional seconds and fraction, and an offset. Date.parse
 * alone is too lenient for an editor's input: it takes RFC 2822 dates, six-digit years (+275760-09-13) and
 * rolls 2026-02-30 over into March.
 */
const ISO_TIME =
  /^(?<year>\d{4})-(?<month>\d\d)-(?<day>\d\d)[Tt ](?<hour>\d\d):(?<minute>\d\d)(?::(?<second>\d\d)(?:\.\d{1,9})?)?(?:[Zz]|[+-](?<offHour>\d\d):?(?<offMinute>\d\d))$/;

const PUBLISH_AT_FORMAT = 'give an ISO 8601 time with its offset, e.g. 2026-12-01T09:00:00+01:00';

/** The instant an editor's publish-at time names, or why it names none that makes sense. */
export function parsePublishAt(value: string, now = Date.now()): { ms: number } | { problem: string } {
  const groups = ISO_TIME.exec(value)?.groups;
  if (!groups) return { problem: PUBLISH_AT_FORMAT };
  const n = (name: string) => Number(groups[name] ?? 0);
  const daysInMonth = new Date(Date.UTC(n('year'), n('month'), 0)).getUTCDate();
  if (n('month') < 1 || n('month') > 12 || n('day') < 1 || n('day') > daysInMonth) {
    return { problem: `${value.slice(0, 10)} is not a day on the calendar; ${PUBLISH_AT_FORMAT}` };
  }
  if (n('hour') > 23 || n('minute') > 59 || n('second') > 59 || n('offHour') > 23 || n('offMinute') > 59) {
    return { problem: `no such time of day or offset; ${PUBLISH_AT_FORMAT}` };
  }
  const ms = Date.parse(value.replace(' ', 'T').replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  if (Number.isNaN(ms)) return { problem: PUBLISH_AT_FORMAT };
  if (ms < EARLIEST_PUBLISH_AT) return { problem: `${value} is before 2000; check the year` };
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_PUBLISH_AT_YEARS_AHEAD);
  if (ms > latest.getTime()) {
    return { problem: `${value} is more than ${MAX_PUBLISH_AT_YEARS_AHEAD} years ahead (the latest is ${latest.toISOString().slice(0, 10)}); check the year` };
  }
  return { ms };
}

/**
 * A time an editor gives: ISO 8601 with its offset, so "09:00" never means the server's zone by accident,
 * between 2000 and a few years from now; out comes the instant in UTC (`…Z`). Every door (CLI, files, HTTP
 * API; add and edit) parses `at` here.
 */
export const PublishAtSchema = z.string().transform((value, ctx) => {
  const parsed = parsePublishAt(value);
  if ('ms' in parsed) return new Date(parsed.ms).toISOString();
  ctx.addIssue({ code: 'custom', message: parsed.problem });
  return z.NEVER;
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
  // An announcement that links an article is that article, for any feed that brings it too (src/outbox/seen-marks.ts).
  const canonical = input.url === undefined ? undefined : canonicalUrl(input.url);
  const key = canonical?.ok ? articleKey({ url: canonical.url, urlIdentity: canonical.identity, sourceId: EDITOR_SOURCE_ID, contentHash }) : undefined;
  return ItemSchema.parse({ ...base, contentHash, ...(key ? { articleKey: key } : {}) });
}
