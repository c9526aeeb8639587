/**
 * Issue #15: one article, one thread. Three sources carry overlapping articles under other GUIDs, with tracking
 * parameters, http/https, `www.`, ports, fragments, trailing-slash variants and one relative link
 * (tests/fixtures/feeds/identity/). A channel that dedups by article announces each of the six articles once; a
 * channel that dedups per source announces each source's items (4 + 4 + 3). A restart and a second `once` publish
 * nothing; `status` and `queue show` name the other sources.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliveryId } from '../../src/core/delivery.js';
import { REPO, runCli, tempDir, writeFile } from '../support/cli.js';

const FEEDS = path.join(REPO, 'tests/fixtures/feeds/identity');
const ARTICLES = [
  'Ferry timetable changes from July',
  'New cycle lane on Quay Street opens',
  'Library extends weekend opening hours',
  'Harbour wall repairs finished early',
  'Fish market moves to the old customs house',
  'School roof to be replaced over the summer',
];

function configFor(dir: string): string {
  return writeFile(
    dir,
    'threadcast.yaml',
    `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: info, format: json }
sources:
  - { id: wire, feed: ${path.join(FEEDS, 'wire.xml')}, backlog: all }
  - { id: aggregator, feed: ${path.join(FEEDS, 'aggregator.xml')}, backlog: all }
  - { id: weekly, feed: ${path.join(FEEDS, 'weekly.xml')}, backlog: all }
channels:
  - id: by-article
    platform: x
  - id: by-source
    platform: bluesky
    dedup: per-source
`,
  );
}

describe('one article, one thread, whichever sources carry it', () => {
  it('publishes each article once on a channel that dedups by article, and each source item on one that does not', async () => {
    const dir = tempDir();
    const config = configFor(dir);
    const first = await runCli(['--config', config, 'once'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('channel by-article: 6 recorded (dry-run), nothing posted');
    expect(first.stdout).toContain('channel by-source: 11 recorded (dry-run), nothing posted');
    const byArticle = first.stdout.split('\n').filter((l) => l.startsWith('── by-article'));
    expect(byArticle).toHaveLength(6);
    for (const title of ARTICLES) expect(first.stdout.split(title).length - 1, title).toBeGreaterThanOrEqual(2);

    // The link posted is the canonical one: tracking parameters gone, the relative link resolved.
    expect(first.stdout).not.toMatch(/utm_|fbclid|gclid|ref=home/u);

    // A restart (a new process: state only from the SQLite file) and a second round publish nothing.
    const second = await runCli(['--config', config, 'once'], { cwd: dir });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('channel by-article: 0 recorded (dry-run), nothing posted');
    expect(second.stdout).toContain('channel by-source: 0 recorded (dry-run), nothing posted');

    const status = await runCli(['--config', config, 'status'], { cwd: dir });
    expect(status.stdout).toMatch(/by-article \(x\): recorded \(dry-run\) 6/u);
    expect(status.stdout).toContain('also brought by other sources (announced once): aggregator 3, weekly 2');
    expect(status.stdout).toMatch(/Harbour wall repairs finished early — first from wire, also in weekly/u);
    const json = JSON.parse((await runCli(['--config', config, 'status', '--json'], { cwd: dir })).stdout) as {
      channels: Array<{ id: string; alsoIn: { bySource: Record<string, number> } | null }>;
    };
    expect(json.channels.find((c) => c.id === 'by-article')!.alsoIn!.bySource).toEqual({ aggregator: 3, weekly: 2 });
    expect(json.channels.find((c) => c.id === 'by-source')!.alsoIn).toBeNull();

    const show = await runCli(['--config', config, 'queue', 'show', deliveryId('by-article', 'wire', 'wire-104')], { cwd: dir });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('also in: aggregator, weekly');
    expect(show.stdout).toContain('Harbour wall repairs finished early');
  }, 120_000);
});
