import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir, writeFile } from '../support/cli.js';

const SAMPLE = path.join(REPO, 'config/sample-feed.xml');

function configFor(dir: string, sources: string): string {
  return writeFile(
    dir,
    'threadcast.yaml',
    `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: info, format: json }
sources:
${sources}
channels:
  - id: bluesky-main
    platform: bluesky
    identifier: \${BLUESKY_IDENTIFIER}
    password: \${BLUESKY_APP_PASSWORD}
  - id: x-main
    platform: x
    appKey: \${X_API_KEY}
    appSecret: \${X_API_SECRET}
    accessToken: \${X_ACCESS_TOKEN}
    accessSecret: \${X_ACCESS_SECRET}
`,
  );
}

const threadsPrinted = (stdout: string) => (stdout.match(/^── /gm) ?? []).length;

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('threadcast once', () => {
  it('publishes each new item once per channel, and nothing on a second run or after a restart', async () => {
    const dir = tempDir();
    const config = configFor(dir, `  - id: sample\n    feed: ${SAMPLE}\n    backlog: all\n`);
    const first = await runCli(['--config', config, 'once'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(threadsPrinted(first.stdout)).toBe(8); // 4 items × 2 channels
    expect(first.stdout).toContain('channel x-main: 4 recorded (dry-run), nothing posted');
    expect(first.stdout).not.toMatch(/\d+ published/);
    expect(first.stderr).toMatch(/DRY-RUN: channel bluesky-main will not post anything \(credentials missing: identifier, password\)/);

    // Each process is a restart: state comes only from the SQLite file.
    const second = await runCli(['--config', config, 'once'], { cwd: dir });
    expect(second.code).toBe(0);
    expect(threadsPrinted(second.stdout)).toBe(0);
    expect(second.stdout).toContain('channel x-main: 0 recorded (dry-run), nothing posted');

    const status = await runCli(['--config', config, 'status', '--json'], { cwd: dir });
    const channels = JSON.parse(status.stdout).channels as Array<{ id: string; counts: Record<string, number> }>;
    // Without credentials both channels run in dry-run: the threads were recorded, none published.
    expect(channels.map((c) => [c.id, c.counts.published, c.counts.recordedDryRun, c.counts.queued])).toEqual([
      ['bluesky-main', 0, 4, 0],
      ['x-main', 0, 4, 0],
    ]);
  });

  it('applies the backlog policy on first sight: only the newest item goes out', async () => {
    const dir = tempDir();
    const config = configFor(dir, `  - id: sample\n    feed: ${SAMPLE}\n    backlog: 1\n`);
    const first = await runCli(['--config', config, 'once'], { cwd: dir });
    expect(threadsPrinted(first.stdout)).toBe(2);
    expect(first.stdout).toContain('Library extends weekend opening hours');
  });

  it('names a malformed feed and an unreachable URL, and still publishes the good source', async () => {
    const dir = tempDir();
    const broken = writeFile(dir, 'broken.xml', '<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n<item><title>Unclosed</item>\n</channel>\n</rss>\n');
    const port = await closedPort();
    const config = configFor(
      dir,
      `  - id: broken\n    feed: ${broken}\n  - id: offline\n    feed: http://127.0.0.1:${port}/feed.xml\n    timeoutMs: 2000\n  - id: sample\n    feed: ${SAMPLE}\n    backlog: all\n`,
    );
    const result = await runCli(['--config', config, 'once'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(threadsPrinted(result.stdout)).toBe(8);
    expect(result.stdout).toMatch(new RegExp(`source broken: FAILED — feed ${broken.replace(/[.]/g, '\\.')}.*line \\d+`));
    expect(result.stdout).toMatch(new RegExp(`source offline: FAILED — feed http://127\\.0\\.0\\.1:${port}/feed\\.xml`));
    expect(result.stdout).toContain('source sample: 4 item(s), 8 new');
  });

  it("says how many deliveries are still queued after the round, not only what the round touched", async () => {
    const dir = tempDir();
    const config = writeFile(
      dir,
      'threadcast.yaml',
      `store: sqlite:${path.join(dir, 'state.sqlite')}\nlog: { level: info, format: json }\nsources:\n  - id: sample\n    feed: ${SAMPLE}\n    backlog: all\nchannels:\n  - id: paced\n    platform: x\n    schedule: { maxPerDay: 1 }\n`,
    );
    const result = await runCli(['--config', config, 'once'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('channel paced: 1 recorded (dry-run), nothing posted, 0 waiting, 0 to retry, 0 uncertain, 0 dead; 3 still queued (3 due now)');
  });

  it('refuses an invalid config with file:line  path: message and touches nothing', async () => {
    const dir = tempDir();
    const config = writeFile(dir, 'bad.yaml', `store: sqlite:${path.join(dir, 'state.sqlite')}\nsources:\n  - id: a\n    feed: a.xml\n    backlog: lots\nchannels:\n  - id: c\n    platform: x\n    apiBase: not a url\n`);
    const result = await runCli(['--config', config, 'once'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('threadcast: invalid configuration');
    expect(result.stderr).toMatch(new RegExp(`${config.replace(/[.]/g, '\\.')}:5  sources\\[0\\]\\.backlog: `));
    expect(result.stderr).toMatch(new RegExp(`${config.replace(/[.]/g, '\\.')}:9  channels\\[0\\]\\.apiBase: `));
    expect(existsSync(path.join(dir, 'state.sqlite'))).toBe(false);
  });
});
