import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { ChannelConfig, Config } from '../config/schema.js';
import type { Store } from '../store/store.js';
import { BlueskyPublisher } from './bluesky/publisher.js';
import { DryRunPublisher } from './dry-run.js';
import { XPublisher } from './x/publisher.js';
import type { Publisher } from './publisher.js';

function requiredCredentials(channel: ChannelConfig): string[] {
  if (channel.platform === 'bluesky') return ['identifier', 'password'];
  return channel.auth === 'oauth2' ? ['clientId'] : ['appKey', 'appSecret', 'accessToken', 'accessSecret'];
}

export interface PublisherChoice {
  publisher: Publisher;
  /** Why the channel runs in dry-run, when it does; said once, loudly, at start. */
  dryRunReason?: string;
}

export function missingCredentials(channel: ChannelConfig): string[] {
  const values = channel as unknown as Record<string, unknown>;
  return requiredCredentials(channel).filter((field) => !values[field]);
}

/** Why a channel must not post, when it must not; undefined when it may. */
export function dryRunReason(channel: ChannelConfig, globalDryRun: boolean): string | undefined {
  if (globalDryRun) return 'dryRun is set for all channels';
  if (channel.dryRun) return 'dryRun is set for this channel';
  const missing = missingCredentials(channel);
  if (missing.length > 0) return `credentials missing: ${missing.join(', ')}`;
  return undefined;
}

export interface PublisherDeps {
  config: Pick<Config, 'dryRun' | 'web' | 'secretKey'>;
  store: Store;
  log: Logger;
  /** Where dry-run threads are printed. */
  out: Writable;
}

/** Picks the adapter for a channel: the platform's own when it may post, else the dry-run stand-in. */
export function createPublisher(channel: ChannelConfig, deps: PublisherDeps): PublisherChoice {
  const reason = dryRunReason(channel, deps.config.dryRun);
  if (reason === undefined && channel.platform === 'bluesky' && channel.identifier && channel.password) {
    const live = { ...channel, identifier: channel.identifier, password: channel.password };
    return { publisher: new BlueskyPublisher({ channel: live, web: deps.config.web, store: deps.store, log: deps.log }) };
  }
  if (reason === undefined && channel.platform === 'x') {
    return { publisher: new XPublisher({ channel, web: deps.config.web, store: deps.store, log: deps.log, ...(deps.config.secretKey ? { secretKey: deps.config.secretKey } : {}) }) };
  }
  return { publisher: new DryRunPublisher(channel, deps.out), dryRunReason: reason ?? 'credentials incomplete' };
}
