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
    expect(once.stdout).toContain('channel slotted: 1 published');
    expect(once.stdout).toContain('channel capped: 1 published');
    expect(once.stdout).toContain('channel spaced: 1 published');

    const json = JSON.parse((await runCli(['--config', config, 'status', '--json'], { cwd: dir })).stdout);
    const byId = Object.fromEntries(json.channels.map((c: { id: string }) => [c.id, c]));
    expect(byId.slotted.counts).toMatchObject({ published: 1, queued: 3 });
    expect(byId.slotted.waiting).toMatchObject({ reason: 'slot' });
    expect(byId.slotted.waiting.detail).toMatch(/next slot .*09:00 Europe\/Berlin/);
    expect(byId.capped.waiting).toMatchObject({ reason: 'cap' });
    expect(byId.spaced.waiting).toMatchObject({ reason: 'spacing' });
    // Oldest first: the oldest item went first, the next oldest is next.
    expect(byId.spaced.lastPublished.item).toBe('Museum night: free entry and late tours');
    expect(byId.spaced.next.item).toBe('New bike lane links the station and the university');
    expect(Date.parse(byId.spaced.next.at) - Date.parse(byId.spaced.lastPublished.at)).toBeGreaterThanOrEqual(90 * 60_000 - 5_000);

    const text = (await runCli(['--config', config, 'status'], { cwd: dir })).stdout;
    expect(text).toMatch(/spaced \(x\): queued 3, published 1\n {2}next: .* — New bike lane links the station and the university\n {2}waiting \(spacing\) until/);
  });
});
