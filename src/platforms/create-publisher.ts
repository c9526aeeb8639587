import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { ChannelConfig, Config } from '../config/schema.js';
import type { Store } from '../store/store.js';
import { DryRunPublisher } from './dry-run.js';
import { kitFor } from './index.js';
import { LazyPublisher } from './lazy-publisher.js';
import type { Publisher } from './publisher.js';

/**
 * Tells "the same credentials as when they were refused" from "changed since", without keeping them:
 * sha256 over a purpose prefix, the channel id and the values, cut to 64 bits. Only this is stored
 * (the credentials back-off, src/outbox/credentials-backoff.ts); it cannot be turned back into a secret.
 */
export function credentialsFingerprint(channel: ChannelConfig): string {
  const hash = createHash('sha256').update('threadcast credentials fingerprint v1\u0000').update(channel.id);
  for (const value of kitFor(channel).credentials.identity(channel)) hash.update(`\u0000${value === undefined ? '\u0001' : value}`);
  return hash.digest('hex').slice(0, 16);
}

/** What an operator does when the platform refuses the channel's credentials (said by /readyz and status). */
export function credentialsFix(channel: ChannelConfig): string {
  return kitFor(channel).credentials.fix(channel);
}

export interface PublisherChoice {
  publisher: Publisher;
  /** Why the channel runs in dry-run, when it does; said once, loudly, at start. */
  dryRunReason?: string;
}

export function missingCredentials(channel: ChannelConfig): string[] {
  const values: Readonly<Record<string, unknown>> = channel;
  return kitFor(channel).credentials.required(channel).filter((field) => !values[field]);
}

/** Why a channel must not post, when it must not; undefined when it may. */
export function dryRunReason(channel: ChannelConfig, globalDryRun: boolean): string | undefined {
  if (globalDryRun) return 'dryRun is set for all channels';
  if (channel.dryRun) return 'dryRun is set for this channel';
  const missing = missingCredentials(channel);
  if (missing.length > 0) return `credentials missing: ${missing.join(', ')}`;
  return undefined;
}

export interface LiveDeps {
  config: Pick<Config, 'web' | 'secretKey'>;
  store: Store;
  log: Logger;
  /** Timeout of each API request; `threadcast doctor` passes its own, shorter one. */
  requestTimeoutMs?: number;
}

export interface PublisherDeps extends LiveDeps {
  config: Pick<Config, 'dryRun' | 'web' | 'secretKey'>;
  /** Where dry-run threads are printed. */
  out: Writable;
}

/**
 * The channel's own publisher, from its kit's factory: the one construction `run`, `once` and `doctor` share.
 * Built on first use, so a process that never sends never loads the network's client library.
 */
export function livePublisher(channel: ChannelConfig, deps: LiveDeps): LazyPublisher {
  const { web, secretKey } = deps.config;
  const kitDeps = { web, store: deps.store, log: deps.log, ...(secretKey ? { secretKey } : {}), ...(deps.requestTimeoutMs ? { requestTimeoutMs: deps.requestTimeoutMs } : {}) };
  return new LazyPublisher(channel, () => kitFor(channel).createPublisher(channel, kitDeps));
}

/** Picks the adapter for a channel: the platform's own when it may post, else the dry-run stand-in. */
export function createPublisher(channel: ChannelConfig, deps: PublisherDeps): PublisherChoice {
  const reason = dryRunReason(channel, deps.config.dryRun);
  if (reason === undefined) return { publisher: livePublisher(channel, deps) };
  return { publisher: new DryRunPublisher(channel, deps.out), dryRunReason: reason };
}
