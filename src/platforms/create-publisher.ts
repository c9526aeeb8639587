import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { ChannelConfig, Config } from '../config/schema.js';
import { redactUrl } from '../http/redact-url.js';
import type { Store } from '../store/store.js';
import { BlueskyPublisher } from './bluesky/publisher.js';
import { DryRunPublisher } from './dry-run.js';
import { XPublisher } from './x/publisher.js';
import type { Publisher } from './publisher.js';

function requiredCredentials(channel: ChannelConfig): string[] {
  if (channel.platform === 'bluesky') return ['identifier', 'password'];
  return channel.auth === 'oauth2' ? ['clientId'] : ['appKey', 'appSecret', 'accessToken', 'accessSecret'];
}

/** Everything that decides whether the platform accepts the channel's login: where, who and with what. */
function credentialValues(channel: ChannelConfig): Array<string | undefined> {
  if (channel.platform === 'bluesky') return [channel.service, channel.identifier, channel.password];
  return [channel.apiBase, channel.auth, channel.appKey, channel.appSecret, channel.accessToken, channel.accessSecret, channel.clientId, channel.clientSecret, channel.refreshToken];
}

/**
 * Tells "the same credentials as when they were refused" from "changed since", without keeping them:
 * sha256 over a purpose prefix, the channel id and the values, cut to 64 bits. Only this is stored
 * (the credentials back-off, src/outbox/credentials-backoff.ts); it cannot be turned back into a secret.
 */
export function credentialsFingerprint(channel: ChannelConfig): string {
  const hash = createHash('sha256').update('threadcast credentials fingerprint v1\u0000').update(channel.id);
  for (const value of credentialValues(channel)) hash.update(`\u0000${value === undefined ? '\u0001' : value}`);
  return hash.digest('hex').slice(0, 16);
}

/** What an operator does when the platform refuses the channel's credentials (said by /readyz and status). */
export function credentialsFix(channel: ChannelConfig): string {
  if (channel.platform === 'bluesky') {
    return `create a new app password (Bluesky: Settings → Privacy and security → App passwords), set it as the password of channel ${channel.id} and check that identifier is the account's handle or DID on ${redactUrl(channel.service)}; the channel tries again as soon as the changed credentials are loaded (restart, or SIGHUP for run)`;
  }
  const fields = channel.auth === 'oauth2' ? 'clientId, clientSecret and refreshToken' : 'appKey, appSecret, accessToken and accessSecret';
  return `check the ${fields} of channel ${channel.id} in the X developer portal and set valid ones; the channel tries again as soon as the changed credentials are loaded (restart, or SIGHUP for run)`;
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
