#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { Command } from 'commander';
import { describeError, ThreadcastError } from '../core/errors.js';
import { terminalLine } from '../core/terminal-text.js';
import { CliError } from './cli-error.js';

// Each command is imported when it runs: `status` or `queue list` should not pay for loading the
// Bluesky, X, image and HTTP-server libraries that only `run`, `once` and `doctor` need.
function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K): M[K] {
  return (async (...args: unknown[]) => ((await load())[name] as (...a: unknown[]) => unknown)(...args)) as M[K];
}
const configCheckCommand = lazy(() => import('./config-check.js'), 'configCheckCommand');
const doctorCommand = lazy(() => import('./doctor.js'), 'doctorCommand');
const onceCommand = lazy(() => import('./once.js'), 'onceCommand');
const previewCommand = lazy(() => import('./preview.js'), 'previewCommand');
const retractCommand = lazy(() => import('./retract.js'), 'retractCommand');
const retryCommand = lazy(() => import('./retry.js'), 'retryCommand');
const runCommand = lazy(() => import('./run.js'), 'runCommand');
const statusCommand = lazy(() => import('./status.js'), 'statusCommand');
const queueModule = () => import('./queue.js');
const queueAddCommand = lazy(queueModule, 'queueAddCommand');
const queueEditCommand = lazy(queueModule, 'queueEditCommand');
const queueListCommand = lazy(queueModule, 'queueListCommand');
const queueShowCommand = lazy(queueModule, 'queueShowCommand');
const queueTransitionCommand = lazy(queueModule, 'queueTransitionCommand');

const program = new Command()
  .name('threadcast')
  .description('Turns feed items and announcements into threads on X, Bluesky and Mastodon, exactly once.')
  .option('-c, --config <path>', 'config file (default: $THREADCAST_CONFIG or config/threadcast.yaml)')
  .showHelpAfterError();

const run = (action: (opts: Record<string, unknown>) => Promise<number>) => async (cmdOpts: Record<string, unknown>) => {
  process.exitCode = await action({ ...program.opts(), ...cmdOpts });
};

program
  .command('preview')
  .description('print the threads each item of a feed would become, for every platform, without touching state')
  .argument('[feed]', 'feed to preview: a file path or an http(s) URL')
  .option('--feed <pathOrUrl>', 'the same, as an option')
  .option('--json', 'print one JSON object')
  .action(async (given: string | undefined, o: { feed?: string; json?: boolean }, cmd: Command) => {
    if (given !== undefined && o.feed !== undefined && given !== o.feed) cmd.error(`error: two feeds given (${given} and --feed ${o.feed}); preview one at a time`);
    const feed = given ?? o.feed;
    if (feed === undefined) cmd.error('error: give the feed to preview: threadcast preview FILE_OR_URL');
    process.exitCode = await previewCommand({ ...program.opts(), feed, json: Boolean(o.json) }, process.stdout);
  });

program
  .command('once')
  .description('poll every source, queue new items, publish what is due, then exit')
  .action(run((o) => onceCommand(o, process.stdout)));

/**
 * `run` idles far more than it works. V8 doubles the young generation under the burst of loading the modules and
 * the first cycle (up to 2 × 16 MiB) and never gives it back; kept at its first size it held the idle service
 * 20 MiB lower on the shipped config (bench/idle.ts), with no measurable cost to a poll round. Set before the
 * command's modules load, since a young generation that has already grown stays grown.
 */
function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

program
  .command('run')
  .description('poll and publish on schedule until SIGTERM')
  .action(run((o) => {
    keepYoungGenerationSmall();
    return runCommand(o, process.stdout);
  }));

program
  .command('status')
  .description('deliveries per channel and state, and what needs attention')
  .option('--json', 'print one JSON object')
  .action(run((o) => statusCommand(o, process.stdout)));

program
  .command('doctor')
  .description('check config, store, credentials, the editor API token and the clock; print what is wrong and how to fix it')
  .option('--json', 'print one JSON object')
  .action(run((o) => doctorCommand(o, process.stdout)));

program
  .command('retry')
  .description('queue a dead, uncertain or failed delivery again (ids are in `status`)')
  .argument('<id>', 'delivery id')
  .action(async (id: string) => {
    process.exitCode = await retryCommand({ ...program.opts(), id }, process.stdout);
  });

program
  .command('retract')
  .description('delete a published thread on its platform, every part of it (ids are in `queue show` and the History)')
  .argument('<id>', 'delivery id; with --all, an announcement or item id works too')
  .option('--all', 'every delivery of the same item or announcement, on every channel')
  .action(async (id: string, o: { all?: boolean }) => {
    process.exitCode = await retractCommand({ ...program.opts(), id, all: Boolean(o.all) }, process.stdout);
  });

const queue = program.command('queue').description('announcements and the queue: add, list, show, edit, approve, hold, cancel');
queue
  .command('add')
  .description('queue an announcement on every channel (or --channels), previewing each thread; exit 0 when every channel took it (queued or held for review), 3 when some left it out, 1 when none did')
  .requiredOption('--text <text>', 'the announcement')
  .option('--url <url>', 'a link to carry')
  .option('--image <path>', 'an image file to attach')
  .option('--alt <text>', 'alt text for the image (required with --image)')
  .option('--at <iso8601>', 'publish at this time (with its offset), not before')
  .option('--channels <a,b>', 'only these channels')
  .action(run((o) => queueAddCommand(o as never, process.stdout)));
queue
  .command('list')
  .description('what is waiting to go out, with channel (and whether it runs in dry-run), state and time')
  .option('--json', 'print one JSON object')
  .action(run((o) => queueListCommand(o, process.stdout)));
for (const [name, description] of [
  ['show', 'an announcement or delivery: its thread per platform, posts and history'],
  ['approve', 'let a held announcement or delivery go out'],
  ['hold', 'keep what has not started going out until it is approved'],
  ['cancel', 'withdraw what has not started going out'],
] as const) {
  queue
    .command(name)
    .description(description)
    .argument('<id>', 'announcement id or delivery id')
    .action(async (id: string) => {
      const opts = { ...program.opts(), id };
      process.exitCode = name === 'show' ? await queueShowCommand(opts, process.stdout) : await queueTransitionCommand({ ...opts, action: name }, process.stdout);
    });
}
queue
  .command('edit')
  .description("change what has not started going out; without options, opens the text in $EDITOR")
  .argument('<id>', 'announcement id or delivery id')
  .option('--text <text>', 'new text')
  .option('--url <url>', "new link ('' removes it)")
  .option('--at <iso8601>', "new publish-at time ('' removes it)")
  .action(async (id: string, o: { text?: string; url?: string; at?: string }) => {
    process.exitCode = await queueEditCommand({ ...program.opts(), ...o, id }, process.stdout);
  });

const configCmd = program.command('config').description('check or document the configuration');
configCmd
  .command('check')
  .description('validate the config file and say which channels would run in dry-run')
  .action(run(async (o) => configCheckCommand(o, process.stdout)));
configCmd
  .command('reference')
  .description('print the configuration reference (markdown), generated from the schema')
  .action(run(async () => {
    const { configReference } = await import('../platforms/config-schema.js');
    process.stdout.write(`${configReference()}\n`);
    return 0;
  }));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(`${err.lines.join('\n')}\n`);
    process.exitCode = err.exitCode;
  } else {
    const where = err instanceof ThreadcastError ? '' : 'threadcast: ';
    process.stderr.write(`${where}${terminalLine(describeError(err))}\n`);
    process.exitCode = 1;
  }
}
