import { existsSync, realpathSync, statSync } from 'node:fs';
import { lutimes } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { EDITOR_SOURCE_ID, type Config } from '../config/schema.js';
import { deliveryId, type Delivery } from '../core/delivery.js';
import { EditorError, unknownChannels } from '../core/errors.js';
import { CONTENT_HASH_SCHEME, ItemSchema, type Item } from '../core/item.js';
import {
  announcementItem,
  AnnouncementEditSchema,
  AnnouncementRequestSchema,
  type AnnouncementEdit,
  type AnnouncementRequest,
} from '../sources/announcement.js';
import { readInside, RefusedFile, resolveInside } from '../sources/folder-files.js';
import type { Store } from '../store/store.js';
import { isTakenImage, removeAbandonedUploads, storeUpload, UPLOAD_ID, uploadsDir, uploadsLimit } from '../store/uploads.js';
import { editorActions, hasNotStarted, type EditorAction, type EditorScope } from './editor-actions.js';
import type { Outbox } from './outbox.js';
import { SeenMarks, type SeenMark } from './seen-marks.js';

const MAX_IMAGE_FILE_BYTES = 50 * 1024 * 1024;

export interface QueuedAnnouncement {
  item: Item;
  /** One per channel; a channel that already had this announcement is left out. */
  deliveries: Delivery[];
  /** Channels left out because a feed already sent the article the announcement links there. */
  skipped: Array<{ channelId: string; reason: string }>;
}

/**
 * Where a door may take an announcement's image file from. `{ within: folder }`: a file an editor named in a
 * drop file, relative to its folder and really inside it (whoever writes there may not read the server's
 * files); the API's own uploads folder is given the same way. `'any-readable-file'`: the operator at the shell
 * (`queue add --image`), who can read those files anyway; relative to the working directory. A door that gives
 * neither takes no image file.
 *
 * An image from any folder but the uploads folder is copied into it when it is queued, and the copy is what goes
 * out: editors can still change their folder after the check (swap a folder on the way for a link to one they
 * cannot read), and the publisher reads the image only later.
 */
export type ImageFiles = { within: string } | 'any-readable-file';

/** How a door names a field to its user: the CLI says "--url", a file and the API say "url". */
export type FieldLabel = (field: string) => string;

/** Parses an editor's input with `schema`, turning the first problem into an EditorError naming the field. */
export function parseEditorInput<S extends z.ZodType>(schema: S, input: unknown, where: string, label: FieldLabel = (f) => f): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.join('.');
  const field = issue.code === 'unrecognized_keys' ? issue.keys[0] : path || undefined;
  const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
  throw new EditorError('input', `${where}: ${path ? `${label(path)}: ` : ''}${message}`, field, message);
}

/**
 * What editors can do to the queue, whichever door they come through (CLI, Markdown files, HTTP API):
 * queue an announcement on chosen channels, and approve, hold, edit or cancel a delivery before it goes out.
 * Announcements are Items, so they pass through the same compose and outbox as feed items.
 */
export class EditorQueue {
  constructor(
    private readonly config: Config,
    private readonly store: Store,
    private readonly outbox: Outbox,
  ) {}

  /**
   * `where` names the door for error messages ("queue add", "news/launch.md"); `images` says where an image
   * file may come from; `id` makes the announcement's id stable (a file queued again after a crash is not doubled).
   */
  async add(input: unknown, opts: { where: string; images?: ImageFiles; id?: string; label?: FieldLabel }): Promise<QueuedAnnouncement> {
    const request: AnnouncementRequest = parseEditorInput(AnnouncementRequestSchema, input, opts.where, opts.label);
    const channels = this.channelsFor(request.channels, opts.where, opts.label);
    const image = request.image === undefined ? undefined : { path: await imageFile(request.image, opts, { dir: uploadsDir(this.config), maxBytes: uploadsLimit(this.config) }), alt: request.alt ?? '' };
    const item = announcementItem(
      { text: request.text, ...(request.url ? { url: request.url } : {}), ...(image ? { image } : {}), ...(opts.id ? { id: opts.id } : {}) },
      opts.where,
    );
    // The schema gave the instant in UTC.
    const notBefore = request.at;
    const deliveries: Delivery[] = [];
    const skipped: QueuedAnnouncement['skipped'] = [];
    for (const channelId of channels) {
      const sent = await this.feedCopyAlreadySent(item, channelId);
      if (sent) {
        skipped.push({ channelId, reason: `the article it links already went out from source ${sent.sourceId} (delivery ${sent.id}, ${sent.state})` });
        continue;
      }
      const delivery = await this.outbox.enqueue(item, channelId, {
        priority: this.config.editor.priority,
        held: this.config.editor.review,
        ...(notBefore ? { notBefore } : {}),
      });
      if (delivery) {
        deliveries.push(delivery);
        await this.claimArticle(item, channelId);
      }
    }
    return { item, deliveries, skipped };
  }

  /** The feed delivery of the article `item` links on `channelId`, when it has started going out or went out. */
  private async feedCopyAlreadySent(item: Item, channelId: string): Promise<Delivery | undefined> {
    const mode = this.config.channels.find((c) => c.id === channelId)?.dedup ?? 'article';
    if (mode !== 'article' || item.articleKey === undefined) return undefined;
    const mark = await new SeenMarks(this.store, channelId, mode).get(item);
    if (mark?.sourceId === undefined || mark.sourceId === item.sourceId || mark.itemId === undefined) return undefined;
    const feedDelivery = await this.store.getDelivery(deliveryId(channelId, mark.sourceId, mark.itemId));
    return feedDelivery && !hasNotStarted(feedDelivery) && feedDelivery.state !== 'cancelled' ? feedDelivery : undefined;
  }

  /**
   * An announcement that links an article a feed brings is that article on the channel, and the announcement wins:
   * a feed's delivery of it that has not started going out is cancelled, and the feed is noted as "also in". A feed
   * that brings the article later is noted the same way (intake.ts). One that already went out keeps the channel
   * out of the announcement (see add). Channels that dedup per source are left alone.
   */
  private async claimArticle(item: Item, channelId: string): Promise<void> {
    const mode = this.config.channels.find((c) => c.id === channelId)?.dedup ?? 'article';
    if (mode !== 'article' || item.articleKey === undefined) return;
    const marks = new SeenMarks(this.store, channelId, mode);
    const mark = await marks.get(item);
    const at = new Date().toISOString();
    const own: SeenMark = { firstSeenAt: at, contentHash: item.contentHash, hashScheme: CONTENT_HASH_SCHEME };
    if (mark?.sourceId === undefined || mark.sourceId === item.sourceId) {
      await marks.set(item, { ...own, ...(mark?.alsoIn ? { alsoIn: mark.alsoIn } : {}) });
      return;
    }
    const feedDelivery = mark.itemId === undefined ? undefined : await this.store.getDelivery(deliveryId(channelId, mark.sourceId, mark.itemId));
    if (feedDelivery && hasNotStarted(feedDelivery)) await this.outbox.cancel(feedDelivery.id, `replaced by announcement ${item.id}`);
    await marks.set(item, { ...own, alsoIn: [...new Set([...(mark.alsoIn ?? []), mark.sourceId])] });
  }

  /** Deliveries an id names: a delivery id (channel:source:item), or an announcement id (all its channels). */
  async resolve(id: string): Promise<Delivery[]> {
    const direct = await this.store.getDelivery(id);
    if (direct) return [direct];
    const byItem = (await this.store.listDeliveries()).filter((d) => d.itemId === id);
    if (byItem.length === 0) throw new EditorError('not-found', `no delivery or announcement with id ${id}`);
    return byItem;
  }

  /**
   * The deliveries one action on delivery `id` reaches: that delivery first, then, with scope 'item', the same
   * item's deliveries on its other channels that allow the action now (one already sent is left as it is).
   */
  async scoped(id: string, action: EditorAction, scope: EditorScope): Promise<Delivery[]> {
    const first = await this.store.getDelivery(id);
    if (!first) throw new EditorError('not-found', `no delivery with id ${id}`);
    if (scope === 'channel') return [first];
    const siblings = (await this.store.listDeliveries()).filter(
      (d) => d.id !== first.id && d.sourceId === first.sourceId && d.itemId === first.itemId && editorActions(d).includes(action),
    );
    return [first, ...siblings];
  }

  approve(id: string, scope?: EditorScope): Promise<Delivery[]> {
    return this.each(id, 'approve', scope, (d) => this.outbox.approve(d.id));
  }

  hold(id: string, scope?: EditorScope): Promise<Delivery[]> {
    return this.each(id, 'hold', scope, (d) => this.outbox.hold(d.id));
  }

  cancel(id: string, scope?: EditorScope): Promise<Delivery[]> {
    return this.each(id, 'cancel', scope, (d) => this.outbox.cancel(d.id));
  }

  /** Rewrites the text, link or publish-at time of deliveries that have not started going out. */
  async edit(id: string, input: unknown, where: string, label?: FieldLabel, scope?: EditorScope): Promise<Delivery[]> {
    const changes: AnnouncementEdit = parseEditorInput(AnnouncementEditSchema, input, where, label);
    if (changes.text === undefined && changes.url === undefined && changes.at === undefined) {
      throw new EditorError('input', `${where}: nothing to change (give text, url or at)`);
    }
    const notBefore = changes.at;
    return this.each(id, 'edit', scope, (d) => this.outbox.edit(d.id, editedItem(d.item, changes), notBefore));
  }

  /**
   * Without a scope, `id` is a delivery id or an announcement id (all its channels), as the CLI takes it; with one,
   * a delivery id and the reach `scoped` gives (the API).
   */
  private async each(id: string, action: EditorAction, scope: EditorScope | undefined, job: (d: Delivery) => Promise<Delivery>): Promise<Delivery[]> {
    const out: Delivery[] = [];
    for (const d of scope === undefined ? await this.resolve(id) : await this.scoped(id, action, scope)) out.push(await job(d));
    return out;
  }

  /** Deletes a delivery's published thread on its platform (Outbox.retract); one delivery, by its id. */
  retract(id: string): Promise<Delivery> {
    return this.outbox.retract(id, this.config);
  }

  /** A drop file's version queued just before the file was saved again (src/sources/editor-folder.ts). */
  async supersededVersion(file: string): Promise<string | undefined> {
    return (await this.store.kv.get(supersededKey(file))) as string | undefined;
  }

  async setSupersededVersion(file: string, announcementId: string | undefined): Promise<void> {
    if (announcementId === undefined) await this.store.kv.delete(supersededKey(file));
    else await this.store.kv.set(supersededKey(file), announcementId);
  }

  /** Cancels every delivery of the announcement that has not started going out (those that have go on). */
  async withdraw(announcementId: string, reason: string): Promise<string[]> {
    const withdrawn: string[] = [];
    for (const d of await this.store.listDeliveries()) {
      if (d.sourceId !== EDITOR_SOURCE_ID || d.itemId !== announcementId || !hasNotStarted(d) || d.state === 'cancelled') continue;
      try {
        withdrawn.push((await this.outbox.cancel(d.id, reason)).id);
      } catch (err) {
        // Taken by a publish meanwhile: it goes out, as any delivery an editor is too late to cancel.
        if (!(err instanceof EditorError && err.kind === 'conflict')) throw err;
      }
    }
    return withdrawn;
  }

  /**
   * Removes the uploads no delivery names and none has named for a week (store/uploads.ts): images uploaded for
   * drafts never queued, and drop-file copies a crash left twice. Returns their names.
   */
  async removeAbandonedUploads(now = Date.now()): Promise<string[]> {
    const named = new Set<string>();
    for (const delivery of await this.store.listDeliveries()) {
      for (const image of delivery.item.images) {
        const name = path.basename(image.url);
        if (UPLOAD_ID.test(name)) named.add(name);
      }
    }
    return removeAbandonedUploads(uploadsDir(this.config), named, now);
  }

  private channelsFor(requested: string[] | undefined, where: string, label: FieldLabel = (f) => f): string[] {
    const known = this.config.channels.map((c) => c.id);
    if (known.length === 0) throw new EditorError('input', `${where}: no channels are configured`);
    if (!requested) return known;
    const unknown = requested.filter((c) => !known.includes(c));
    if (unknown.length) {
      const detail = unknownChannels(unknown, known);
      throw new EditorError('input', `${where}: ${label('channels')}: ${detail}`, 'channels', detail);
    }
    return [...new Set(requested)];
  }
}

const supersededKey = (file: string) => `editor-folder:superseded:${path.resolve(file)}`;

/** The image file an editor named, as the door allows; its path is what the publisher reads at send time. */
async function imageFile(given: string, opts: { where: string; images?: ImageFiles; label?: FieldLabel }, uploads: { dir: string; maxBytes: number }): Promise<string> {
  const field = (opts.label ?? ((f) => f))('image');
  const refuse = (detail: string) => new EditorError('input', `${opts.where}: ${field}: ${detail}`, 'image', detail);
  if (opts.images === undefined) throw refuse('this door takes no image files');
  if (opts.images !== 'any-readable-file') {
    try {
      if (path.resolve(opts.images.within) === path.resolve(uploads.dir)) {
        const file = await resolveInside(uploads.dir, given, MAX_IMAGE_FILE_BYTES);
        // Named now: a week from here, not from the upload, before it could be taken for abandoned.
        const now = new Date();
        await lutimes(file, now, now);
        return file;
      }
      const bytes = await readInside(opts.images.within, given, MAX_IMAGE_FILE_BYTES);
      if (!isTakenImage(bytes)) throw refuse(`${given} is not a PNG, JPEG, GIF or WebP image`);
      return path.join(uploads.dir, (await storeUpload(uploads.dir, bytes, uploads.maxBytes, `${opts.where}: ${field}`)).id);
    } catch (err) {
      if (err instanceof RefusedFile) throw refuse(err.reason === 'missing' || err.reason === 'absolute' || err.reason === 'outside' ? err.message : `${given} ${err.message}`);
      throw err;
    }
  }
  const file = path.resolve(given);
  if (!existsSync(file) || !statSync(file).isFile()) throw refuse(`no such file ${given}`);
  if (statSync(file).size > MAX_IMAGE_FILE_BYTES) throw refuse(`${given} is larger than ${MAX_IMAGE_FILE_BYTES} bytes`);
  // The real path: the publisher reads it without following links (src/media/images.ts).
  return realpathSync(file);
}

/** The item with an editor's changes; its id stays, so the delivery keeps its place and its dedup key. */
function editedItem(item: Item, changes: AnnouncementEdit): Item {
  const next: Record<string, unknown> = { ...item };
  if (changes.text !== undefined) next.summary = changes.text;
  if (changes.url === null) delete next.url;
  else if (changes.url !== undefined) next.url = changes.url;
  return ItemSchema.parse(next);
}
