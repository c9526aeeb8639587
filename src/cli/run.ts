import type { Writable } from 'node:stream';
import cron, { type ScheduledTask } from 'node-cron';
import { App } from '../app/app.js';
import { describeError } from '../core/errors.js';
import { openRuntime, type GlobalOptions } from './context.js';

/**
 * Runs until SIGTERM/SIGINT: a first cycle at once (so a newcomer sees threads within seconds),
 * then each source on its own cron and a publish tick. Work is serialised so a poll and a publish
 * never race inside one process; claims in the store guard against other processes.
 */
export async function runCommand(opts: GlobalOptions, out: Writable): Promise<number> {
  const runtime = openRuntime(opts);
  const { config, log } = runtime;
  const app = new App({ config, store: runtime.store, log, out });
  const stopping = new AbortController();
  let chain: Promise<unknown> = Promise.resolve();
  const serially = (name: string, job: () => Promise<unknown>) => {
    chain = chain.then(() => (stopping.signal.aborted ? undefined : job())).catch((err) => log.error({ job: name, err: describeError(err) }, 'job failed'));
    return chain;
  };

  // Listen before the first cycle: a SIGTERM during it must still finish the work in flight.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  void serially('first cycle', () => app.cycle(stopping.signal));

  const tasks: ScheduledTask[] = [];
  for (const source of config.sources) {
    tasks.push(cron.schedule(source.pollEvery, () => void serially(`poll ${source.id}`, async () => {
      await app.pollOne(source);
      await app.publishAll(stopping.signal);
    }), { name: `poll-${source.id}`, noOverlap: true }));
  }
  tasks.push(cron.schedule(config.publishEvery, () => void serially('publish', () => app.publishAll(stopping.signal)), { name: 'publish', noOverlap: true }));
  log.info({ sources: config.sources.length, channels: config.channels.length }, 'running; send SIGTERM or press Ctrl-C to stop');

  const signal = await stopSignal;
  log.info({ signal }, 'stopping: finishing the thread in flight, starting nothing new');
  stopping.abort();
  for (const task of tasks) await task.stop();
  await chain;
  await app.close();
  await runtime.store.close();
  log.info('stopped');
  return 0;
}
