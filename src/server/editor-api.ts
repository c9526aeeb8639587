import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import { EditorError } from '../core/errors.js';
import { EditorQueue, parseEditorInput } from '../outbox/editor-queue.js';
import { LinkCardCache, previewThread } from '../platforms/thread-preview.js';
import { announcementItem, AnnouncementTextSchema, HttpUrlSchema } from '../sources/announcement.js';
import type { Store } from '../store/store.js';
import { deliveryView, historyViews, queueViews } from './delivery-view.js';

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

const AddRequestSchema = z.object({ text: z.unknown(), url: z.unknown(), at: z.unknown(), channels: z.unknown() }).partial().strict();

const ViewQuerySchema = z.object({ view: z.enum(['queue', 'history']).default('queue') });

const STATUS: Record<EditorError['kind'], number> = { input: 400, 'not-found': 404, conflict: 409 };

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
  const view = (d: Parameters<typeof deliveryView>[0]) => deliveryView(d, channelOf(d.channelId));

  app.get('/api/channels', async () => {
    const config = deps.config();
    return {
    channels: config.channels.map((c) => ({ id: c.id, platform: c.platform, dryRun: config.dryRun || c.dryRun })),
    editor: { review: config.editor.review },
    };
  });

  app.post('/api/preview', async (request, reply) => {
    try {
      // Validated as a real announcement would be, so a preview never shows what queueing would refuse.
      const body = parseEditorInput(PreviewRequestSchema, request.body, 'preview');
      const item = announcementItem({ text: body.text, ...(body.url ? { url: body.url } : {}) }, 'preview');
      const config = deps.config();
      const wanted = body.channels ?? config.channels.map((c) => c.id);
      const unknown = wanted.filter((id) => !channelOf(id));
      if (unknown.length) throw new EditorError('input', `preview: channels: no channel "${unknown.join('", "')}"`, 'channels');
      return { channels: await Promise.all(wanted.map((id) => previewThread(item, channelOf(id)!, cardCache(config)))) };
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.post('/api/announcements', async (request, reply) => {
    try {
      parseEditorInput(AddRequestSchema, request.body, 'announcement');
      const { item, deliveries, skipped } = await deps.queue().add(request.body, { where: 'announcement' });
      return reply.code(201).send({ announcementId: item.id, deliveries: deliveries.map(view), skipped });
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.get('/api/deliveries', async (request, reply) => {
    const query = ViewQuerySchema.safeParse(request.query);
    if (!query.success) return reply.code(400).send({ error: 'view must be queue or history', field: 'view' });
    const [config, store] = [deps.config(), deps.store()];
    return { deliveries: query.data.view === 'queue' ? await queueViews(config, store) : await historyViews(config, store) };
  });

  app.get<{ Params: { id: string } }>('/api/deliveries/:id', async (request, reply) => {
    const delivery = await deps.store().getDelivery(request.params.id);
    if (!delivery) return reply.code(404).send({ error: `no delivery with id ${request.params.id}` });
    return { delivery: view(delivery) };
  });

  for (const action of ['approve', 'hold', 'cancel'] as const) {
    app.post<{ Params: { id: string } }>(`/api/deliveries/:id/${action}`, async (request, reply) => {
      try {
        const [delivery] = await deps.queue()[action](await deliveryIdOnly(deps.store(), request.params.id));
        return { delivery: view(delivery!) };
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
      const [delivery] = await deps.queue().edit(await deliveryIdOnly(deps.store(), request.params.id), request.body, 'edit');
      return { delivery: view(delivery!) };
    } catch (err) {
      return sendError(reply, err);
    }
  });
}

/** The API acts on one delivery at a time: an announcement id (all channels) is a CLI convenience only. */
async function deliveryIdOnly(store: Store, id: string): Promise<string> {
  if (!(await store.getDelivery(id))) throw new EditorError('not-found', `no delivery with id ${id}`);
  return id;
}
