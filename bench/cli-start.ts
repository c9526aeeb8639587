/**
 * CLI start: the CPU time a short command costs, against a bare Node start (`node -e ""`), each in its own child
 * process, alternately. `--help` loads no config, store or platform code; `preview` of a small feed file reads,
 * cleans and composes it for every platform, and touches no state. CPU time (user + system, all threads) is read
 * by the child itself as it exits, through a preload that both sides get; wall time goes in the note.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import buildCli, { BUILT_CLI } from '../tests/support/build-cli.js';
import { articles, median, rssFeed } from './lib/feeds.js';
import type { BenchContext, BenchRow, BenchSuite } from './lib/rows.js';

// Runs in the child: on exit, its own CPU time to fd 3, which the parent reads.
const REPORT_CPU = `process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeSync(3, JSON.stringify(u.user + u.system)); });`;

interface Start {
  cpuMs: number;
  wallMs: number;
}

function start(preload: string, args: string[], cwd: string): Start {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', preload, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status ?? r.signal}: ${String(r.stderr).slice(-1000)}`);
  const reported = Number(r.output[3]);
  if (!Number.isFinite(reported) || reported <= 0) throw new Error(`node ${args.join(' ')} reported no CPU time (${r.output[3]})`);
  return { cpuMs: reported / 1000, wallMs };
}

/** Ours and the baseline alternately (the order swapped every repetition), after one warm-up of each. */
function compare(reps: number, ours: () => Start, baseline: () => Start): { ours: Start; baseline: Start } {
  ours();
  baseline();
  const a: Start[] = [];
  const b: Start[] = [];
  for (let r = 0; r < reps; r++) {
    if (r % 2 === 0) {
      a.push(ours());
      b.push(baseline());
    } else {
      b.push(baseline());
      a.push(ours());
    }
  }
  const med = (xs: Start[]): Start => ({ cpuMs: median(xs.map((x) => x.cpuMs)), wallMs: median(xs.map((x) => x.wallMs)) });
  return { ours: med(a), baseline: med(b) };
}

export const run: BenchSuite = async (ctx: BenchContext) => {
  const reps = ctx.quick ? 3 : 15;
  buildCli(); // rebuilds dist/ only when a file under src/ is newer than it
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build`);
  const dir = mkdtempSync(path.join(tmpdir(), 'threadcast-bench-cli-'));
  try {
    const preload = path.join(dir, 'report-cpu.cjs');
    writeFileSync(preload, `${REPORT_CPU}\n`);
    const feed = path.join(dir, 'feed.xml');
    writeFileSync(feed, rssFeed(articles(5)));
    const bare = () => start(preload, ['-e', ''], dir);
    const baselineName = 'bare Node start: node -e ""';
    const how = `median of ${reps} child processes each, alternating with the baseline, after a warm-up; user + system CPU read by the child as it exits`;
    const rows: BenchRow[] = [];

    const help = compare(reps, () => start(preload, [BUILT_CLI, '--help'], dir), bare);
    ctx.log(`   --help: ${help.ours.cpuMs.toFixed(1)} ms CPU (${help.ours.wallMs.toFixed(0)} ms wall) vs bare node ${help.baseline.cpuMs.toFixed(1)} ms CPU (${help.baseline.wallMs.toFixed(0)} ms wall)`);
    rows.push({
      area: 'CLI start',
      metric: '`threadcast --help`: CPU time',
      ours: help.ours.cpuMs,
      baselineName,
      baseline: help.baseline.cpuMs,
      unit: 'CPU ms',
      better: 'lower',
      note: `${how}; wall time ${help.ours.wallMs.toFixed(0)} vs ${help.baseline.wallMs.toFixed(0)} ms`,
    });

    const preview = compare(reps, () => start(preload, [BUILT_CLI, 'preview', '--feed', feed], dir), bare);
    ctx.log(`   preview: ${preview.ours.cpuMs.toFixed(1)} ms CPU (${preview.ours.wallMs.toFixed(0)} ms wall) vs bare node ${preview.baseline.cpuMs.toFixed(1)} ms CPU`);
    rows.push({
      area: 'CLI start',
      metric: '`threadcast preview --feed` of a 5-item RSS file: CPU time',
      ours: preview.ours.cpuMs,
      baselineName,
      baseline: preview.baseline.cpuMs,
      unit: 'CPU ms',
      better: 'lower',
      note: `parse, clean and compose for every platform's default template, no state; ${how}; wall time ${preview.ours.wallMs.toFixed(0)} vs ${preview.baseline.wallMs.toFixed(0)} ms`,
    });
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
