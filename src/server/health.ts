import type { ChannelConfig, Config } from '../config/schema.js';
import { clipForMessage } from '../core/errors.js';
import { CredentialsBackoff } from '../outbox/credentials-backoff.js';
import { credentialsFingerprint, credentialsFix } from '../platforms/create-publisher.js';
import type { Store } from '../store/store.js';

/** The last outcome of one source's poll or one channel's publish round, kept in the store. */
export interface Mark {
  lastOkAt?: string;
  lastErrorAt?: string;
  lastError?: string;
}

export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Readiness {
  ready: boolean;
  checks: ReadinessCheck[];
}

const key = (kind: 'source' | 'channel', id: string) => `health:${kind}:${id}`;

/**
 * Records how each source and channel last fared, in the store rather than in memory, so that with
 * several instances every one of them answers /readyz with the shared truth (only the leader polls).
 */
/** The most of an error a health mark keeps. */
const MAX_ERROR_CHARS = 1_000;

export class HealthMarks {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async record(kind: 'source' | 'channel', id: string, outcome: { ok: true } | { ok: false; error: string }): Promise<void> {
    const previous = ((await this.store.kv.get(key(kind, id))) as Mark | undefined) ?? {};
    const at = new Date(this.now()).toISOString();
    // Cut, whatever made the error: it is shown by /readyz, `status` and alerts, and kept in the store.
    const next: Mark = outcome.ok ? { ...previous, lastOkAt: at } : { ...previous, lastErrorAt: at, lastError: clipForMessage(outcome.error, MAX_ERROR_CHARS) };
    await this.store.kv.set(key(kind, id), next);
  }

  async get(kind: 'source' | 'channel', id: string): Promise<Mark> {
    return ((await this.store.kv.get(key(kind, id))) as Mark | undefined) ?? {};
  }
}

/** Rejects when `promise` takes longer than `ms`: a hung store must make /readyz say no, not hang. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Ready when the store answers and, within `server.readyWithinMinutes`, every source was polled and every
 * channel finished a publish round without a failure. A channel with nothing to send still finishes rounds.
 * A channel whose credentials the platform refused is not ready, however recent its last good round,
 * until they change or a publish with them succeeds.
 */
export async function readiness(config: Config, store: Store, now = Date.now()): Promise<Readiness> {
  const checks: ReadinessCheck[] = [];
  try {
    await within(store.countDeliveries(), 2_000, 'the store');
    checks.push({ name: 'store', ok: true, detail: 'answers' });
  } catch (err) {
    checks.push({ name: 'store', ok: false, detail: (err as Error).message });
    return { ready: false, checks };
  }
  const windowMs = config.server.readyWithinMinutes * 60_000;
  const marks = new HealthMarks(store, () => now);
  const judge = async (kind: 'source' | 'channel', id: string, verb: string) => {
    const mark = await within(marks.get(kind, id), 2_000, 'the store');
    const okAt = mark.lastOkAt ? Date.parse(mark.lastOkAt) : undefined;
    const ok = okAt !== undefined && now - okAt <= windowMs;
    const last = mark.lastError && (!okAt || Date.parse(mark.lastErrorAt!) > okAt) ? `; last error ${mark.lastErrorAt}: ${mark.lastError}` : '';
    const detail = okAt === undefined ? `not ${verb} successfully yet${last}` : `${verb} successfully at ${mark.lastOkAt}${ok ? '' : ` (older than ${config.server.readyWithinMinutes} min)`}${last}`;
    checks.push({ name: `${kind} ${id}`, ok, detail });
  };
  for (const source of config.sources) await judge('source', source.id, 'polled');
  const refused = async (channel: ChannelConfig) => {
    const backoff = new CredentialsBackoff(store.kv, channel.id, credentialsFingerprint(channel), () => now);
    const refusal = await within(backoff.refusal(), 2_000, 'the store');
    if (!refusal) return false;
    const retry = Date.parse(refusal.until) > now ? `not tried again before ${refusal.until} unless they change` : 'tried again in the next round';
    const detail = `credentials refused by the platform since ${refusal.since} (last at ${refusal.lastAt}): ${refusal.detail}; ${retry}; fix: ${credentialsFix(channel)}`;
    checks.push({ name: `channel ${channel.id}`, ok: false, detail });
    return true;
  };
  for (const channel of config.channels) if (!(await refused(channel))) await judge('channel', channel.id, 'published');
  return { ready: checks.every((c) => c.ok), checks };
}
