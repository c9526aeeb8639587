import type { Writable } from 'node:stream';
import { dryRunReason } from '../platforms/create-publisher.js';
import { redactStoreUrl } from '../store/redact-store-url.js';
import { loadConfig, loggerFor, type GlobalOptions } from './context.js';

/** Validates the config (a ConfigError becomes `file:line  path: message` lines) and summarises it. */
export async function configCheckCommand(opts: GlobalOptions, out: Writable): Promise<number> {
  const loaded = loadConfig(opts);
  const { config, file } = loaded;
  // Its warnings (a secret written in the file) go to stderr as log lines, as in every other command.
  if (loaded.warnings.length > 0) loggerFor(loaded);
  out.write(`${file}: valid — ${config.sources.length} source(s), ${config.channels.length} channel(s), store ${redactStoreUrl(config.store)}\n`);
  for (const channel of config.channels) {
    const reason = dryRunReason(channel, config.dryRun);
    const mode = reason ? `dry-run (${reason})` : 'live';
    out.write(`  ${channel.id} (${channel.platform}): ${mode}\n`);
  }
  return 0;
}
