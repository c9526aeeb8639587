import type { Writable } from 'node:stream';
import { App, type CycleReport } from '../app/app.js';
import { openRuntime, type GlobalOptions } from './context.js';

/** Polls every source, queues new items, publishes what is due, exits. Non-zero when anything failed. */
export async function onceCommand(opts: GlobalOptions, out: Writable): Promise<number> {
  const runtime = openRuntime(opts);
  const app = new App({ config: runtime.config, store: runtime.store, log: runtime.log, out });
  try {
    const report = await app.cycle();
    out.write(summarise(report));
    return report.sources.every((s) => s.ok) && report.channels.every((c) => c.ok && !c.dead) ? 0 : 1;
  } finally {
    await app.close();
    await runtime.store.close();
  }
}

export function summarise(report: CycleReport): string {
  const lines = ['', 'threadcast once:'];
  for (const s of report.sources) {
    lines.push(
      s.ok
        ? `  source ${s.sourceId}: ${s.notModified ? 'not modified' : `${s.items} item(s)`}, ${s.queued} new${s.problems ? `, ${s.problems} problem(s)` : ''}`
        : `  source ${s.sourceId}: FAILED — ${s.error}`,
    );
  }
  for (const c of report.channels) {
    lines.push(
      c.ok
        ? `  channel ${c.channelId}: ${c.published} published, ${c.waiting} waiting, ${c.failed} to retry, ${c.uncertain} uncertain, ${c.dead} dead`
        : `  channel ${c.channelId}: FAILED — ${c.error}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
