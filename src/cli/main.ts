#!/usr/bin/env node
import { Command } from 'commander';
import { describeError, ThreadcastError } from '../core/errors.js';
import { configReference } from '../config/reference.js';
import { CliError } from './context.js';
import { configCheckCommand } from './config-check.js';
import { onceCommand } from './once.js';
import { previewCommand } from './preview.js';
import { queueAddCommand, queueListCommand, queueShowCommand, queueTransitionCommand } from './queue.js';
import { retryCommand } from './retry.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';

const program = new Command()
  .name('threadcast')
  .description('Turns feed items and announcements into threads on X and Bluesky, exactly once.')
  .option('-c, --config <path>', 'config file (default: $THREADCAST_CONFIG or config/threadcast.yaml)')
  .showHelpAfterError();

const run = (action: (opts: Record<string, unknown>) => Promise<number>) => async (cmdOpts: Record<string, unknown>) => {
  process.exitCode = await action({ ...program.opts(), ...cmdOpts });
};

program
  .command('preview')
  .description('print the threads each item of a feed would become, for every platform, without touching state')
  .requiredOption('--feed <pathOrUrl>', 'feed to preview: a file path or an http(s) URL')
  .option('--json', 'print one JSON object')
  .action(run((o) => previewCommand({ ...o, feed: String(o.feed), json: Boolean(o.json) }, process.stdout)));

program
  .command('once')
  .description('poll every source, queue new items, publish what is due, then exit')
  .action(run((o) => onceCommand(o, process.stdout)));

program
  .command('run')
  .description('poll and publish on schedule until SIGTERM')
  .action(run((o) => runCommand(o, process.stdout)));

program
  .command('status')
  .description('deliveries per channel and state, and what needs attention')
  .option('--json', 'print one JSON object')
  .action(run((o) => statusCommand(o, process.stdout)));

program
  .command('retry')
  .description('queue a dead, uncertain or failed delivery again (ids are in `status`)')
  .argument('<id>', 'delivery id')
  .action(async (id: string) => {
    process.exitCode = await retryCommand({ ...program.opts(), id }, process.stdout);
  });

const queue = program.command('queue').description('announcements: queue, list, show, approve, cancel');
queue
  .command('add')
  .description('queue an announcement on every channel (or --channels), previewing each thread')
  .requiredOption('--text <text>', 'the announcement')
  .option('--url <url>', 'a link to carry')
  .option('--image <path>', 'an image file to attach')
  .option('--alt <text>', 'alt text for the image (required with --image)')
  .option('--at <iso8601>', 'publish at this time (with its offset), not before')
  .option('--channels <a,b>', 'only these channels')
  .action(run((o) => queueAddCommand(o as never, process.stdout)));
queue
  .command('list')
  .description('what is waiting to go out, with state and time')
  .option('--json', 'print one JSON object')
  .action(run((o) => queueListCommand(o, process.stdout)));
for (const [name, description] of [
  ['show', 'an announcement or delivery: its thread per platform, posts and history'],
  ['approve', 'let a held announcement or delivery go out'],
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

const configCmd = program.command('config').description('check or document the configuration');
configCmd
  .command('check')
  .description('validate the config file and say which channels would run in dry-run')
  .action(run(async (o) => configCheckCommand(o, process.stdout)));
configCmd
  .command('reference')
  .description('print the configuration reference (markdown), generated from the schema')
  .action(run(async () => {
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
    process.stderr.write(`${where}${describeError(err)}\n`);
    process.exitCode = 1;
  }
}
