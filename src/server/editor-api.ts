import { mkdir } from 'node:fs/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { droppedText } from '../compose/dropped-text.js';
import { EDITOR_SOURCE_ID, type Config } from '../config/schema.js';
import type { Delivery } from '../core/delivery.js';
import { EditorError, unknownChannels } from '../core/errors.js';
import { EDITOR_SCOPES } from '../outbox/editor-actions.js';
import { EditorQueue, parseEditorInput } from '../outbox/editor-queue.js';
import { dryRunReason } from '../platforms/create-publisher.js';
import { LinkCardCache, previewThread } from '../platforms/thread-preview.js';
import { announcementItem, AnnouncementTextSchema, HttpUrlSchema } from '../sources/announcement.js';
import type { Store } from '../store/store.js';
import { deliveryView, historyViews, QUEUE_VIEW_ITEMS, QUEUE_VIEW_MAX_ITEMS, queueViews } from './delivery-view.js';
import { MAX_UPLOAD_BYTES, MAX_UPLOADS_IN_FLIGHT, readUpload, storeUpload, UPLOAD_ID, uploadsDir, uploadsLimit } from '../store/uploads.js';

/** Getters, because SIGHUP can swap the config and everything built from it while the server keeps running. */
export interface EditorApiDeps {
  config: () => Config;
  store: () => Store;
  queue: () => EditorQueue;
}

/** The API takes no image paths: a browser must never name files on the server. */
const PreviewRequestSchema = z
  .object({
    text: AnnouncementTextSchema,
    url: HttpUrlSchema.optional(),
    channels: z.array(z.string().min(1)).optional(),
  })
  .strict();

/** `image` is the id POST /api/uploads gave, never a path: the queue then takes it from the uploads folder only. */
const AddRequestSchema = z
  .object({ text: z.unknown(), url: z.unknown(), at: z.unknown(), channels: z.unknown(), image: z.string().regex(UPLOAD_ID, 'give the id of an uploaded image'), alt: z.unknown() })
  .partial()
  .strict();

const ViewQuerySchema = z.object({
  view: z.enum(['queue', 'history']).default('queue'),
  /** How many items of the queue to list (delivery-view.ts). */
  items: z.coerce.number().int().min(1).max(QUEUE_VIEW_MAX_ITEMS).default(QUEUE_VIEW_ITEMS),
});

/** An action reaches the item's deliveries on every channel unless `scope=channel` says only this one. */
const ScopeQuerySchema = z.object({ scope: z.enum(EDITOR_SCOPES).default('item') });

/** The thumbnail a page shows for an image: small enough for a row, re-encoded so no metadata leaves. */
const THUMB_LIMITS = { maxBytes: 200_000, maxDimension: 480 };

const STATUS: Record<EditorError['kind'], number> = { input: 400, 'not-found': 404, conflict: 409, full: 507 };

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof EditorError) return reply.code(STATUS[err.kind]).send({ error: err.message, ...(err.field ? { field: err.field } : {}) });
  throw err;
}

/**
 * The editor's JSON API under /api: preview, queue, approve, hold, edit, cancel, history. Its routes declare
 * no access of their own: the server's route guard requires the token on every route not marked public.
 */
export function registerEditorApi(app: FastifyInstance, deps: EditorApiDeps): void {
  let cards = { web: deps.config().web, cache: new LinkCardCache(deps.config().web) };
  const cardCache = (config: Config) => {
    if (cards.web !== config.web) cards = { web: config.web, cache: new LinkCardCache(config.web) };
    return cards.cache;
  };
  const channelOf = (id: string) => deps.config().channels.find((c) => c.id === id);
  const view = (d: Delivery) => deliveryView(d, { channel: channelOf(d.channelId), globalDryRun: deps.config().dryRun });
  const scopeOf = (query: unknown) => {
    const parsed = ScopeQuerySchema.safeParse(query);
    if (!parsed.success) throw new EditorError('input', 'scope must be item or channel', 'scope');
    return parsed.data.scope;
  };

  void app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 0, parts: 1 } });

  app.get('/api/channels', async () => {
    const config = deps.config();
    return {
      channels: config.channels.map((c) => {
        // The same decision the publisher makes at start: dry-run by config, by channel, or for want of credentials.
        const reason = dryRunReason(c, config.dryRun);
        return { id: c.id, platform: c.platform, dryRun: reason !== undefined, dryRunReason: reason ?? null, timezone: c.schedule.timezone };
      }),
      editor: { review: config.editor.review },
    };
  });

  // Each upload in flight holds up to MAX_UPLOAD_BYTES in memory until it is written.
  let uploading = 0;
  app.post('/api/uploads', { config: { upload: true } }, async (request, reply) => {
    if (uploading >= MAX_UPLOADS_IN_FLIGHT) return reply.code(503).header('retry-after', '2').send({ error: `${MAX_UPLOADS_IN_FLIGHT} uploads are in progress; try again in a moment` });
    uploading += 1;
    try {
      if (!request.isMultipart()) throw new EditorError('input', 'send the image as multipart/form-data (field "image")', 'image');
      const file = await request.file();
      if (!file) throw new EditorError('input', 'image: no file sent', 'image');
      const data = await file.toBuffer().catch((err: { code?: string }) => {
        if (err.code === 'FST_REQ_FILE_TOO_LARGE') throw new EditorError('input', `image: larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`, 'image');
        throw err;
      });
      const config = deps.config();
      return reply.code(201).send({ image: await storeUpload(uploadsDir(config), data, uploadsLimit(config)) });
    } catch (err) {
      return sendError(reply, err);
    } finally {
      uploading -= 1;
    }
  });

  app.get<{ Params: { id: string } }>('/api/uploads/:id', async (request, reply) => {
    try {
      return await sendThumb(reply, await readUpload(uploadsDir(deps.config()), request.params.id));
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.get<{ Params: { id: string; index: string } }>('/api/deliveries/:id/images/:index', async (request, reply) => {
    try {
      const delivery = await deps.store().getDelivery(request.params.id);
      const image = delivery?.item.images[Number(request.params.index)];
      // Only an announcement's image is a file a door checked; a feed's is a remote URL the page does not fetch.
      if (!delivery || !image || delivery.sourceId !== EDITOR_SOURCE_ID) throw new EditorError('not-found', 'no such image');
      const { loadImage } = await import('../media/images.js');
      return await sendThumb(reply, await loadImage(image.url, { timeoutMs: 5000, allowPrivateHosts: [] }));
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.post('/api/preview', async (request, reply) => {
    try {
      // Validated as a real announcement would be, so a preview never shows what queueing would refuse.
      const body = parseEditorInput(PreviewRequestSchema, request.body, 'preview');
      const item = announcementItem({ text: body.text, ...(body.url ? { url: body.url } : {}) }, 'preview');
      const config = deps.config();
      // Each channel once: a list that names one channel thousands of times would compose it as often.
      const wanted = [...new Set(body.channels ?? config.channels.map((c) => c.id))];
      const unknown = wanted.filter((id) => !channelOf(id));
      if (unknown.length) throw new EditorError('input', `preview: channels: ${unknownChannels(unknown, config.channels.map((c) => c.id))}`, 'channels');
      const previews = await Promise.all(wanted.map((id) => previewThread(item, channelOf(id)!, cardCache(config))));
      return {
        channels: previews.map((p) => ({
          ...p,
          dropped: p.composeProblem ? null : droppedText(item.summary, p.parts.map((part) => part.text)),
          dryRunReason: dryRunReason(channelOf(p.channelId)!, config.dryRun) ?? null,
        })),
      };
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.post('/api/announcements', async (request, reply) => {
    try {
      const body = parseEditorInput(AddRequestSchema, request.body, 'announcement');
      const uploads = uploadsDir(deps.config());
      // An id before any upload names no file: the folder must exist for that to be said as "no such file".
      if (body.image !== undefined) await mkdir(uploads, { recursive: true, mode: 0o700 });
      const { item, deliveries, skipped } = await deps.queue().add(request.body, { where: 'announcement', images: { within: uploads } });
      return reply.code(201).send({ announcementId: item.id, deliveries: deliveries.map(view), skipped });
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.get('/api/deliveries', async (request, reply) => {
    const query = ViewQuerySchema.safeParse(request.query);
    if (!query.success) {
      const field = String(query.error.issues[0]?.path[0] ?? 'view');
      const error = field === 'items' ? `items must be a whole number from 1 to ${QUEUE_VIEW_MAX_ITEMS}` : 'view must be queue or history';
      return reply.code(400).send({ error, field });
    }
    const [config, store] = [deps.config(), deps.store()];
    if (query.data.view === 'history') return { deliveries: await historyViews(config, store) };
    const queue = await queueViews(config, store, Date.now(), query.data.items);
    return { deliveries: queue.views, moreItems: queue.moreItems };
  });

  app.get<{ Params: { id: string } }>('/api/deliveries/:id', async (request, reply) => {
    const delivery = await deps.store().getDelivery(request.params.id);
    if (!delivery) return reply.code(404).send({ error: `no delivery with id ${request.params.id}` });
    return { delivery: view(delivery) };
  });

  for (const action of ['approve', 'hold', 'cancel'] as const) {
    app.post<{ Params: { id: string } }>(`/api/deliveries/:id/${action}`, async (request, reply) => {
      try {
        const reached = await deps.queue()[action](await deliveryIdOnly(deps.store(), request.params.id), scopeOf(request.query));
        return { delivery: view(reached[0]!), deliveries: reached.map(view) };
      } catch (err) {
        return sendError(reply, err);
      }
    });
  }

  // Deletes the published thread on its platform: 200 once retracted; 502 when the platform failed (the delivery
  // stays `retracting`, its reason says why, and the next retract finishes it); 409 when it cannot be retracted.
  app.post<{ Params: { id: string } }>('/api/deliveries/:id/retract', async (request, reply) => {
    try {
      const delivery = await deps.queue().retract(await deliveryIdOnly(deps.store(), request.params.id));
      return reply.code(delivery.state === 'retracted' ? 200 : 502).send({ delivery: view(delivery) });
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.put<{ Params: { id: string } }>('/api/deliveries/:id', async (request, reply) => {
    try {
      const reached = await deps.queue().edit(await deliveryIdOnly(deps.store(), request.params.id), request.body, 'edit', undefined, scopeOf(request.query));
      return { delivery: view(reached[0]!), deliveries: reached.map(view) };
    } catch (err) {
      return sendError(reply, err);
    }
  });
}

/** The thumbnail of an image's bytes, re-encoded (never the bytes as given: no metadata, no polyglot file). */
async function sendThumb(reply: FastifyReply, data: Buffer): Promise<FastifyReply> {
  const { prepareImage } = await import('../media/images.js');
  const thumb = await prepareImage(data, THUMB_LIMITS).catch((err: Error) => {
    throw new EditorError('input', `image: ${err.message}`, 'image');
  });
  return reply.type(thumb.mimeType).send(thumb.data);
}

/** The API names a delivery by its id; `scope` says whether its item's other channels follow (an announcement id is the CLI's). */
async function deliveryIdOnly(store: Store, id: string): Promise<string> {
  if (!(await store.getDelivery(id))) throw new EditorError('not-found', `no delivery with id ${id}`);
  return id;
}
