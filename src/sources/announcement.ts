import { createHash, randomBytes } from 'node:crypto';
import { ItemSchema, type Item } from '../core/item.js';
import { EDITOR_SOURCE_ID } from '../config/schema.js';

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
