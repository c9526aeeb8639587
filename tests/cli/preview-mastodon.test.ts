/**
 * `threadcast preview --json` with the Mastodon kit in the registry: every item has a thread per kit, keyed by
 * its name, and the Mastodon one is composed for the configured channel's maxCharacters and content warning.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir, writeFile } from '../support/cli.js';

const FEED = path.join(REPO, 'tests/fixtures/feeds/news-digest.xml');

interface MastodonPartJson {
  text: string;
  characters: number;
  limit: number;
  urlWeight: number;
}
interface PreviewJson {
  items: Array<{ id: string; threads: Record<string, unknown[]> & { mastodon: MastodonPartJson[] } }>;
}

async function preview(config?: string): Promise<PreviewJson> {
  const dir = tempDir();
  const args = config ? ['--config', writeFile(dir, 'threadcast.yaml', config), 'preview', '--feed', FEED, '--json'] : ['preview', '--feed', FEED, '--json'];
  const result = await runCli(args, { cwd: dir });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as PreviewJson;
}

describe('threadcast preview --json with a Mastodon channel', { timeout: 60_000 }, () => {
  it("shows threads.mastodon beside x and bluesky, composed for the channel's maxCharacters and content warning", async () => {
    const [configured, bare] = await Promise.all([
      preview(`sources: []
channels:
  - id: masto
    platform: mastodon
    instance: https://mastodon.example
    maxCharacters: 1000
    spoilerText: Town news
`),
      preview(),
    ]);
    expect(configured.items.length).toBeGreaterThan(3);
    for (const [i, item] of configured.items.entries()) {
      expect(Object.keys(item.threads)).toEqual(['x', 'bluesky', 'mastodon']);
      expect(item.threads.mastodon.length).toBeGreaterThan(0);
      for (const part of item.threads.mastodon) {
        expect(part).toMatchObject({ limit: 1000, urlWeight: 23 });
        // The content warning ("Town news", 9 characters) is counted with every part.
        expect(part.characters).toBeGreaterThan(9);
        expect(part.characters).toBeLessThanOrEqual(1000);
      }
      // No channel configured: a stock instance's 500, no content warning.
      const stock = bare.items[i]!.threads.mastodon;
      expect(Object.keys(bare.items[i]!.threads)).toEqual(['x', 'bluesky', 'mastodon']);
      for (const part of stock) expect(part).toMatchObject({ limit: 500, urlWeight: 23 });
      expect(stock.every((p) => p.characters <= 500)).toBe(true);
    }
    // Some item is long enough that the roomier channel needs fewer statuses.
    expect(configured.items.some((item, i) => item.threads.mastodon.length < bare.items[i]!.threads.mastodon.length)).toBe(true);
  });
});
