import type { Writable } from 'node:stream';
import { Service } from '../app/service.js';
import { logConfigWarnings } from '../config/load.js';
import { openStore } from '../store/open-store.js';
import { CliError, loadConfig, loggerFor, type GlobalOptions } from './context.js';

/**
 * Runs until SIGTERM/SIGINT (graceful: the thread in flight finishes); SIGHUP reloads the config.
 * A first cycle starts at once, so a newcomer sees threads within seconds.
 */
export async function runCommand(opts: GlobalOptions, out: Writable): Promise<number> {
  const loaded = loadConfig(opts);
  const config = loaded.config;
  const log = loggerFor(loaded);
  const service = new Service({
    config,
    store: await openStore(config.store, { log }),
    // A CliError carries the readable `file:line  path: message` problems; the log gets them as one message.
    loadConfig: () => {
      try {
        const next = loadConfig(opts);
        logConfigWarnings(log, next.warnings);
        return next.config;
      } catch (err) {
        throw err instanceof CliError ? new Error(err.lines.map((l) => l.trim()).join('; ')) : err;
      }
    },
    log,
    out,
  });

  // Listen before the first cycle: a SIGTERM during it must still finish the work in flight.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const onHangup = () => {
    log.info({ signal: 'SIGHUP' }, 'reloading the config');
    void service.reload();
  };
  process.on('SIGHUP', onHangup);

  try {
    await service.start();
  } catch (err) {
    out.write(`threadcast run: ${(err as Error).message}\n`);
    return 1;
  }
  const signal = await stopSignal;
  process.off('SIGHUP', onHangup);
  log.info({ signal }, 'stopping: finishing the thread in flight, starting nothing new');
  await service.stop();
  log.info('stopped');
  return 0;
}
