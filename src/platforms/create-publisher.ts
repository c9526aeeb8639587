import type { Writable } from 'node:stream';
import type { ChannelConfig } from '../config/schema.js';
import { DryRunPublisher } from './dry-run.js';
import type { Publisher } from './publisher.js';

const REQUIRED_CREDENTIALS: Record<ChannelConfig['platform'], string[]> = {
  bluesky: ['identifier', 'password'],
  x: ['appKey', 'appSecret', 'accessToken', 'accessSecret'],
};

export interface PublisherChoice {
  publisher: Publisher;
  /** Why the channel runs in dry-run, when it does; said once, loudly, at start. */
  dryRunReason?: string;
}

export function missingCredentials(channel: ChannelConfig): string[] {
  const values = channel as unknown as Record<string, unknown>;
  return REQUIRED_CREDENTIALS[channel.platform].filter((field) => !values[field]);
}

/** Why a channel must not post, when it must not; undefined when it may. */
export function dryRunReason(channel: ChannelConfig, globalDryRun: boolean): string | undefined {
  if (globalDryRun) return 'dryRun is set for all channels';
  if (channel.dryRun) return 'dryRun is set for this channel';
  const missing = missingCredentials(channel);
  if (missing.length > 0) return `credentials missing: ${missing.join(', ')}`;
  return undefined;
}

/** Picks the adapter for a channel. Until the platform adapters land, every channel runs in dry-run. */
export function createPublisher(channel: ChannelConfig, opts: { globalDryRun: boolean; out: Writable }): PublisherChoice {
  const reason = dryRunReason(channel, opts.globalDryRun) ?? `no ${channel.platform} adapter in this version yet`;
  return { publisher: new DryRunPublisher(channel, opts.out), dryRunReason: reason };
}
