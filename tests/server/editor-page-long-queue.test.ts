/**
 * A long queue on the editor page, in real Chromium against the real `threadcast run`: the page lists the first
 * items (the server's default, 200), says how many more wait after them, and "Show 200 more" lists those too. A
 * first sight with `backlog: all` can queue thousands of items, each composed for the page and sent on every
 * refresh. Review mode holds every announcement, and the one channel has no credentials (dry-run): nothing is sent.
 */
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchBrowser } from '../support/browser.js';
import { tempDir, writeFile } from '../support/cli.js';
import { api, eventually, newToken, signIn, startServer, VIEWPORT, type RunningServer } from './editor-page-helpers.js';

const ITEMS = 205;
let server: RunningServer;
let browser: Browser;

describe.skipIf(!CHROMIUM_PATH)('editor page: a long queue', () => {
  beforeAll(async () => {
    const dir = tempDir('threadcast-long-queue-');
    const config = writeFile(
      dir,
      'threadcast.yaml',
      `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: info, format: json }
editor: { review: true }
server: { host: 127.0.0.1, port: 0 }
channels:
  - id: bsky
    platform: bluesky
`,
    );
    [server, browser] = await Promise.all([startServer(config, dir, {}, newToken()), launchBrowser()]);
    for (let i = 0; i < ITEMS; i++) {
      const r = await api(server, 'POST', '/api/announcements', { text: `Harbour note ${i + 1}.` });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    const code = server ? await server.stop() : undefined;
    if (server) expect(code).toBe(0);
  }, 30_000);

  it('lists the first 200 items, says how many more wait, and shows them on request', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    try {
      await signIn(page, server);
      const rows = page.getByTestId('queue-row');
      await eventually('the first 200 rows', async () => ((await rows.count()) === 200 ? true : undefined));
      await expect(page.getByTestId('queue-more-text').textContent()).resolves.toBe('5 more items wait after these.');
      // The queue's order: the oldest first, as they go out.
      await expect(rows.first().textContent()).resolves.toContain('Harbour note 1.');
      await expect(rows.last().textContent()).resolves.toContain('Harbour note 200.');

      await page.getByTestId('queue-show-more').click();
      await eventually('all 205 rows', async () => ((await rows.count()) === ITEMS ? true : undefined));
      await expect(rows.last().textContent()).resolves.toContain('Harbour note 205.');
      await page.getByTestId('queue-more').waitFor({ state: 'hidden' });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
