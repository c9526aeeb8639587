import type { Writable } from 'node:stream';
import { Outbox } from '../outbox/outbox.js';
import { newClaimOwner } from '../store/claim-owner.js';
import { openRuntime, type GlobalOptions } from './context.js';

/** `threadcast retry ID`: puts a dead, uncertain or failed delivery back in the queue. */
export async function retryCommand(opts: GlobalOptions & { id: string }, out: Writable): Promise<number> {
  const runtime = await openRuntime(opts);
  try {
    const outbox = new Outbox(runtime.store, { owner: newClaimOwner(), retry: runtime.config.retry, log: runtime.log });
    const delivery = await outbox.retry(opts.id);
    out.write(`${delivery.id}: queued again (${delivery.posts.length} post(s) already on the platform will not be sent again)\n`);
    return 0;
  } catch (err) {
    out.write(`threadcast retry: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await runtime.store.close();
  }
}
