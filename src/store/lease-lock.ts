import { newClaimOwner } from './claim-owner.js';
import type { Store } from './store.js';

/**
 * Runs `work` while this call holds the store lease `name`: one process at a time, across every process on the
 * store. Waits for a lease another holds, asking again every `pollMs`, and throws `tooLong()` after `waitMs`. The
 * lease lapses by itself after `holdMs` should the process die holding it.
 */
export async function whileHolding<T>(
  leases: Pick<Store, 'acquireLease' | 'releaseLease'>,
  name: string,
  opts: { holdMs: number; waitMs: number; pollMs: number; tooLong: () => Error },
  work: () => Promise<T>,
): Promise<T> {
  const owner = newClaimOwner();
  const deadline = Date.now() + opts.waitMs;
  while (!(await leases.acquireLease(name, owner, opts.holdMs, Date.now()))) {
    if (Date.now() > deadline) throw opts.tooLong();
    await new Promise((r) => setTimeout(r, opts.pollMs));
  }
  try {
    return await work();
  } finally {
    await leases.releaseLease(name, owner);
  }
}
