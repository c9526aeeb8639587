import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir, writeFile } from '../support/cli.js';

const SAMPLE = path.join(REPO, 'config/sample-feed.xml');

describe('threadcast status', () => {
  it('tells what goes out next, when, and why each channel is waiting', async () => {
    const dir = tempDir();
    const config = writeFile(
      dir,
      'threadcast.yaml',
      `store: sqlite:${path.join(dir, 'state.sqlite')}
sources:
  - id: sample
    feed: ${SAMPLE}
    backlog: all
channels:
  - id: slotted
    platform: bluesky
    schedule: { slots: ["0 9 * * *"], timezone: Europe/Berlin }
  - id: capped
    platform: x
    schedule: { maxPerDay: 1 }
  - id: spaced
    platform: x
    schedule: { minSpacingMinutes: 90 }
`,
    );
    const once = await runCli(['--config', config, 'once'], { cwd: dir });
    expect(once.code, once.stderr).toBe(0);
    // A backlog of four goes out at each channel's pace: one thread each, not all at once.
    expect(once.stdout).toContain('channel slotted: 1 recorded (dry-run), nothing posted');
    expect(once.stdout).toContain('channel capped: 1 recorded (dry-run), nothing posted');
    expect(once.stdout).toContain('channel spaced: 1 recorded (dry-run), nothing posted');

    const json = JSON.parse((await runCli(['--config', config, 'status', '--json'], { cwd: dir })).stdout);
    const byId = Object.fromEntries(json.channels.map((c: { id: string }) => [c.id, c]));
    // No credentials: every channel runs in dry-run, so what went out was recorded, not published.
    expect(byId.slotted.counts).toMatchObject({ published: 0, recordedDryRun: 1, queued: 3 });
    expect(byId.slotted).toMatchObject({ dryRun: true, dryRunReason: 'credentials missing: identifier, password' });
    expect(byId.spaced.lastPublished).toMatchObject({ dryRun: true });
    expect(byId.slotted.waiting).toMatchObject({ reason: 'slot' });
    expect(byId.slotted.waiting.detail).toMatch(/next slot .*09:00 Europe\/Berlin/);
    expect(byId.capped.waiting).toMatchObject({ reason: 'cap' });
    expect(byId.spaced.waiting).toMatchObject({ reason: 'spacing' });
    // Oldest first: the oldest item went first, the next oldest is next.
    expect(byId.spaced.lastPublished.item).toBe('Museum night: free entry and late tours');
    expect(byId.spaced.next.item).toBe('New bike lane links the station and the university');
    expect(Date.parse(byId.spaced.next.at) - Date.parse(byId.spaced.lastPublished.at)).toBeGreaterThanOrEqual(90 * 60_000 - 5_000);

    const text = (await runCli(['--config', config, 'status'], { cwd: dir })).stdout;
    expect(text).toMatch(
      /spaced \(x\): queued 3, recorded \(dry-run\) 1\n {2}dry-run \(credentials missing: appKey, appSecret, accessToken, accessSecret\): nothing is posted, threads are only recorded\n {2}next: .* — New bike lane links the station and the university\n {2}waiting \(spacing\) until/,
    );
    expect(text).toMatch(/\n {2}last recorded \(dry-run\) .*: Museum night: free entry and late tours\n/);
    expect(text).not.toMatch(/published/);
  });

  it('says which channels post and why the others run in dry-run (config, channel, missing credentials)', async () => {
    const dir = tempDir();
    const config = writeFile(
      dir,
      'threadcast.yaml',
      `store: sqlite:${path.join(dir, 'state.sqlite')}
sources: []
channels:
  - id: live
    platform: x
    appKey: \${X_API_KEY}
    appSecret: \${X_API_SECRET}
    accessToken: \${X_ACCESS_TOKEN}
    accessSecret: \${X_ACCESS_SECRET}
  - id: rehearsal
    platform: x
    dryRun: true
    appKey: \${X_API_KEY}
    appSecret: \${X_API_SECRET}
    accessToken: \${X_ACCESS_TOKEN}
    accessSecret: \${X_ACCESS_SECRET}
  - id: unset
    platform: bluesky
`,
    );
    const env = { X_API_KEY: 'key-0123456789', X_API_SECRET: 'secret-0123456789', X_ACCESS_TOKEN: 'token-0123456789', X_ACCESS_SECRET: 'access-0123456789' };
    const status = (...args: string[]) => runCli(['--config', config, 'status', ...args], { cwd: dir, env });

    const json = JSON.parse((await status('--json')).stdout);
    expect(json.channels.map((c: { id: string; dryRun: boolean; dryRunReason: string | null }) => [c.id, c.dryRun, c.dryRunReason])).toEqual([
      ['live', false, null],
      ['rehearsal', true, 'dryRun is set for this channel'],
      ['unset', true, 'credentials missing: identifier, password'],
    ]);
    const text = (await status()).stdout;
    expect(text).toMatch(/^live \(x\): nothing yet\nrehearsal \(x\): nothing yet\n {2}dry-run \(dryRun is set for this channel\): nothing is posted/);
    expect(text).toContain('unset (bluesky): nothing yet\n  dry-run (credentials missing: identifier, password): nothing is posted');

    writeFileSync(config, `dryRun: true\n${readFileSync(config, 'utf8')}`);
    const all = JSON.parse((await status('--json')).stdout);
    expect(all.channels.map((c: { dryRunReason: string | null }) => c.dryRunReason)).toEqual(Array(3).fill('dryRun is set for all channels'));
  });
});
