/**
 * `npm run bench`: every benchmark against its baseline, in one run, printed as a markdown table and written
 * to bench/RESULTS.md with the machine, the date and the command. `--quick` uses small sizes (a check that
 * everything still runs, not figures to quote); `--only a,b` runs some suites.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, type BenchContext, type BenchRow, type BenchSuite } from './lib/rows.js';

const SUITES: Record<string, () => Promise<BenchSuite>> = {
  ingest: async () => (await import('./ingest.js')).run,
  compose: async () => (await import('./compose.js')).run,
  store: async () => (await import('./store.js')).run,
  bluesky: async () => (await import('./bluesky.js')).run,
  x: async () => (await import('./x.js')).run,
  polling: async () => (await import('./polling.js')).run,
  idle: async () => (await import('./idle.js')).run,
  'cli-start': async () => (await import('./cli-start.js')).run,
  'url-scan': async () => (await import('./url-scan.js')).run,
};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'))?.split('=')[1] ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const names = onlyArg ? onlyArg.split(',') : Object.keys(SUITES);
const unknown = names.filter((n) => !SUITES[n]);
if (unknown.length) {
  process.stderr.write(`unknown suite(s): ${unknown.join(', ')} (have: ${Object.keys(SUITES).join(', ')})\n`);
  process.exit(2);
}

const ctx: BenchContext = { quick, log: (line) => process.stderr.write(`${line}\n`) };
const rows: BenchRow[] = [];
const failures: string[] = [];
const started = new Date();
for (const name of names) {
  ctx.log(`── ${name}`);
  try {
    rows.push(...(await (await SUITES[name]!())(ctx)));
  } catch (err) {
    // One broken suite must not hide the others' figures; it is named in the output and the exit code.
    failures.push(`${name}: ${(err as Error).stack ?? String(err)}`);
    ctx.log(`   failed: ${(err as Error).message}`);
  }
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const header = [
  '# Benchmark results',
  '',
  `- Command: \`npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}\``,
  `- Date: ${started.toISOString()}`,
  `- Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} (${os.arch()}), Node ${process.version}`,
  quick ? '- **Quick mode**: small sizes; a check that everything runs, not figures to quote.' : '',
  '',
  'Each Threadcast figure is measured in the same run as its baseline; the last column is how many times better',
  'Threadcast does (higher items/s, or fewer milliseconds, bytes, requests or dollars).',
  '',
].filter((l, i, all) => l !== '' || all[i - 1] !== '');
const table = markdownTable(rows);
const failed = failures.length ? `\n\n## Failed suites\n\n${failures.map((f) => `- ${f.split('\n')[0]}`).join('\n')}\n` : '\n';
const document = `${header.join('\n')}\n${table}${failed}`;
process.stdout.write(`${table}\n`);
if (!quick && !onlyArg) writeFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'RESULTS.md'), document);
if (failures.length) {
  process.stderr.write(`\n${failures.join('\n\n')}\n`);
  process.exitCode = 1;
}
