import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, startCli, tempDir, writeFile } from '../support/cli.js';

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
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(stderr).toContain('"msg":"stopped"');
  });
});
