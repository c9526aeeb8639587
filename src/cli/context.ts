import type { Logger } from 'pino';
import { ConfigError, loadConfigFile, loadDotEnv, resolveConfigPath } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../core/logger.js';
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

export function loadConfig(opts: GlobalOptions): { config: Config; file: string } {
  loadDotEnv();
  try {
    return loadConfigFile(resolveConfigPath(opts.config));
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(['threadcast: invalid configuration', ...err.problems.map((p) => `  ${p}`)], 2);
    throw err;
  }
}

export interface Runtime {
  config: Config;
  configFile: string;
  log: Logger;
  store: Store;
}

export function openRuntime(opts: GlobalOptions): Runtime {
  const { config, file } = loadConfig(opts);
  const log = createLogger(config.log);
  return { config, configFile: file, log, store: openStore(config.store) };
}
