import type { Writable } from 'node:stream';
import { EditorError } from '../core/errors.js';
import { terminalLine } from '../core/terminal-text.js';
import { Outbox } from '../outbox/outbox.js';
import { deliveriesToRetract } from '../outbox/retract.js';
import { newClaimOwner } from '../store/claim-owner.js';
import { openRuntime, type GlobalOptions } from './context.js';

/**
 * `threadcast retract ID`: deletes a published thread on its platform; with `--all`, every thread of the item or
 * announcement ID names, on every channel. One line per delivery; exit 1 when any was refused or failed.
 */
export async function retractCommand(opts: GlobalOptions & { id: string; all?: boolean }, out: Writable): Promise<number> {
  const runtime = await openRuntime(opts);
  try {
    const outbox = new Outbox(runtime.store, { owner: newClaimOwner(), retry: runtime.config.retry, log: runtime.log });
    let failed = 0;
    for (const delivery of await deliveriesToRetract(runtime.store, opts.id, opts.all ?? false)) {
      try {
        const done = await outbox.retract(delivery.id, runtime.config);
        const said = done.state === 'retracted' ? `retracted (${done.history.at(-1)?.detail ?? ''})` : `${done.reason ?? 'not retracted'}; run retract again to finish`;
        if (done.state !== 'retracted') failed += 1;
        out.write(`${done.id}: ${terminalLine(said)}\n`);
      } catch (err) {
        if (!(err instanceof EditorError)) throw err;
        failed += 1;
        out.write(`threadcast retract: ${terminalLine(err.message)}\n`);
      }
    }
    return failed > 0 ? 1 : 0;
  } catch (err) {
    if (!(err instanceof EditorError)) throw err;
    out.write(`threadcast retract: ${terminalLine(err.message)}\n`);
    return 1;
  } finally {
    await runtime.store.close();
  }
}
