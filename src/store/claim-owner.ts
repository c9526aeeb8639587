import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Claims name their owner as host:pid:nonce. A process that crashed mid-publish leaves its claim
 * behind; on the same host a successor can tell that the pid is gone and take over at once instead of
 * waiting out the lease. Another host's claim is only ever taken after its lease expires.
 */
export function newClaimOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export function isDeadLocalOwner(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM means the pid exists (another user's process): not dead.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
