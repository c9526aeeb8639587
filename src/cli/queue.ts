import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { EDITOR_SOURCE_ID, type Config } from '../config/schema.js';
import { OPEN_STATES } from '../core/delivery-states.js';
import type { Delivery } from '../core/delivery.js';
import { EditorError } from '../core/errors.js';
import { terminalJson, terminalLine, terminalText } from '../core/terminal-text.js';
import { EditorQueue } from '../outbox/editor-queue.js';
import { Outbox } from '../outbox/outbox.js';
import { alsoInFor } from '../outbox/seen-marks.js';
import { tryComposeForChannel } from '../platforms/compose-for-channel.js';
import { dryRunReason } from '../platforms/create-publisher.js';
import { imageLine, shownImage } from '../platforms/image-line.js';
import { newClaimOwner } from '../store/claim-owner.js';
import { openRuntime, type GlobalOptions, type Runtime } from './context.js';
import { renderColumns, type Column } from './table.js';

export interface QueueAddOptions extends GlobalOptions {
  text: string;
  url?: string;
  image?: string;
  alt?: string;
  at?: string;
  channels?: string;
}

async function withQueue(opts: GlobalOptions, out: Writable, job: (rt: Runtime, queue: EditorQueue) => Promise<number>): Promise<number> {
  const rt = await openRuntime(opts);
  try {
    const outbox = new Outbox(rt.store, { owner: newClaimOwner(), retry: rt.config.retry, log: rt.log });
    return await job(rt, new EditorQueue(rt.config, rt.store, outbox));
  } catch (err) {
    out.write(`threadcast queue: ${terminalLine((err as Error).message)}\n`);
    return 1;
  } finally {
    await rt.store.close();
  }
}

const asFlag = (field: string) => `--${field}`;

/** `queue add`: one announcement, one delivery per chosen channel, shown as followers will see it. */
export function queueAddCommand(opts: QueueAddOptions, out: Writable): Promise<number> {
  return withQueue(opts, out, async (rt, queue) => {
    const request = {
      text: opts.text,
      ...(opts.url !== undefined ? { url: opts.url } : {}),
      ...(opts.image !== undefined ? { image: opts.image } : {}),
      ...(opts.alt !== undefined ? { alt: opts.alt } : {}),
      ...(opts.at !== undefined ? { at: opts.at } : {}),
      ...(opts.channels !== undefined ? { channels: opts.channels.split(',').map((c) => c.trim()).filter(Boolean) } : {}),
    };
    const { item, deliveries, skipped } = await queue.add(request, { where: 'queue add', label: asFlag, images: 'any-readable-file' });
    for (const delivery of deliveries) {
      out.write(`${delivery.id}  ${addedAs(delivery)}\n`);
      out.write(preview(rt, delivery));
    }
    for (const s of skipped) out.write(`not queued on ${s.channelId}: ${terminalLine(s.reason)}\n`);
    out.write(`${addSummary(item.id, deliveries, skipped.length)}\n`);
    return addExitCode(deliveries.length, skipped.length);
  });
}

/** One channel's line of `queue add`: what happened to the announcement there, in the words of its state. */
function addedAs(delivery: Delivery): string {
  const at = delivery.notBefore ? ` at ${delivery.notBefore}` : '';
  return delivery.state === 'held' ? `held for review${at}: nothing goes out until it is approved` : `${delivery.state}${at}`;
}

/** The last line: counts by what happened, so "queued" is said only of what was queued. */
function addSummary(id: string, deliveries: Delivery[], skipped: number): string {
  const held = deliveries.filter((d) => d.state === 'held').length;
  const queued = deliveries.length - held;
  const parts = [
    queued > 0 ? `queued on ${queued} channel(s)` : '',
    held > 0 ? `held for review on ${held} channel(s) (approve: threadcast queue approve ${id})` : '',
    skipped > 0 ? `not queued on ${skipped} channel(s)` : '',
  ].filter(Boolean);
  return `announcement ${id} ${parts.join(', ') || 'not queued on any channel'}`;
}

/**
 * 0 when every channel asked for took it (queued, or held for review as the config asks); 3 when some channel
 * left it out; 1 when none took it, as for a refused request.
 */
function addExitCode(taken: number, skipped: number): number {
  if (taken === 0) return 1;
  return skipped > 0 ? 3 : 0;
}

function preview(rt: Runtime, delivery: Delivery): string {
  const channel = rt.config.channels.find((c) => c.id === delivery.channelId);
  if (!channel) return '';
  const { thread, failure } = delivery.thread ? { thread: delivery.thread } : tryComposeForChannel(delivery.item, channel);
  // The delivery is listed whatever its item: publishing will mark it dead with this same reason.
  if (failure) return `  could not compose item ${terminalLine(delivery.itemId)} of ${terminalLine(delivery.sourceId)}: ${terminalLine(failure.reason)}\n`;
  // The images go with the first part on every platform: listed under it, each with its alt text.
  const images = delivery.item.images.map((image) => `        ${imageLine(image)}\n`).join('');
  return thread.parts.map((p, i) => `  [${i + 1}/${thread.parts.length}] ${terminalText(p.text).replace(/\n/g, '\n        ')}\n${i === 0 ? images : ''}`).join('');
}

/** Per configured channel: why it runs in dry-run, or undefined when it posts. */
function dryRunReasons(config: Config): Map<string, string | undefined> {
  return new Map(config.channels.map((c) => [c.id, dryRunReason(c, config.dryRun)]));
}

const LIST_COLUMNS: Column[] = [
  { header: 'ID' },
  { header: 'CHANNEL' },
  { header: 'STATE' },
  { header: 'SOURCE' },
  { header: 'AT' },
  { header: 'TITLE', maxWidth: 48 },
  { header: 'NOTE' },
];

export function queueListCommand(opts: GlobalOptions & { json?: boolean }, out: Writable): Promise<number> {
  return withQueue(opts, out, async (rt) => {
    const open = await rt.store.listDeliveries({ states: OPEN_STATES });
    const dryRun = dryRunReasons(rt.config);
    if (opts.json) {
      const deliveries = open.map((d) => {
        const reason = dryRun.get(d.channelId);
        return { id: d.id, channel: d.channelId, source: d.sourceId, item: d.itemId, state: d.state, notBefore: d.notBefore ?? null, title: d.item.title ?? null, text: d.item.summary, images: d.item.images.map(shownImage), reason: d.reason ?? null, dryRun: reason !== undefined, dryRunReason: reason ?? null };
      });
      out.write(`${terminalJson({ deliveries })}\n`);
      return 0;
    }
    if (open.length === 0) {
      out.write('the queue is empty\n');
      return 0;
    }
    // Titles, texts and reasons come from feeds, editors and platforms: one row each, acting on nothing.
    const rows = open.map((d) => [
      d.id,
      dryRun.get(d.channelId) === undefined ? d.channelId : `${d.channelId} (dry-run)`,
      d.state,
      d.sourceId === EDITOR_SOURCE_ID ? 'announcement' : d.sourceId,
      d.notBefore ?? 'asap',
      terminalLine(d.item.title ?? d.item.summary.slice(0, 60)),
      note(d),
    ]);
    out.write(`${renderColumns(LIST_COLUMNS, rows).join('\n')}\n`);
    // Said once per channel under the rows: what is listed there will be recorded, not posted.
    for (const [channelId, reason] of dryRun) {
      if (reason !== undefined && open.some((d) => d.channelId === channelId)) out.write(`${channelId}: dry-run (${reason}): recorded, not posted\n`);
    }
    return 0;
  });
}

/** The NOTE column: "[img]" when the item carries images (an emoji's width varies by terminal), then the reason. */
function note(d: Delivery): string {
  return [d.item.images.length > 0 ? '[img]' : '', d.reason ? terminalLine(d.reason) : ''].filter(Boolean).join(' ');
}

export function queueShowCommand(opts: GlobalOptions & { id: string }, out: Writable): Promise<number> {
  return withQueue(opts, out, async (rt, queue) => {
    for (const d of await queue.resolve(opts.id)) {
      out.write(`${d.id}  ${d.channelId}  ${d.state}${d.notBefore ? ` at ${d.notBefore}` : ''}\n`);
      const alsoIn = await alsoInFor(rt.store, d.channelId, d.item);
      if (alsoIn.length > 0) out.write(`  also in: ${alsoIn.map(terminalLine).join(', ')}\n`);
      out.write(preview(rt, d));
      for (const post of d.posts) out.write(`  posted: ${terminalLine(post.url ?? post.id)}\n`);
      for (const h of d.history) out.write(`  ${h.at}  ${h.event}${h.detail ? `: ${terminalLine(h.detail)}` : ''}\n`);
    }
    return 0;
  });
}

/** `queue approve`: held → queued. `queue hold`: back to held. `queue cancel`: anything not yet sent → cancelled. */
export function queueTransitionCommand(opts: GlobalOptions & { id: string; action: 'approve' | 'hold' | 'cancel' }, out: Writable): Promise<number> {
  return withQueue(opts, out, async (_rt, queue) => {
    for (const next of await queue[opts.action](opts.id)) out.write(`${next.id}: ${next.state}\n`);
    return 0;
  });
}

export interface QueueEditOptions extends GlobalOptions {
  id: string;
  text?: string;
  url?: string;
  at?: string;
}

/**
 * `queue edit`: new text, link or publish-at for what has not started going out. `--url ''` and `--at ''`
 * remove them. Without --text, $VISUAL or $EDITOR opens the current text, as `git commit` does.
 */
export function queueEditCommand(opts: QueueEditOptions, out: Writable): Promise<number> {
  return withQueue(opts, out, async (rt, queue) => {
    const current = await queue.resolve(opts.id);
    const changes: Record<string, unknown> = {};
    if (opts.url !== undefined) changes.url = opts.url === '' ? null : opts.url;
    if (opts.at !== undefined) changes.at = opts.at === '' ? null : opts.at;
    if (opts.text !== undefined) changes.text = opts.text;
    else if (Object.keys(changes).length === 0) changes.text = editInEditor(current[0]!.item.summary);
    for (const d of await queue.edit(opts.id, changes, 'queue edit', asFlag)) {
      out.write(`${d.id}  ${d.state}${d.notBefore ? ` at ${d.notBefore}` : ''}\n`);
      out.write(preview(rt, d));
    }
    return 0;
  });
}

function editInEditor(text: string): string {
  const editor = process.env.VISUAL || process.env.EDITOR;
  if (!editor || !process.stdin.isTTY) throw new EditorError('input', 'queue edit: give --text, --url or --at (or set $EDITOR and run it in a terminal)');
  const dir = mkdtempSync(path.join(tmpdir(), 'threadcast-edit-'));
  const file = path.join(dir, 'ANNOUNCEMENT.md');
  try {
    writeFileSync(file, `${text}\n`);
    const result = spawnSync(editor, [file], { stdio: 'inherit', shell: true });
    if (result.status !== 0) throw new EditorError('input', `queue edit: ${editor} exited with ${result.status ?? result.signal}; nothing changed`);
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
