import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, startCli, tempDir, writeFile } from '../support/cli.js';
import { startFeedHosts } from '../support/feed-hosts.js';
import { until } from '../support/wait.js';

describe('threadcast run', () => {
  it('publishes on start, keeps running, and exits cleanly on SIGTERM', async () => {
    const dir = tempDir();
    const config = writeFile(
      dir,
      'threadcast.yaml',
      `store: sqlite:${path.join(dir, 'state.sqlite')}\nserver:\n  port: 0\nsources:\n  - id: sample\n    feed: ${path.join(REPO, 'config/sample-feed.xml')}\n    backlog: 2\nchannels:\n  - id: x-main\n    platform: x\n`,
    );
    const child = startCli(['--config', config, 'run'], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const firstThreads = new Promise<void>((resolve) =>
      child.stdout!.on('data', (d) => {
        stdout += d;
        if ((stdout.match(/^── /gm) ?? []).length >= 2) resolve();
      }),
    );
    await firstThreads;
    // Still running after the first cycle: it waits for its schedule.
    expect(child.exitCode).toBeNull();
    await expectCleanStopOnSigterm(child, () => stderr);
  });
});

/** SIGTERM, then exit 0 within docker stop's 10 s grace, with the service's "stopped" logged. */
async function expectCleanStopOnSigterm(child: ChildProcess, stderr: () => string): Promise<void> {
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stoppedAt = Date.now();
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(Date.now() - stoppedAt).toBeLessThan(10_000);
  expect(stderr()).toContain('"msg":"stopped"');
}

/** A config whose one source is `feedUrl` (given 30 s to answer) and one dry-run X channel; `extra` lines go first. */
function hangingFeedConfig(dir: string, feedUrl: string, extra: readonly string[] = []): string {
  return writeFile(
    dir,
    'threadcast.yaml',
    [
      `store: sqlite:${path.join(dir, 'state.sqlite')}`,
      'server:\n  enabled: false',
      ...extra,
      'sources:',
      `  - id: hanging\n    feed: ${feedUrl}\n    timeoutMs: 30000`,
      'channels:\n  - id: x-main\n    platform: x',
      '',
    ].join('\n'),
  );
}

describe('threadcast run: stopping', () => {
  it('stops at once on SIGTERM while a feed hangs: the request is dropped, not waited for', { timeout: 60_000 }, async () => {
    const feeds = await startFeedHosts({ hosts: 1, delayMs: () => Infinity });
    const dir = tempDir();
    const config = hangingFeedConfig(dir, feeds.url(0));
    const child = startCli(['--config', config, 'run'], { cwd: dir });
    try {
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      await until('the feed request to be open', async () => (feeds.open().length === 1 ? true : undefined), 20_000);
      // Well before the feed's 30 s timeout; the request was closed, not left open.
      await expectCleanStopOnSigterm(child, () => stderr);
      await until('the feed request to be closed', async () => (feeds.open().length === 0 ? true : undefined), 5_000);
      // An abandoned fetch is no failure of the feed.
      expect(stderr).not.toMatch(/"level":(40|50)[^\n]*hanging/);
    } finally {
      child.kill('SIGKILL');
      await feeds.close();
    }
  });
});

describe('threadcast run: polling beside publishing', () => {
  it('publishes while a feed hangs: a publish tick never waits for a poll round', { timeout: 60_000 }, async () => {
    const feeds = await startFeedHosts({ hosts: 1, delayMs: (n) => (n === 0 ? Infinity : 0) });
    const dir = tempDir();
    mkdirSync(path.join(dir, 'inbox'));
    writeFile(dir, 'inbox/quiz.md', '---\nchannels: [x-main]\n---\nQuiz night on Thursday in the town hall.\n');
    const config = hangingFeedConfig(dir, feeds.url(0), ['publishEvery: "* * * * * *"', `editor:\n  folder: ${path.join(dir, 'inbox')}`]);
    const child = startCli(['--config', config, 'run'], { cwd: dir });
    try {
      let stdout = '';
      const published = new Promise<void>((resolve) =>
        child.stdout!.on('data', (d) => {
          stdout += d;
          if (/^── /m.test(stdout)) resolve();
        }),
      );
      await published;
      // The announcement went out while the feed's request was still open, well before its 30 s timeout.
      expect(feeds.open()).toEqual([0]);
      expect(stdout).toContain('Quiz night on Thursday');
    } finally {
      child.kill('SIGKILL');
      await feeds.close();
    }
  });
});

describe('threadcast run: the uploads sweep', () => {
  it('removes abandoned uploads at start, not only at its daily hour, and keeps the rest', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const uploads = path.join(dir, 'uploads');
    mkdirSync(uploads);
    const old = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000);
    const abandoned = `${'a'.repeat(32)}.png`;
    const recent = `${'b'.repeat(32)}.png`;
    for (const name of [abandoned, recent]) writeFile(uploads, name, 'not read: only names and times count');
    utimesSync(path.join(uploads, abandoned), old, old);
    const config = writeFile(dir, 'threadcast.yaml', `store: sqlite:${path.join(dir, 'state.sqlite')}\nserver:\n  enabled: false\nchannels:\n  - id: x-main\n    platform: x\n`);
    const child = startCli(['--config', config, 'run'], { cwd: dir });
    try {
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      await until('the abandoned upload to be removed', async () => (existsSync(path.join(uploads, abandoned)) ? undefined : true), 20_000);
      expect(existsSync(path.join(uploads, recent))).toBe(true);
      await expectCleanStopOnSigterm(child, () => stderr);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
