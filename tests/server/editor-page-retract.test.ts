/**
 * Retract from the editor page (issue #18), in real Chromium at a laptop's and a phone's size, against the real
 * `threadcast run` and the X stand-in: an announcement published on X is retracted from History after an inline
 * confirmation (Escape backs out, focus goes back to the button); a platform failure leaves the thread
 * `retracting` in History with X's reason, and a second retract finishes it: every part is gone on X, History
 * says retracted, focus stays on the thread's line, and axe-core finds nothing in the confirmation or after.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, CHROMIUM_PATH, DESKTOP, launchBrowser, PHONE } from '../support/browser.js';
import { tempDir, writeFile } from '../support/cli.js';
import { startXEmulator, type XEmulator } from '../support/x-emulator/index.js';
import { api, getDelivery, historyRow, newToken, signIn, startServer, type DeliveryView, type RunningServer } from './editor-page-helpers.js';
import { xOAuth1Env } from '../support/credentials-env.js';

let x: XEmulator;
let xUser: ReturnType<XEmulator['addOAuth1User']>;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  x = await startXEmulator();
  xUser = x.addOAuth1User({ username: 'retractpage' });
  const dir = tempDir('threadcast-retract-page-');
  const config = writeFile(
    dir,
    'threadcast.yaml',
    `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: info, format: json }
publishEvery: "*/1 * * * * *"
server: { host: 127.0.0.1, port: 0 }
channels:
  - id: x
    platform: x
    apiBase: ${x.url}
    appKey: \${X_API_KEY}
    appSecret: \${X_API_SECRET}
    accessToken: \${X_ACCESS_TOKEN}
    accessSecret: \${X_ACCESS_SECRET}
    template: { maxParts: 3 }
`,
  );
  const env = xOAuth1Env(xUser);
  [server, browser] = await Promise.all([startServer(config, dir, env, newToken()), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  const code = server ? await server.stop() : undefined;
  await x?.stop();
  if (server) expect(code).toBe(0);
}, 30_000);

const focusedTestId = (page: Page) => page.evaluate("document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName");

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
  describe.skipIf(!CHROMIUM_PATH)(`editor page, retract (${size} ${viewport.width}×${viewport.height})`, () => {
    it('retracts a published announcement after asking, shows a platform failure as retracting, and finishes it', { timeout: 120_000 }, async () => {
      const marker = `Retract-${size}-${Date.now().toString(36)}`;
      const text = Array.from({ length: 5 }, (_, i) => `${marker} point ${i + 1}: the bridge on Mill Street closes for repairs from the third to the ninth, with a ferry every twenty minutes.`).join(' ');
      const added = await api<{ deliveries: DeliveryView[] }>(server, 'POST', '/api/announcements', { text, channels: ['x'] });
      expect(added.status, JSON.stringify(added.body)).toBe(201);
      const id = added.body.deliveries[0]!.id;

      const context = await browser.newContext({ viewport });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await signIn(page, server);
      const thread = historyRow(page, id);
      await thread.locator('[data-testid="state"][data-state="published"]').waitFor({ timeout: 60_000 });
      const postIds = (await getDelivery(server, id)).posts.map((p) => p.id);
      expect(postIds.length).toBeGreaterThanOrEqual(2);
      expect(x.posts(xUser.userId).map((p) => p.id)).toEqual(expect.arrayContaining(postIds));

      // Asking first: the confirmation has focus on "Keep it"; Escape backs out and gives focus back to Retract.
      await thread.getByTestId('retract').click();
      const confirmation = thread.getByTestId('retract-confirmation');
      await confirmation.waitFor();
      expect(await confirmation.getAttribute('role')).toBe('group');
      expect(await confirmation.textContent()).toContain(`all ${postIds.length} posts`);
      expect(await focusedTestId(page)).toBe('retract-keep');
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await confirmation.waitFor({ state: 'detached' });
      expect(await focusedTestId(page)).toBe('retract');
      expect(x.posts(xUser.userId).map((p) => p.id)).toEqual(expect.arrayContaining(postIds));

      // X fails the first delete: the thread stays in History as retracting, with X's reason, and says so.
      x.injectFault({ route: 'DELETE /2/tweets/{id}', kind: 'error-before', status: 503, count: 1 });
      await page.keyboard.press('Enter');
      await confirmation.waitFor();
      await thread.getByTestId('retract-confirm').click();
      const result = thread.getByTestId('retract-result');
      await result.and(page.locator('[data-result="failed"]')).waitFor();
      expect(await result.textContent()).toContain('X did not delete it');
      expect(await result.textContent()).toContain('retract again to finish');
      expect(await focusedTestId(page)).toBe('retract-result');
      await thread.locator('[data-testid="state"][data-state="retracting"]').waitFor();
      expect(await thread.getByTestId('row-reason').textContent()).toContain('retract failed');
      expect((await getDelivery(server, id)).state).toBe('retracting');
      // Still in History after a refresh (the server lists it with the open ones), never in the queue.
      await page.waitForTimeout(3500);
      expect(await historyRow(page, id).locator('[data-testid="state"][data-state="retracting"]').count()).toBe(1);
      expect(await page.locator(`[data-testid="queue-thread"][data-delivery-id="${id}"]`).count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);

      // The second retract finishes it: every part is gone on X and History says retracted.
      await thread.getByTestId('retract').click();
      await thread.getByTestId('retract-confirm').click();
      await result.and(page.locator('[data-result="retracted"]')).waitFor();
      expect(await result.textContent()).toBe(`Retracted on X: ${postIds.length} post(s) deleted.`);
      expect(await focusedTestId(page)).toBe('retract-result');
      await thread.locator('[data-testid="state"][data-state="retracted"]').waitFor();
      expect(await thread.getByTestId('state').textContent()).toBe('retracted');
      expect(await thread.getByTestId('retract').count()).toBe(0);
      expect(await thread.getByTestId('post-link').count()).toBe(0);
      const onX = new Set(x.posts(xUser.userId).map((p) => p.id));
      for (const postId of postIds) expect(onX.has(postId), `post ${postId} still on X`).toBe(false);
      expect((await getDelivery(server, id)).state).toBe('retracted');
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    });
  });
}
