/**
 * The real programs some suites run against besides Node: redis-server (the shared store) and Chromium (the editor
 * page). Each is found on PATH, or where its environment variable points. When one is missing, the suites that need
 * it are skipped and the run says so in one line naming the install command, so `npm test` passes on a machine
 * with only Node and npm; under CI (CI=true) a missing one fails instead, so CI always runs everything.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export interface RealTool {
  /** What the line says is missing. */
  label: string;
  /** Overrides PATH: the program's full path. */
  envVar: string;
  /** Names looked for on PATH, in turn. */
  names: readonly string[];
  /** Which suites need it, for the skip line. */
  usedBy: string;
}

export const INSTALL = 'apt-get install redis-server chromium';

export const REDIS_TOOL: RealTool = { label: 'redis-server', envVar: 'THREADCAST_REDIS_SERVER', names: ['redis-server'], usedBy: 'the Redis store suites' };
export const CHROMIUM_TOOL: RealTool = {
  label: 'Chromium',
  envVar: 'THREADCAST_CHROMIUM',
  // Debian calls it chromium; Ubuntu's package and some others chromium-browser.
  names: ['chromium', 'chromium-browser'],
  usedBy: 'the editor page browser suites',
};

export const REAL_TOOLS = [REDIS_TOOL, CHROMIUM_TOOL] as const;

export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = (env.CI ?? '').toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0';
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The program's path: where its variable points when set (a missing file there is missing), else the first on PATH. */
export function findTool(tool: RealTool, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env[tool.envVar];
  if (named) return isExecutableFile(named) ? named : undefined;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const name of tool.names) {
      const file = path.join(dir, name);
      if (isExecutableFile(file)) return file;
    }
  }
  return undefined;
}

export function whereLooked(tool: RealTool, env: NodeJS.ProcessEnv = process.env): string {
  const named = env[tool.envVar];
  return named ? `${tool.envVar}=${named} is not an executable file` : `${tool.names.join(' or ')} is not on PATH (or set ${tool.envVar})`;
}

/** The one line a run without the program prints. */
export function skipLine(tool: RealTool, env: NodeJS.ProcessEnv = process.env): string {
  return `skipped ${tool.usedBy}: ${whereLooked(tool, env)}; to run them: ${INSTALL}`;
}

/**
 * For a suite: the program's path, or undefined when the suite is to be skipped. Under CI a missing program throws,
 * which fails the suite: CI must never pass by skipping.
 */
export function toolForSuite(tool: RealTool, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const found = findTool(tool, env);
  if (found === undefined && inCI(env)) throw new Error(`${tool.label} is required under CI: ${whereLooked(tool, env)} (install: ${INSTALL})`);
  return found;
}
