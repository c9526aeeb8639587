/**
 * Hostile or careless config files (issue #13): secrets written in the file, empty files, YAML alias bombs,
 * and paths that are not a readable file. Each answer names the file (and line where there is one), and a
 * secret's value appears in no log line or output.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, logConfigWarnings } from '../../src/config/load.js';
import { loadConfigFile, parseConfigText } from '../../src/platforms/config-schema.js';
import { SECRET_FIELDS } from '../../src/core/logger.js';
import { REPO, runCli, tempDir, writeFile, type CliResult } from '../support/cli.js';

const FILE = 'conf/threadcast.yaml';

function problemsOf(text: string): string[] {
  try {
    parseConfigText(text, FILE, {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

/** A real pino logger whose lines are kept, parsed, as they would reach stderr. */
function capturingLogger() {
  const lines: string[] = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const APP_PASSWORD = 'abcd-efgh-ijkl-mnop';
const X_SECRET = 'x-app-secret-4f1c0a9e7d';
const FALLBACK_KEY = 'fallback-sealing-key-77aa88bb';
const REDIS_PASSWORD = 'redis-pw-e1f2a3b4';

describe('a secret written in the config file', () => {
  const text = `store: redis://:${REDIS_PASSWORD}@127.0.0.1:6379/0
secretKey: \${THREADCAST_SECRET_KEY:-${FALLBACK_KEY}}
channels:
  - id: bsky
    platform: bluesky
    identifier: alice.example.org
    password: ${APP_PASSWORD}
  - id: x
    platform: x
    appKey: \${X_API_KEY}
    appSecret: "${X_SECRET}"
    accessToken: \${X_ACCESS_TOKEN}
    clientId: a-public-client-id
`;

  it('is warned about with file, line and field, never the value', () => {
    const dir = tempDir('threadcast-secrets-');
    const file = writeFile(dir, 'threadcast.yaml', text);
    const loaded = loadConfigFile(file, { X_API_KEY: 'from-env-key', X_ACCESS_TOKEN: 'from-env-token' });
    const { log, lines, records } = capturingLogger();
    logConfigWarnings(log, loaded.warnings);

    expect(records().map((r) => ({ level: r.level, file: r.file, line: r.line, field: r.field }))).toEqual([
      { level: 40, file, line: 1, field: 'store' },
      { level: 40, file, line: 2, field: 'secretKey' },
      { level: 40, file, line: 7, field: 'channels[0].password' },
      { level: 40, file, line: 11, field: 'channels[1].appSecret' },
    ]);
    for (const r of records()) expect(r.msg).toContain('${VAR}');
    const all = lines.join('\n');
    for (const value of [APP_PASSWORD, X_SECRET, FALLBACK_KEY, REDIS_PASSWORD, 'from-env-key', 'from-env-token']) expect(all).not.toContain(value);
  });

  it('is not claimed for ${VAR} references, an empty default, a Redis user without password, a handle or a client id', () => {
    const { warnings } = parseConfigText(
      `store: redis://threadcast@127.0.0.1:6379
secretKey: \${THREADCAST_SECRET_KEY:-}
channels:
  - id: bsky
    platform: bluesky
    identifier: alice.example.org
    password: \${BLUESKY_APP_PASSWORD}
  - id: x
    platform: x
    auth: oauth2
    clientId: a-public-client-id
    clientSecret: \${X_CLIENT_SECRET}
    refreshToken: \${X_REFRESH_TOKEN}
`,
      FILE,
      { THREADCAST_SECRET_KEY: 'k'.repeat(32), BLUESKY_APP_PASSWORD: APP_PASSWORD, X_CLIENT_SECRET: 'cs', X_REFRESH_TOKEN: 'rt' },
    );
    expect(warnings).toEqual([]);
  });

  it('is warned about in every credential field the schema marks, and the logger redacts each of those names', () => {
    const { warnings } = parseConfigText(
      `secretKey: literal-sealing-key-0123456789
channels:
  - id: bsky
    platform: bluesky
    identifier: alice.example.org
    password: p
  - id: x
    platform: x
    appKey: k
    appSecret: s
    accessToken: t
    accessSecret: u
    clientId: c
    clientSecret: v
    refreshToken: w
`,
      FILE,
      {},
    );
    const names = warnings.map((w) => w.field.split('.').pop());
    expect(names).toEqual(['secretKey', 'password', 'appKey', 'appSecret', 'accessToken', 'accessSecret', 'clientSecret', 'refreshToken']);
    // One list: what the loader warns about is what pino redacts if a config object is ever logged.
    for (const name of names) expect(SECRET_FIELDS).toContain(name);
  });

  it('is warned about by the CLI on stderr as a JSON log line, and `config check` prints no credential', async () => {
    const dir = tempDir('threadcast-secrets-cli-');
    const file = writeFile(dir, 'threadcast.yaml', text);
    const result = await runCli(['--config', file, 'config', 'check'], { cwd: dir });
    expect(result.code).toBe(0);
    const warnings = result.stderr
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.level === 40);
    expect(warnings.map((r) => `${String(r.file)}:${String(r.line)} ${String(r.field)}`)).toEqual([
      `${file}:1 store`,
      `${file}:2 secretKey`,
      `${file}:7 channels[0].password`,
      `${file}:11 channels[1].appSecret`,
    ]);
    for (const value of [APP_PASSWORD, X_SECRET, FALLBACK_KEY, REDIS_PASSWORD]) {
      expect(result.stdout).not.toContain(value);
      expect(result.stderr).not.toContain(value);
    }
  });
});

describe('an empty config', () => {
  it.each([
    ['an empty file', ''],
    ['only comments', '# threadcast.yaml\n\n# nothing here yet\n'],
    ['an empty map', '{}\n'],
    ['null', 'null\n'],
    ['~', '~\n'],
  ])('is an error naming the file: %s', (_name, text) => {
    expect(problemsOf(text)).toEqual([`${FILE}: the file is empty: it needs at least one channel (see README, "Configuration")`]);
  });

  it('does not catch the shipped default config, which `npm start` runs', () => {
    const file = path.join(REPO, 'config/threadcast.yaml');
    const { config, warnings } = parseConfigText(readFileSync(file, 'utf8'), file, {});
    expect(config.channels.length).toBeGreaterThan(0);
    expect(warnings).toEqual([]);
  });
});

describe('YAML aliases', () => {
  // 9^6 (531,441) strings once expanded: small to write, ruinous to interpolate and validate.
  const bomb = [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ...['b', 'c', 'd', 'e', 'f'].map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcde'[i]}`).join(',')}]`),
    'channels: []',
  ].join('\n');

  it('refuse an alias bomb, naming the file and the line where the aliases multiply', () => {
    const started = Date.now();
    const problems = problemsOf(bomb);
    expect(problems).toEqual([`${FILE}:4  aliases here expand to more than 100 uses; refused as a possible alias bomb ("billion laughs")`]);
    // A guard against a hang, not a speed claim: the honest figure is a few milliseconds.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('name the file and line of an alias without an anchor', () => {
    expect(problemsOf('sources:\n  - id: a\n    feed: *nowhere\n')).toEqual([`${FILE}:3  alias *nowhere has no anchor &nowhere before it`]);
  });

  it('still work for sharing a template between channels', () => {
    const { config } = parseConfigText(
      'channels:\n  - id: a\n    platform: x\n    template: &t { maxParts: 2 }\n  - id: b\n    platform: bluesky\n    template: *t\n  - id: c\n    platform: x\n    template: *t\n',
      FILE,
      {},
    );
    expect(config.channels.map((c) => c.template.maxParts)).toEqual([2, 2, 2]);
  });
});

describe('a config path that is not a readable file', () => {
  function unreadableProblem(file: string): string[] {
    try {
      loadConfigFile(file, {});
    } catch (err) {
      if (err instanceof ConfigError) {
        expect(err.kind).toBe('unreadable');
        return err.problems;
      }
      throw err;
    }
    throw new Error('expected the config to be refused');
  }

  it('is a directory: one problem naming the path', () => {
    const dir = tempDir('threadcast-config-dir-');
    expect(unreadableProblem(dir)).toEqual([`${dir}: is a directory, not a config file (use --config PATH or THREADCAST_CONFIG)`]);
  });

  it('is a directory: every command says so in one line and exits 2', async () => {
    const dir = tempDir('threadcast-config-dir-');
    const configDir = path.join(dir, 'threadcast.yaml');
    mkdirSync(configDir);
    for (const command of [['config', 'check'], ['status']]) {
      const result = await runCli(['--config', configDir, ...command], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`threadcast: ${configDir}: is a directory, not a config file (use --config PATH or THREADCAST_CONFIG)\n`);
    }
  });

  it('cannot be read: one line naming the path, exit 2', async () => {
    const dir = tempDir('threadcast-config-noread-');
    const file = writeFile(dir, 'threadcast.yaml', 'channels: []\n');
    chmodSync(file, 0o000);
    // root reads anything: run the CLI as nobody then, for whom the private temp directory is closed.
    const result = process.getuid?.() === 0 ? await runCliAs(65534, ['--config', file, 'config', 'check']) : await runCli(['--config', file, 'config', 'check'], { cwd: '/' });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`threadcast: ${file}: cannot be read: permission denied\n`);
  });

  it('is a FIFO: refused at once instead of waiting for a writer', async () => {
    const dir = tempDir('threadcast-config-fifo-');
    const fifo = path.join(dir, 'threadcast.yaml');
    execFileSync('mkfifo', [fifo]);
    const result = await runCli(['--config', fifo, 'config', 'check'], { cwd: dir, timeoutMs: 10_000 });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`threadcast: ${fifo}: is not a regular file\n`);
  });
});

function runCliAs(uid: number, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'dist/cli/main.js'), ...args], {
      cwd: '/',
      uid,
      gid: uid,
      env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
