import { existsSync, readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigSchema, type Config } from './schema.js';
import { interpolateEnv } from './interpolate.js';

export const DEFAULT_CONFIG_PATH = 'config/threadcast.yaml';

/** A config that cannot be used; `problems` are lines of the form `file:line  path: message`. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: Config;
  file: string;
}

/** `--config` wins, then THREADCAST_CONFIG, then the shipped default. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.THREADCAST_CONFIG || DEFAULT_CONFIG_PATH;
}

/** Loads `.env` from the working directory when present; variables already set in the environment win. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  if (!existsSync(file)) throw new ConfigError([`${file}: no such file (use --config PATH or THREADCAST_CONFIG)`]);
  return { config: parseConfigText(readFileSync(file, 'utf8'), file, env), file };
}

export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;

  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${file}:${lineOf(e.pos[0])}  ${e.message.split('\n')[0]}`));
  }
  const raw = doc.toJS() ?? {};
  const { value, unset } = interpolateEnv(raw, env);
  const result = ConfigSchema.safeParse(value);
  if (result.success) return result.data;

  const problems = result.error.issues.flatMap((issue) => describeIssue(issue, doc, unset, file, lineOf));
  throw new ConfigError(problems);
}

type Path = (string | number)[];

function describeIssue(
  issue: z.core.$ZodIssue,
  doc: Document,
  unset: Array<{ path: Path; variable: string }>,
  file: string,
  lineOf: (offset: number) => number,
): string[] {
  const issuePath = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const keyPath = [...issuePath, key];
      return `${file}:${lineOf(keyOffset(doc, keyPath))}  ${formatPath(keyPath)}: unknown key "${key}"`;
    });
  }
  const unsetVar = unset.find((u) => samePath(u.path, issuePath));
  const hint = unsetVar ? ` (environment variable ${unsetVar.variable} is not set)` : '';
  return [`${file}:${lineOf(nodeOffset(doc, issuePath))}  ${formatPath(issuePath)}: ${issue.message}${hint}`];
}

function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && a.every((p, i) => String(p) === String(b[i]));
}

export function formatPath(p: Path): string {
  if (p.length === 0) return '(top level)';
  return p.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');
}

/** The offset of the deepest node that exists along `p`: a missing key is reported at its parent. */
function nodeOffset(doc: Document, p: Path): number {
  for (let n = p.length; n >= 0; n--) {
    const node = doc.getIn(p.slice(0, n), true) as Node | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range) return node.range[0];
  }
  return 0;
}

/** The offset of the key itself, so an unknown key's line is the one the reader must edit. */
function keyOffset(doc: Document, p: Path): number {
  const parent = p.length > 1 ? doc.getIn(p.slice(0, -1), true) : doc.contents;
  const key = p[p.length - 1];
  if (isMap(parent)) {
    for (const pair of parent.items) {
      const k = pair.key as Node | null;
      if (k && 'value' in k && String((k as { value: unknown }).value) === String(key) && k.range) return k.range[0];
    }
  }
  if (isSeq(parent) && parent.range) return parent.range[0];
  return nodeOffset(doc, p.slice(0, -1));
}
