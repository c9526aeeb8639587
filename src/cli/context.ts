import type { Logger } from 'pino';
import { ConfigError, loadDotEnv, logConfigWarnings, resolveConfigPath, type LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../core/logger.js';
import { loadConfigFile } from '../platforms/config-schema.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';

export interface GlobalOptions {
  config?: string;
}

/** A failure the CLI reports as its own lines and exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    readonly lines: string[],
    readonly exitCode: number,
  ) {
    super(lines.join('\n'));
  }
}

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

export function openRuntime(opts: GlobalOptions): Runtime {
  const loaded = loadConfig(opts);
  const log = loggerFor(loaded);
  return { config: loaded.config, configFile: loaded.file, log, store: openStore(loaded.config.store, { log }) };
}
