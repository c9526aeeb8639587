import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { isAlias, isMap, isPair, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import type { Config } from './schema.js';
import { interpolateEnv } from './interpolate.js';
import { literalSecretPaths } from './secrets.js';

export const DEFAULT_CONFIG_PATH = 'config/threadcast.yaml';

/**
 * Alias uses allowed while the YAML becomes data (the yaml library's own default, set here on purpose):
 * enough for a shared template or schedule, far too few for a "billion laughs" document, which would
 * otherwise expand exponentially in interpolation and validation.
 */
export const MAX_ALIAS_COUNT = 100;

/**
 * A config that cannot be used; `problems` are lines of the form `file:line  path: message`.
 * `unreadable`: the file itself could not be read (missing, a directory, no permission): one line, no line number.
 */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    readonly kind: 'invalid' | 'unreadable' = 'invalid',
  ) {
    super(kind === 'unreadable' ? problems.join('\n') : `invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Something the config does that works but is unsafe; logged as a warning, never with the value. */
export interface ConfigWarning {
  file: string;
  line: number;
  /** The config path, e.g. `channels[0].password`. */
  field: string;
  message: string;
}

export interface ParsedConfig<C extends Config = Config> {
  config: C;
  warnings: ConfigWarning[];
}

export interface LoadedConfig<C extends Config = Config> extends ParsedConfig<C> {
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

/**
 * The schema is the caller's: config/ sits below the platforms and cannot name them, so the assembled schema
 * (the kits' channel schemas in it) comes from src/platforms/config-schema.ts, which binds it to these two.
 */
export function loadConfigFileWith<C extends Config>(schema: z.ZodType<C>, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig<C> {
  return { ...parseConfigTextWith(schema, readConfigFile(file), file, env), file };
}

/** Logs each warning once, with its place and field but never the value. */
export function logConfigWarnings(log: Pick<Logger, 'warn'>, warnings: ConfigWarning[]): void {
  for (const { file, line, field, message } of warnings) log.warn({ file, line, field }, message);
}

const WHICH_FILE = '(use --config PATH or THREADCAST_CONFIG)';

/**
 * Reads the file through one descriptor: what is checked (a regular file) is what is read, and a FIFO or
 * a device such as /dev/zero is refused before a read could block or never end.
 */
function readConfigFile(file: string): string {
  const refuse = (reason: string) => new ConfigError([`${file}: ${reason}`], 'unreadable');
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw refuse(whyUnreadable(err));
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw refuse(`is a directory, not a config file ${WHICH_FILE}`);
    if (!stat.isFile()) throw refuse('is not a regular file');
    return readFileSync(fd, 'utf8');
  } catch (err) {
    throw err instanceof ConfigError ? err : refuse(whyUnreadable(err));
  } finally {
    closeSync(fd);
  }
}

function whyUnreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `no such file ${WHICH_FILE}`;
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read: permission denied';
  return `cannot be read (${code ?? String(err)})`;
}

export function parseConfigTextWith<C extends Config>(schema: z.ZodType<C>, text: string, file: string, env: NodeJS.ProcessEnv = process.env): ParsedConfig<C> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;

  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${file}:${lineOf(e.pos[0])}  ${e.message.split('\n')[0]}`));
  }
  const raw = toPlainData(doc, file, lineOf);
  // Defaults alone make no service: an empty file is far more likely the wrong path or a truncated write.
  if (raw === null || raw === undefined || (isPlainObject(raw) && Object.keys(raw).length === 0)) {
    throw new ConfigError([`${file}: the file is empty: it needs at least one channel (see README, "Configuration")`]);
  }
  const { value, unset } = interpolateEnv(raw, env);
  const result = schema.safeParse(value);
  if (result.success) {
    const warnings = literalSecretPaths(schema, raw).map((p) => ({
      file,
      line: lineOf(nodeOffset(doc, p)),
      field: formatPath(p),
      message: 'a secret is written in the config file: set it in the environment (or .env) and write ${VAR} here',
    }));
    return { config: result.data, warnings };
  }

  const problems = result.error.issues.flatMap((issue) => describeIssue(issue, doc, unset, file, lineOf));
  throw new ConfigError(problems);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The document as plain data, with alias expansion bounded; a failure names the node where it happened. */
function toPlainData(doc: Document, file: string, lineOf: (offset: number) => number): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    const node = failingNode(doc, doc.contents);
    const line = lineOf(node?.range?.[0] ?? 0);
    const message =
      node && isAlias(node) && !node.resolve(doc)
        ? `alias *${node.source} has no anchor &${node.source} before it`
        : `aliases here expand to more than ${MAX_ALIAS_COUNT} uses; refused as a possible alias bomb ("billion laughs")`;
    throw new ConfigError([`${file}:${line}  ${message}`]);
  }
}

/**
 * The deepest node that fails to become data on its own: a node whose children each pass but which fails
 * as a whole is where the aliases multiply. Each try is itself bounded by MAX_ALIAS_COUNT.
 */
function failingNode(doc: Document, node: unknown): Node | undefined {
  const fails = (n: unknown) => {
    if (!n || typeof n !== 'object' || !('toJS' in n)) return false;
    try {
      (n as Node).toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT });
      return false;
    } catch {
      return true;
    }
  };
  if (!fails(node)) return undefined;
  if (isMap(node) || isSeq(node)) {
    for (const item of node.items) {
      const child = isPair(item) ? (fails(item.key) ? item.key : item.value) : item;
      const deeper = failingNode(doc, child);
      if (deeper) return deeper;
    }
  }
  return node as Node;
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
