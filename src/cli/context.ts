import type { Logger } from 'pino';
import { ConfigError, loadDotEnv, logConfigWarnings, resolveConfigPath, type LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../core/logger.js';
import { loadConfigFile } from '../platforms/config-schema.js';
import { openStore } from '../store/open-store.js';
import { CliError } from './cli-error.js';
import type { Store } from '../store/store.js';

export interface GlobalOptions {
  config?: string;
}

export { CliError } from './cli-error.js';

export function loadConfig(opts: GlobalOptions): LoadedConfig {
  loadDotEnv();
  try {
    return loadConfigFile(resolveConfigPath(opts.config));
  } catch (err) {
    if (err instanceof ConfigError && err.kind === 'unreadable') throw new CliError(err.problems.map((p) => `threadcast: ${p}`), 2);
    if (err instanceof ConfigError) throw new CliError(['threadcast: invalid configuration', ...err.problems.map((p) => `  ${p}`)], 2);
    throw err;
  }
}

/** The logger the config asks for; its first lines are the config's warnings (e.g. a secret written in the file). */
export function loggerFor(loaded: LoadedConfig): Logger {
  const log = createLogger(loaded.config.log);
  logConfigWarnings(log, loaded.warnings);
  return log;
}

export interface Runtime {
  config: Config;
  configFile: string;
  log: Logger;
  store: Store;
}

export async function openRuntime(opts: GlobalOptions): Promise<Runtime> {
  const loaded = loadConfig(opts);
  const log = loggerFor(loaded);
  return { config: loaded.config, configFile: loaded.file, log, store: await openStore(loaded.config.store, { log }) };
}
