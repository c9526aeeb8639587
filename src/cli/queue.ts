import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { EDITOR_SOURCE_ID } from '../config/schema.js';
import type { Delivery } from '../core/delivery.js';
import { newClaimOwner } from '../outbox/claim-owner.js';
import { Outbox } from '../outbox/outbox.js';
import { composeForChannel } from '../platforms/compose-for-channel.js';
import { announcementItem } from '../sources/announcement.js';
import { openRuntime, type GlobalOptions, type Runtime } from './context.js';

export interface QueueAddOptions extends GlobalOptions {
  text: string;
  url?: string;
  image?: string;
  alt?: string;
  at?: string;
  channels?: string;
}

const MAX_IMAGE_FILE_BYTES = 50 * 1024 * 1024;

async function withRuntime(opts: GlobalOptions, out: Writable, job: (rt: Runtime, outbox: Outbox) => Promise<number>): Promise<number> {
  const rt = openRuntime(opts);
  try {
    return await job(rt, new Outbox(rt.store, { owner: newClaimOwner(), retry: rt.config.retry, log: rt.log }));
  } catch (err) {
    out.write(`threadcast queue: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await rt.store.close();
  }
}

/** `queue add`: one announcement, one delivery per chosen channel, shown as followers will see it. */
export function queueAddCommand(opts: QueueAddOptions, out: Writable): Promise<number> {
  return withRuntime(opts, out, async (rt, outbox) => {
    const known = rt.config.channels.map((c) => c.id);
    const chosen = opts.channels ? opts.channels.split(',').map((c) => c.trim()).filter(Boolean) : known;
    const unknown = chosen.filter((c) => !known.includes(c));
    if (unknown.length) throw new Error(`--channels: no channel "${unknown.join('", "')}" (configured: ${known.join(', ')})`);
    let notBefore: string | undefined;
    if (opts.at !== undefined) {
      if (!/[zZ]|[+-]\d\d:?\d\d$/.test(opts.at) || Number.isNaN(Date.parse(opts.at))) throw new Error(`--at "${opts.at}": give an ISO 8601 time with its offset, e.g. 2026-12-01T09:00:00+01:00`);
      notBefore = new Date(opts.at).toISOString();
    }
    let image: { path: string; alt: string } | undefined;
    if (opts.image !== undefined) {
      const file = path.resolve(opts.image);
      if (!existsSync(file)) throw new Error(`--image ${opts.image}: no such file`);
      if (statSync(file).size > MAX_IMAGE_FILE_BYTES) throw new Error(`--image ${opts.image}: larger than ${MAX_IMAGE_FILE_BYTES} bytes`);
      image = { path: file, alt: opts.alt ?? '' };
    }
    const item = announcementItem({ text: opts.text, ...(opts.url ? { url: opts.url } : {}), ...(image ? { image } : {}) }, 'queue add');
    for (const channelId of chosen) {
      const delivery = await outbox.enqueue(item, channelId, { priority: rt.config.editor.priority, held: rt.config.editor.review, ...(notBefore ? { notBefore } : {}) });
      if (!delivery) continue;
      out.write(`${delivery.id}  ${delivery.state}${notBefore ? ` at ${notBefore}` : ''}\n`);
      out.write(preview(rt, delivery));
    }
    out.write(`announcement ${item.id} queued on ${chosen.length} channel(s)\n`);
    return 0;
  });
}

function preview(rt: Runtime, delivery: Delivery): string {
  const channel = rt.config.channels.find((c) => c.id === delivery.channelId);
  if (!channel) return '';
  const thread = delivery.thread ?? composeForChannel(delivery.item, channel);
  return thread.parts.map((p, i) => `  [${i + 1}/${thread.parts.length}] ${p.text.replace(/\n/g, '\n        ')}\n`).join('');
}

/** Deliveries an ID names: a delivery id (channel:hash), or an announcement id (all its channels). */
async function resolve(rt: Runtime, id: string): Promise<Delivery[]> {
  const direct = await rt.store.getDelivery(id);
  if (direct) return [direct];
  const all = await rt.store.listDeliveries();
  const byItem = all.filter((d) => d.itemId === id);
  if (byItem.length === 0) throw new Error(`no delivery or announcement with id ${id}`);
  return byItem;
}

export function queueListCommand(opts: GlobalOptions & { json?: boolean }, out: Writable): Promise<number> {
  return withRuntime(opts, out, async (rt) => {
    const open = await rt.store.listDeliveries({ states: ['held', 'queued', 'scheduled', 'failed', 'uncertain', 'publishing'] });
    if (opts.json) {
      out.write(`${JSON.stringify({ deliveries: open.map((d) => ({ id: d.id, channel: d.channelId, source: d.sourceId, item: d.itemId, state: d.state, notBefore: d.notBefore ?? null, title: d.item.title ?? null, text: d.item.summary, reason: d.reason ?? null })) }, null, 2)}\n`);
      return 0;
    }
    for (const d of open) {
      const label = d.item.title ?? d.item.summary.slice(0, 60);
      out.write(`${d.id}  ${d.state.padEnd(9)} ${d.sourceId === EDITOR_SOURCE_ID ? 'announcement' : d.sourceId}  ${d.notBefore ?? 'asap'}  ${label}${d.reason ? `  (${d.reason})` : ''}\n`);
    }
    if (open.length === 0) out.write('the queue is empty\n');
    return 0;
  });
}

export function queueShowCommand(opts: GlobalOptions & { id: string }, out: Writable): Promise<number> {
  return withRuntime(opts, out, async (rt) => {
    for (const d of await resolve(rt, opts.id)) {
      out.write(`${d.id}  ${d.channelId}  ${d.state}${d.notBefore ? ` at ${d.notBefore}` : ''}\n`);
      out.write(preview(rt, d));
      for (const post of d.posts) out.write(`  posted: ${post.url ?? post.id}\n`);
      for (const h of d.history) out.write(`  ${h.at}  ${h.event}${h.detail ? `: ${h.detail}` : ''}\n`);
    }
    return 0;
  });
}

/** `queue approve`: held → queued. `queue cancel`: anything not yet sent → cancelled. */
export function queueTransitionCommand(opts: GlobalOptions & { id: string; action: 'approve' | 'cancel' }, out: Writable): Promise<number> {
  return withRuntime(opts, out, async (rt, outbox) => {
    for (const d of await resolve(rt, opts.id)) {
      const next = opts.action === 'approve' ? await outbox.approve(d.id) : await outbox.cancel(d.id);
      out.write(`${next.id}: ${next.state}\n`);
    }
    return 0;
  });
}
