import path from 'node:path';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeFile } from '../support/cli.js';

/**
 * `queue list` through the real CLI: a header over columns that line up on screen whatever the titles hold (CJK
 * takes two cells, a family emoji or a flag two, a combining accent none), and which channel only records.
 */

const X_ENV = { X_API_KEY: 'key-0123456789', X_API_SECRET: 'secret-0123456789', X_ACCESS_TOKEN: 'token-0123456789', X_ACCESS_SECRET: 'access-0123456789' };

function setup() {
  const dir = tempDir();
  // `live` has credentials and an API that refuses connections: its deliveries fail and wait for a retry, with a reason.
  const config = writeFile(
    dir,
    'threadcast.yaml',
    `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: error }
sources: []
channels:
  - id: live
    platform: x
    apiBase: http://127.0.0.1:9
    appKey: \${X_API_KEY}
    appSecret: \${X_API_SECRET}
    accessToken: \${X_ACCESS_TOKEN}
    accessSecret: \${X_ACCESS_SECRET}
  - id: bsky
    platform: bluesky
`,
  );
  return { run: (...args: string[]) => runCli(['--config', config, ...args], { cwd: dir, env: X_ENV }) };
}

/** The display column where `needle` starts in `line`. */
const columnOf = (line: string, needle: string) => stringWidth(line.slice(0, line.indexOf(needle)));

describe('threadcast queue list', { timeout: 120_000 }, () => {
  it('prints a header and columns aligned on screen for CJK, emoji and accented titles', async () => {
    const s = setup();
    const texts = ['東京の図書館が土曜日に開きます', 'Family day 👩‍👩‍👧 with flags 🇩🇪🇫🇷 at the café', 'Cafe\u0301 reopens', 'Plain ASCII title'];
    for (const text of texts) expect((await s.run('queue', 'add', '--text', text, '--channels', 'live')).code).toBe(0);
    await s.run('once');

    const list = await s.run('queue', 'list');
    expect(list.code, list.stderr).toBe(0);
    const [header, ...rows] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID +CHANNEL +STATE +SOURCE +AT +TITLE +NOTE$/);
    expect(rows).toHaveLength(4);
    for (const text of texts) expect(rows.filter((r) => r.includes(text))).toHaveLength(1);
    // Every column, the one after the titles included, starts in the same display column as its header.
    for (const row of rows) {
      expect(row).toMatch(/^live:[0-9a-f]{16} +live +failed +announcement +\S+ +/);
      expect(columnOf(row, 'failed'), row).toBe(columnOf(header!, 'STATE'));
      expect(columnOf(row, 'announcement'), row).toBe(columnOf(header!, 'SOURCE'));
      expect(columnOf(row, 'channel live'), row).toBe(columnOf(header!, 'NOTE'));
    }
  });

  it('cuts a long title to its column without splitting a character', async () => {
    const s = setup();
    const long = `${'長い見出し'.repeat(12)}🇩🇪 end`;
    await s.run('queue', 'add', '--text', long, '--channels', 'live');
    await s.run('queue', 'add', '--text', 'Short', '--channels', 'live');
    await s.run('once');
    const [header, ...rows] = (await s.run('queue', 'list')).stdout.trimEnd().split('\n');
    const cut = rows.find((r) => r.includes('長い'))!;
    expect(cut).toContain('…');
    expect(cut).not.toContain(' end');
    expect(columnOf(cut, 'channel live')).toBe(columnOf(header!, 'NOTE'));
    expect(columnOf(rows.find((r) => r.includes('Short'))!, 'channel live')).toBe(columnOf(header!, 'NOTE'));
  });

  it('marks the rows of a dry-run channel and says why, in text and JSON', async () => {
    const s = setup();
    await s.run('queue', 'add', '--text', 'Quiz night on Thursday.', '--at', '2030-01-01T18:00:00+01:00');

    const text = (await s.run('queue', 'list')).stdout;
    const lines = text.trimEnd().split('\n');
    expect(lines.find((l) => l.startsWith('bsky:'))).toMatch(/^bsky:[0-9a-f]{16} +bsky \(dry-run\) +queued /);
    expect(lines.find((l) => l.startsWith('live:'))).toMatch(/^live:[0-9a-f]{16} +live +queued /);
    expect(lines.at(-1)).toBe('bsky: dry-run (credentials missing: identifier, password): recorded, not posted');

    const json = JSON.parse((await s.run('queue', 'list', '--json')).stdout);
    const byChannel = Object.fromEntries(json.deliveries.map((d: { channel: string }) => [d.channel, d]));
    expect(byChannel.bsky).toMatchObject({ dryRun: true, dryRunReason: 'credentials missing: identifier, password' });
    expect(byChannel.live).toMatchObject({ dryRun: false, dryRunReason: null });
  });
});
