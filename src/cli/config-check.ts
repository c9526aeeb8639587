import type { Writable } from 'node:stream';
import { dryRunReason } from '../platforms/create-publisher.js';
import { loadConfig, type GlobalOptions } from './context.js';

/** Validates the config (a ConfigError becomes `file:line  path: message` lines) and summarises it. */
export async function configCheckCommand(opts: GlobalOptions, out: Writable): Promise<number> {
  const { config, file } = loadConfig(opts);
  out.write(`${file}: valid — ${config.sources.length} source(s), ${config.channels.length} channel(s), store ${config.store}\n`);
  for (const channel of config.channels) {
    const reason = dryRunReason(channel, config.dryRun);
    const mode = reason ? `dry-run (${reason})` : 'live';
    out.write(`  ${channel.id} (${channel.platform}): ${mode}\n`);
  }
  return 0;
}
