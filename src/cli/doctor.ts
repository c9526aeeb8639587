import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import type { ChannelConfig, Config } from '../config/schema.js';
import { describeError } from '../core/errors.js';
import { redactUrl } from '../http/redact-url.js';
import { dryRunReason, livePublisher, missingCredentials } from '../platforms/create-publisher.js';
import { kitFor } from '../platforms/index.js';
import { API_TOKEN_ENV, chooseApiToken, MIN_TOKEN_LENGTH } from '../server/api-token.js';
import type { AccountCheck } from '../platforms/publisher.js';
import { openStore } from '../store/open-store.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { loadConfig, loggerFor, type GlobalOptions } from './context.js';

/**
 * `threadcast doctor`: checks the config, the store, the editor API token, each channel's credentials (one
 * harmless authenticated call each) and the clock, and says what is wrong and how to fix it. Every check has its
 * own timeout, and one failing never stops the others. No secret is ever printed: details name the
 * environment variable, never its value, and every credential value is scrubbed from the output.
 */

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckRow {
  check: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

/** When the config does not set web.timeoutMs. */
const DEFAULT_CHECK_TIMEOUT_MS = 10_000;
/** One plain request per service for its Date header. */
const CLOCK_REQUEST_TIMEOUT_MS = 5_000;
const CLOCK_WARN_MS = 5_000;
const CLOCK_FAIL_MS = 60_000;
const NTP_FIX = 'enable NTP (timedatectl set-ntp true): OAuth 1.0a signatures and token expiry need a correct clock';

class CheckTimeout extends Error {}

export async function doctorCommand(opts: GlobalOptions & { json?: boolean }, out: Writable): Promise<number> {
  // An invalid config takes the path every command takes (CliError: `file:line  path: message` lines on
  // stderr, exit 2), so scripts see one contract across commands, as with `status --json`; and no other
  // check could run without it: the store URL and the channels come from the config.
  const loaded = loadConfig(opts);
  const { config, file } = loaded;
  const raw = readRawConfig(file);
  const rawWeb = raw?.web as Record<string, unknown> | undefined;
  const timeoutMs = typeof rawWeb?.timeoutMs === 'number' ? config.web.timeoutMs : DEFAULT_CHECK_TIMEOUT_MS;
  const log = loggerFor(loaded);
  // Work a check gave up on may still be running (e.g. an OAuth 2.0 refresh about to save its rotated
  // token): the store is closed only once all of it has settled.
  const pending: Array<Promise<unknown>> = [];

  const rows: CheckRow[] = [configRow(config, file)];
  const opened = await storeCheck(config.store, timeoutMs, pending);
  rows.push(opened.row, apiTokenRow(config, process.env));

  let scratch: Store | undefined;
  const scratchStore = () => (scratch ??= new SqliteStore(':memory:'));
  const rawChannels = Array.isArray(raw?.channels) ? (raw.channels as unknown[]) : [];
  const [channelRows, clock] = await Promise.all([
    Promise.all(
      config.channels.map((channel, i) =>
        guarded(`channel ${channel.id}`, () =>
          channelCheck(channel, envVarsOf(rawChannels[i]), { config, log, timeoutMs, pending, store: opened.store, scratchStore }),
        ),
      ),
    ),
    // Each request has its own, shorter timeout, so one silent service leaves the others compared.
    guarded('clock', () => withTimeout(clockCheck(config, Math.min(CLOCK_REQUEST_TIMEOUT_MS, timeoutMs)), timeoutMs + 1_000, 'the clock check', pending)),
  ]);
  rows.push(...channelRows, clock);

  await Promise.allSettled(pending);
  // Some clients save their session without awaiting it (Bluesky's agent): let those land before the store closes.
  await new Promise((resolve) => setImmediate(resolve));
  await opened.store?.close().catch(() => undefined);
  await scratch?.close().catch(() => undefined);

  const secrets = secretValues(config);
  const clean = rows.map((r) => scrubRow(r, secrets));
  out.write(opts.json ? `${JSON.stringify({ checks: clean }, null, 2)}\n` : renderTable(clean));
  return clean.some((r) => r.status === 'fail') ? 1 : 0;
}

// ------------------------------------------------------------------------------------------- config

function configRow(config: Config, file: string): CheckRow {
  const summary = `${file}: valid — ${config.sources.length} source(s), ${config.channels.length} channel(s)`;
  if (config.channels.length === 0) return { check: 'config', status: 'warn', detail: `${summary}; nothing will be published`, fix: 'add a channel under channels: (see README, Configuration)' };
  return { check: 'config', status: 'ok', detail: summary };
}

/** The file as written, before `${VAR}` substitution: which variables feed which fields. Never throws. */
function readRawConfig(file: string): Record<string, unknown> | undefined {
  try {
    const value = parseYaml(readFileSync(file, 'utf8')) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Per field of a raw channel: the environment variables its value refers to (empty when it has none). */
function envVarsOf(rawChannel: unknown): Map<string, string[]> {
  const vars = new Map<string, string[]>();
  if (!rawChannel || typeof rawChannel !== 'object') return vars;
  for (const [field, value] of Object.entries(rawChannel)) {
    if (typeof value === 'string') vars.set(field, [...value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)].map((m) => m[1]!));
  }
  return vars;
}

// ---------------------------------------------------------------------------------------- api token

const TOKEN_FIX = `set ${API_TOKEN_ENV} to ${MIN_TOKEN_LENGTH} or more random characters (e.g. openssl rand -hex 24) in the environment or in .env`;

/** The editor API's token as `run` will take it (src/server/api-token.ts); its value is never said, not even its length. */
function apiTokenRow(config: Config, env: NodeJS.ProcessEnv): CheckRow {
  const check = 'api token';
  const { enabled, host } = config.server;
  if (!enabled) return { check, status: 'skip', detail: 'server.enabled is false: no editor page or API' };
  const token = chooseApiToken(env, host);
  if (token.kind === 'configured') return { check, status: 'ok', detail: `${API_TOKEN_ENV} is set, ${MIN_TOKEN_LENGTH}+ characters: the editor API takes it` };
  if (token.kind === 'generated') {
    return { check, status: 'ok', detail: `${API_TOKEN_ENV} is not set; server.host ${host} is loopback, so \`run\` makes up a one-time token and logs a sign-in URL at start` };
  }
  if (token.problem === 'too-short') return { check, status: 'fail', detail: `${token.detail}: the editor API stays off`, fix: TOKEN_FIX };
  return { check, status: 'warn', detail: `${token.detail}: the editor API stays off`, fix: `${TOKEN_FIX}, to use the editor page` };
}

// -------------------------------------------------------------------------------------------- store

async function storeCheck(url: string, timeoutMs: number, pending: Array<Promise<unknown>>): Promise<{ row: CheckRow; store?: Store }> {
  const shown = url.startsWith('sqlite:') ? url : redactUrl(url);
  const opened: { store?: Store } = {};
  const probe = async () => {
    const store = (opened.store = await openStore(url));
    const key = `doctor:probe:${randomUUID()}`;
    const value = `probe ${Date.now()}`;
    await store.kv.set(key, value, 60_000);
    const back = await store.kv.get(key);
    await store.kv.delete(key);
    if (back !== value) throw new Error(`a probe key written to the store read back as ${JSON.stringify(back)}`);
    return { store, counts: await store.countDeliveries() };
  };
  try {
    const { store, counts } = await withTimeout(probe(), timeoutMs, 'the store', pending);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const byState = Object.entries(counts).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`);
    const deliveries = total === 0 ? 'no deliveries yet' : `${total} deliveries (${byState.join(', ')})`;
    return { row: { check: 'store', status: 'ok', detail: `${shown}: write, read and delete work; ${deliveries}` }, store };
  } catch (err) {
    if (opened.store) pending.push(opened.store.close().catch(() => undefined));
    return { row: { check: 'store', status: 'fail', detail: `${shown}: ${describeError(err)}`, fix: storeFix(url, err) } };
  }
}

function storeFix(url: string, err: unknown): string {
  // Decided by the error's code alone (SQLite's, the system's, or the RESP error name the Redis store keeps).
  const code = String((err as { code?: unknown } | undefined)?.code ?? '');
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    const dir = path.dirname(path.resolve(file));
    if (/^(EACCES|EPERM|EROFS|SQLITE_CANTOPEN|SQLITE_READONLY)/.test(code)) {
      return `the folder ${dir} (or ${path.basename(file)} in it) is not writable by this user (${userName()}): fix its permissions, or point store at a writable path`;
    }
    if (/^(ENOTDIR|EEXIST)$/.test(code)) return `the folder ${dir} cannot be created or used (a file is in its way): move that file, or point store at a path in a writable folder`;
    if (/^(SQLITE_BUSY|SQLITE_LOCKED)/.test(code)) return `another process keeps ${file} locked: wait for it or stop it, then run doctor again`;
    if (/^(SQLITE_CORRUPT|SQLITE_NOTADB)/.test(code)) return `${file} is damaged or not a Threadcast database: restore a backup, or move it aside (state then starts over)`;
    if (/^(SQLITE_FULL|ENOSPC)/.test(code)) return `the disk holding ${dir} is full: free some space`;
    if (err instanceof CheckTimeout) return `the database did not answer in time: check the disk holding ${dir} and any process locking ${file}`;
    return `check that ${file} is a Threadcast SQLite database in a writable folder`;
  }
  if (/^rediss?:/.test(url)) {
    if (code === 'NOAUTH' || code === 'WRONGPASS') return 'Redis refused the credentials in the store URL: fix the user or password there';
    return `Redis is not reachable at ${redactUrl(url)}: start it (e.g. systemctl start redis-server) or fix the store URL`;
  }
  return 'set store to a supported URL (see README, Configuration)';
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

// ------------------------------------------------------------------------------------------ channels

interface ChannelDeps {
  config: Config;
  log: Logger;
  timeoutMs: number;
  pending: Array<Promise<unknown>>;
  /** The configured store, when it works. */
  store: Store | undefined;
  scratchStore: () => Store;
}

async function channelCheck(channel: ChannelConfig, vars: Map<string, string[]>, deps: ChannelDeps): Promise<CheckRow> {
  const check = `channel ${channel.id}`;
  const reason = dryRunReason(channel, deps.config.dryRun);
  if (reason !== undefined) return dryRunRow(check, channel, reason, vars);

  const kit = kitFor(channel);
  let store = deps.store;
  let note = '';
  if (!store) {
    const needsStore = kit.needsStore?.(channel);
    if (needsStore !== undefined) return { check, status: 'skip', detail: `not checked: the store failed, and ${needsStore}`, fix: 'fix the store first, then run doctor again' };
    store = deps.scratchStore();
    note = ' (store unavailable: the session was not kept)';
  }
  // The service's own factory, as `run` builds it: what is checked is what would post.
  const publisher = livePublisher(channel, { config: deps.config, store, log: deps.log, requestTimeoutMs: deps.timeoutMs });
  const service = redactUrl(kit.serviceUrl(channel));

  let result: AccountCheck;
  try {
    result = await withTimeout(publisher.checkAccount(), deps.timeoutMs, `${service}`, deps.pending);
  } catch (err) {
    if (!(err instanceof CheckTimeout)) throw err;
    result = {
      ok: false,
      problem: 'unreachable',
      detail: `${kit.serviceName(channel)} could not be reached: ${err.message}`,
      fix: `check that ${service} is reachable from this host (DNS, proxy, firewall) and answering; try again later if it is down`,
    };
  }
  if (result.ok) {
    const detail = `${result.account}${result.detail ? ` — ${result.detail}` : ''}${note}`;
    return result.advice ? { check, status: 'warn', detail, fix: result.advice } : { check, status: 'ok', detail };
  }
  if (result.problem === 'credentials') {
    const from = kit.credentials
      .fields(channel)
      .filter((f) => vars.get(f)?.length)
      .map((f) => `${f} ← ${vars.get(f)!.join(', ')}`);
    const fix = from.length > 0 ? `${result.fix} (this config reads ${from.join('; ')})` : result.fix;
    return { check, status: 'fail', detail: result.detail, fix };
  }
  return { check, status: result.problem === 'limited' ? 'warn' : 'fail', detail: result.detail, fix: result.fix };
}

function dryRunRow(check: string, channel: ChannelConfig, reason: string, vars: Map<string, string[]>): CheckRow {
  const missing = missingCredentials(channel);
  if (missing.length === 0) {
    return { check, status: 'warn', detail: `dry-run: ${reason}; nothing is posted`, fix: 'remove dryRun: true from the config to post' };
  }
  const unsetVars = missing.flatMap((f) => vars.get(f) ?? []).filter((v, i, all) => all.indexOf(v) === i);
  const notInFile = missing.filter((f) => !vars.get(f)?.length);
  const named = missing.map((f) => (vars.get(f)?.length ? `${f} (${vars.get(f)!.join(', ')} not set)` : `${f} (not in the config)`));
  const fixes: string[] = [];
  if (unsetVars.length > 0) fixes.push(`set ${unsetVars.join(', ')} in the environment or in .env (see .env.example) to post`);
  if (notInFile.length > 0) {
    const { envNames } = kitFor(channel).credentials;
    const examples = notInFile.map((f) => `${f}: \${${envNames[f] ?? 'NAME'}}`);
    fixes.push(`add ${notInFile.join(', ')} to channel ${channel.id}, from environment variables (e.g. ${examples.join(', ')})`);
  }
  return { check, status: 'warn', detail: `dry-run: credentials missing — ${named.join(', ')}`, fix: fixes.join('; ') };
}

// --------------------------------------------------------------------------------------------- clock

/**
 * Local clock against the Date header of each service a channel posts to. Dry-run channels post nothing, so their
 * services are not asked: doctor on the shipped config reaches no host outside this machine.
 */
async function clockCheck(config: Config, requestTimeoutMs: number): Promise<CheckRow> {
  const targets = new Map<string, string[]>();
  for (const channel of config.channels) {
    if (dryRunReason(channel, config.dryRun) !== undefined) continue;
    const url = kitFor(channel).serviceUrl(channel);
    targets.set(url, [...(targets.get(url) ?? []), channel.id]);
  }
  if (targets.size === 0) {
    const detail = config.channels.length === 0 ? 'no channel service to compare with' : 'every channel runs in dry-run: no service is asked for the time';
    return { check: 'clock', status: 'skip', detail };
  }

  const measured = await Promise.all([...targets].map(async ([url, channels]) => ({ url, channels, result: await measureSkew(url, requestTimeoutMs) })));
  const parts: string[] = [];
  let worst: number | undefined;
  for (const { url, channels, result } of measured) {
    const where = `${redactUrl(url)} (${channels.join(', ')})`;
    if ('skewMs' in result) {
      parts.push(`${where}: local clock ${formatSkew(result.skewMs)}`);
      worst = Math.max(worst ?? 0, Math.abs(result.skewMs));
    } else {
      parts.push(`${where}: not compared (${result.error}; see its channel row)`);
    }
  }
  const detail = parts.join('; ');
  if (worst === undefined) return { check: 'clock', status: 'skip', detail };
  if (worst > CLOCK_FAIL_MS) return { check: 'clock', status: 'fail', detail, fix: NTP_FIX };
  if (worst > CLOCK_WARN_MS) return { check: 'clock', status: 'warn', detail, fix: NTP_FIX };
  return { check: 'clock', status: 'ok', detail };
}

async function measureSkew(url: string, timeoutMs: number): Promise<{ skewMs: number } | { error: string }> {
  let target: URL;
  try {
    target = new URL(url);
    target.username = '';
    target.password = '';
  } catch {
    return { error: 'not a URL' };
  }
  try {
    const sent = Date.now();
    const res = await fetch(target, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const received = Date.now();
    await res.body?.cancel().catch(() => undefined);
    const header = res.headers.get('date');
    const server = header ? Date.parse(header) : Number.NaN;
    if (!Number.isFinite(server)) return { error: 'no Date header in the answer' };
    // The header has whole seconds: the server's time lies within [server, server + 1 s).
    return { skewMs: (sent + received) / 2 - (server + 500) };
  } catch (err) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, bad port…) is its cause.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const name = (err as { name?: string }).name;
    return { error: name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : `unreachable: ${cause?.code ?? cause?.message ?? describeError(err)}` };
  }
}

function formatSkew(skewMs: number): string {
  const s = Math.abs(skewMs) / 1000;
  const amount = s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
  if (s < 0.05) return 'in step';
  return `${amount} ${skewMs > 0 ? 'ahead' : 'behind'}`;
}

// ---------------------------------------------------------------------------------------------- helpers

/** Runs one check; anything it throws becomes its fail row, so it never stops the others. */
async function guarded(check: string, run: () => Promise<CheckRow>): Promise<CheckRow> {
  try {
    return await run();
  } catch (err) {
    return { check, status: 'fail', detail: describeError(err), fix: err instanceof CheckTimeout ? 'see the detail; run doctor again' : 'see the detail' };
  }
}

/** `work` or a CheckTimeout after `ms`; the work itself is remembered in `pending` so nothing is cut off mid-write. */
async function withTimeout<T>(work: Promise<T>, ms: number, what: string, pending: Array<Promise<unknown>>): Promise<T> {
  pending.push(work.catch(() => undefined));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function secretValues(config: Config): string[] {
  const values: unknown[] = config.channels.flatMap((c) => kitFor(c).credentials.secrets(c));
  values.push(config.secretKey, process.env.THREADCAST_API_TOKEN);
  return values.filter((v): v is string => typeof v === 'string' && v.length >= 4).sort((a, b) => b.length - a.length);
}

/** Belt and braces: whatever a service or library put in a message, no credential value leaves. */
function scrubRow(row: CheckRow, secrets: string[]): CheckRow {
  const scrub = (text: string) => secrets.reduce((t, s) => t.split(s).join('[redacted]'), text.replace(/\s*\n\s*/g, ' '));
  return { check: scrub(row.check), status: row.status, detail: scrub(row.detail), ...(row.fix ? { fix: scrub(row.fix) } : {}) };
}

function renderTable(rows: CheckRow[]): string {
  const header: CheckRow = { check: 'check', status: 'status' as CheckStatus, detail: 'detail' };
  const w1 = Math.max(...[header, ...rows].map((r) => r.check.length));
  const w2 = Math.max(...[header, ...rows].map((r) => r.status.length));
  const indent = ' '.repeat(w1 + 2 + w2 + 2);
  const lines: string[] = [];
  for (const r of [header, ...rows]) {
    lines.push(`${r.check.padEnd(w1)}  ${r.status.padEnd(w2)}  ${r.detail}`);
    if (r.fix && (r.status === 'fail' || r.status === 'warn')) lines.push(`${indent}fix: ${r.fix}`);
  }
  const failed = rows.filter((r) => r.status === 'fail').length;
  const warned = rows.filter((r) => r.status === 'warn').length;
  const summary = failed + warned === 0 ? 'all checks passed' : `${failed} failed, ${warned} warning${warned === 1 ? '' : 's'}`;
  return `${lines.join('\n')}\n\n${summary}\n`;
}
