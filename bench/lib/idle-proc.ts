/**
 * Long-running child processes for the idle benchmark: started, watched through /proc, and always stopped —
 * SIGTERM first, SIGKILL after a grace period, and SIGKILL on our own exit for anything still alive.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface Watched {
  name: string;
  child: ChildProcess;
  pid: number;
  stdout: string;
  stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const alive = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllOnExit(): void {
  for (const child of alive) child.kill('SIGKILL');
}

export function startWatched(name: string, command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Watched {
  if (!exitHookInstalled) {
    process.on('exit', killAllOnExit);
    exitHookInstalled = true;
  }
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  alive.add(child);
  const w: Watched = {
    name,
    child,
    pid: child.pid,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        alive.delete(child);
        resolve({ code, signal });
      }),
    ),
  };
  // Always drained, so a chatty child never blocks on a full pipe.
  child.stdout!.on('data', (d: Buffer) => (w.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (w.stderr += d.toString()));
  child.once('error', () => alive.delete(child));
  return w;
}

/**
 * While the benchmark runs, Ctrl-C or a SIGTERM to the runner also kills the children (Node's default action on
 * those signals skips 'exit' handlers), then `cleanup` runs. Returns the function that removes the handlers.
 */
export function killChildrenOnSignals(cleanup: () => void = () => undefined): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    killAllOnExit();
    try {
      cleanup();
    } catch {
      // Exiting anyway.
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopWatched(w: Watched, graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; forced: boolean }> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return { ...(await w.exited), forced: false };
  w.child.kill('SIGTERM');
  let forced = false;
  const timer = setTimeout(() => {
    forced = true;
    w.child.kill('SIGKILL');
  }, graceMs);
  const result = await w.exited;
  clearTimeout(timer);
  return { ...result, forced };
}

export function isRunning(w: Watched): boolean {
  return w.child.exitCode === null && w.child.signalCode === null;
}

// ── /proc ──────────────────────────────────────────────────────────────────────────────────────────────────────

let clockTicks: number | undefined;

/** USER_HZ, the unit of utime and stime in /proc/<pid>/stat (100 on every common Linux). */
export function clkTck(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface ProcSample {
  /** VmRSS, bytes. */
  rss: number;
  /** VmHWM (the kernel's peak RSS over the process' life), bytes. */
  hwm: number;
  /** utime + stime, seconds (whole clock ticks: 10 ms). */
  cpu: number;
  /**
   * Time on a CPU from the scheduler's own accounting, summed over the process' live threads, seconds (ns
   * precision; a thread that exits takes its share with it). Undefined when the kernel has no schedstat.
   */
  cpuPrecise: number | undefined;
}

function statusKb(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!m) throw new Error(`no ${field} in /proc status`);
  return Number(m[1]) * 1024;
}

export function sampleProc(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime); `after` starts at field 3.
  const utime = Number(after[14 - 3]);
  const stime = Number(after[15 - 3]);
  return { rss: statusKb(status, 'VmRSS'), hwm: statusKb(status, 'VmHWM'), cpu: (utime + stime) / clkTck(), cpuPrecise: schedCpu(pid) };
}

function schedCpu(pid: number): number | undefined {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch (err) {
        // A thread that ended between the listing and the read.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    }
  } catch {
    return undefined;
  }
  return Number.isFinite(ns) ? ns / 1e9 : undefined;
}
