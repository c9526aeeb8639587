import type { Writable } from 'node:stream';
import { App, type CycleReport } from '../app/app.js';
import { DUE_STATES } from '../core/delivery-states.js';
import type { Store } from '../store/store.js';
import { openRuntime, type GlobalOptions } from './context.js';
import { terminalLine } from '../core/terminal-text.js';

/** What is still in a channel's queue after the round, from the store (the round's counts only cover what it touched). */
export interface QueueCounts {
  /** Eligible now, but held back by the channel's pace, the round's limit or a credentials back-off. */
  dueNow: number;
  /** Waiting for a retry's back-off or a publish-at time. */
  dueLater: number;
  /** Waiting for a spent rate limit, cap or budget to come back. */
  waitingForBudget: number;
}

/** Polls every source, queues new items, publishes what is due, exits. Non-zero when anything failed. */
export async function onceCommand(opts: GlobalOptions, out: Writable): Promise<number> {
  const runtime = await openRuntime(opts);
  const app = new App({ config: runtime.config, store: runtime.store, log: runtime.log, out });
  try {
    const report = await app.cycle();
    const queues = new Map<string, QueueCounts>();
    for (const c of report.channels) queues.set(c.channelId, await queueOf(runtime.store, c.channelId, Date.now()));
    out.write(summarise(report, queues));
    // Refused credentials make a channel report not ok: nothing can go out until an operator acts.
    return report.sources.every((s) => s.ok) && report.channels.every((c) => c.ok && !c.dead) ? 0 : 1;
  } finally {
    await app.close();
    await runtime.store.close();
  }
}

async function queueOf(store: Store, channelId: string, now: number): Promise<QueueCounts> {
  const counts: QueueCounts = { dueNow: 0, dueLater: 0, waitingForBudget: 0 };
  for (const d of await store.listDeliveries({ channelId, states: DUE_STATES })) {
    if (d.notBefore === undefined || Date.parse(d.notBefore) <= now) counts.dueNow += 1;
    else if (d.wait !== undefined && d.wait.kind !== 'auth') counts.waitingForBudget += 1;
    else counts.dueLater += 1;
  }
  return counts;
}

function describeQueue(q: QueueCounts | undefined): string {
  if (!q) return '';
  const total = q.dueNow + q.dueLater + q.waitingForBudget;
  if (total === 0) return '; nothing left in the queue';
  const parts = [
    q.dueNow ? `${q.dueNow} due now` : '',
    q.dueLater ? `${q.dueLater} due later` : '',
    q.waitingForBudget ? `${q.waitingForBudget} waiting for a rate limit, cap or budget` : '',
  ].filter(Boolean);
  return `; ${total} still queued (${parts.join(', ')})`;
}

export function summarise(report: CycleReport, queues = new Map<string, QueueCounts>()): string {
  const lines = ['', 'threadcast once:'];
  for (const s of report.sources) {
    lines.push(
      s.ok
        ? `  source ${s.sourceId}: ${s.notModified ? 'not modified' : `${s.items} item(s)`}, ${s.queued} new${s.problems ? `, ${s.problems} problem(s)` : ''}`
        : `  source ${s.sourceId}: FAILED — ${terminalLine(s.error ?? '')}`,
    );
  }
  for (const c of report.channels) {
    const queue = describeQueue(queues.get(c.channelId));
    lines.push(
      c.ok
        ? `  channel ${c.channelId}: ${c.published} ${c.dryRun ? 'recorded (dry-run), nothing posted' : 'published'}, ${c.waiting} waiting, ${c.failed} to retry, ${c.uncertain} uncertain, ${c.dead} dead${queue}`
        : `  channel ${c.channelId}: FAILED — ${terminalLine(c.error ?? '')}${queue}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
