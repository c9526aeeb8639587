/**
 * An editor's day on the page (issue #18), in real Chromium at a laptop's and a phone's size, against the real
 * `threadcast run`, a real PDS account, the X emulator and one channel that has no credentials (so dry-run):
 *  - truth on screen: the dry-run banner with its reason, every dry-run thread marked, in the queue and History;
 *  - one announcement = one row: one edit changes both channels; "only this channel" reaches one;
 *  - warnings before loss: the dropped-text banner with its count, counters by level, the live count, a past
 *    time asked about, the zone beside every time;
 *  - images: upload with required alt text; thumbnail and alt in preview, queue and History; the image with its
 *    alt reaches the PDS and the X emulator;
 *  - the page itself: drafts survive a reload, a second tab needs no token, Compose | Preview on a phone,
 *    sticky preview on a laptop, focus after actions, Escape, www. links, one bad link, no clipped text;
 *  - axe-core finds nothing at either size.
 * Screenshots of compose, preview with image, queue and History go to docs/screenshots/ (laptop size) when
 * THREADCAST_UPDATE_SCREENSHOTS=1.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { blueskyEnv, xOAuth1Env } from '../support/credentials-env.js';
import { axeViolations, CHROMIUM_PATH, DESKTOP, launchBrowser, PHONE, screenshot } from '../support/browser.js';
import { REPO, tempDir, writeFile } from '../support/cli.js';
import { pdsClient, type TestAccount } from '../support/pds/client.js';
import { startXEmulator, type XEmulator } from '../support/x-emulator/index.js';
import {
  api,
  eventually,
  getDelivery,
  historyGroup,
  historyRow,
  listDeliveries,
  newToken,
  previewReady,
  queueGroup,
  queueRow,
  signIn,
  startServer,
  type DeliveryView,
  type RunningServer,
} from './editor-page-helpers.js';

const pds = pdsClient(inject('pdsUrl'));
const ZONE = 'America/New_York';
const CHANNEL_ZONE = 'Europe/Berlin';
const SCREENSHOTS = path.join(REPO, 'docs', 'screenshots');

let x: XEmulator;
let xUser: ReturnType<XEmulator['addOAuth1User']>;
let account: TestAccount;
let server: RunningServer;
let browser: Browser;
let imageFile: string;

beforeAll(async () => {
  x = await startXEmulator();
  xUser = x.addOAuth1User({ username: 'editorsday' });
  account = await pds.createAccount('editorsday');
  const dir = tempDir('threadcast-editors-day-');
  imageFile = path.join(dir, 'harbour.png');
  await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 30, g: 110, b: 190 } } }).png().toFile(imageFile);
  const config = writeFile(
    dir,
    'threadcast.yaml',
    `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: info, format: json }
publishEvery: "*/1 * * * * *"
retry: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 1000 }
editor: { review: true }
server: { host: 127.0.0.1, port: 0 }
channels:
  - id: bsky
    platform: bluesky
    service: ${pds.url}
    identifier: \${BLUESKY_IDENTIFIER}
    password: \${BLUESKY_APP_PASSWORD}
    schedule: { timezone: ${CHANNEL_ZONE} }
    template: { maxParts: 2 }
  - id: x
    platform: x
    apiBase: ${x.url}
    appKey: \${X_API_KEY}
    appSecret: \${X_API_SECRET}
    accessToken: \${X_ACCESS_TOKEN}
    accessSecret: \${X_ACCESS_SECRET}
  - id: xdry
    platform: x
    apiBase: ${x.url}
`,
  );
  const env = { ...blueskyEnv(account), ...xOAuth1Env(xUser) };
  [server, browser] = await Promise.all([startServer(config, dir, env, newToken()), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  const code = server ? await server.stop() : undefined;
  await x?.stop();
  if (server) expect(code).toBe(0);
}, 30_000);

async function newPage(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, timezoneId: ZONE });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page, errors };
}

async function expectNoAxeViolations(page: Page): Promise<void> {
  expect(await axeViolations(page)).toEqual([]);
}

/** Queues an announcement through the API (held: review is on) and returns its deliveries by channel. */
async function queued(text: string, extra: Record<string, unknown> = {}): Promise<Record<string, DeliveryView>> {
  const added = await api<{ deliveries: DeliveryView[] }>(server, 'POST', '/api/announcements', { text, ...extra });
  expect(added.status, JSON.stringify(added.body)).toBe(201);
  return Object.fromEntries(added.body.deliveries.map((d) => [d.channelId, d]));
}

const LONG_TEXT = (marker: string) =>
  `${marker}: the harbour festival is back with three days of boats, music and food on the quay. ` +
  'The programme starts on Friday evening with a lantern parade from the old customs house to the lighthouse. ' +
  'On Saturday the rowing clubs race across the basin, the fish market opens its kitchen to visitors, and local bands play on two stages until late. ' +
  'Sunday is for families: a treasure hunt along the piers, boat tours every half hour and a closing concert by the harbour choir. ' +
  'Entry is free; please come by bike or on foot because the quay is closed to cars all weekend. ' +
  'Volunteers are still welcome at the information tent, where maps, ear plugs and lost children are looked after. ' +
  'The last ferry home leaves at midnight on both evenings, and the night buses run every twenty minutes until three.';

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
  const onPhone = size === 'phone';
  /** On a phone the preview is one switch away. */
  const showPreview = async (page: Page) => {
    if (onPhone) await page.getByTestId('show-preview').click();
  };
  const showCompose = async (page: Page) => {
    if (onPhone) await page.getByTestId('show-compose').click();
  };

  describe.skipIf(!CHROMIUM_PATH)(`editor page, an editor's day (${size} ${viewport.width}×${viewport.height})`, () => {
    it('says which channels post nothing and why, in /api/channels, a banner, the queue and History', { timeout: 90_000 }, async () => {
      const channels = await api<{ channels: Array<{ id: string; dryRun: boolean; dryRunReason: string | null; timezone: string }> }>(server, 'GET', '/api/channels');
      const byId = Object.fromEntries(channels.body.channels.map((c) => [c.id, c]));
      expect(byId.xdry).toMatchObject({ dryRun: true, dryRunReason: 'credentials missing: appKey, appSecret, accessToken, accessSecret' });
      expect(byId.bsky).toMatchObject({ dryRun: false, dryRunReason: null, timezone: CHANNEL_ZONE });
      expect(byId.x).toMatchObject({ dryRun: false, dryRunReason: null });

      const { context, page, errors } = await newPage(viewport);
      await signIn(page, server);
      const banner = page.getByTestId('dry-run-banner');
      await banner.waitFor({ state: 'visible' });
      expect(await page.getByTestId('dry-run-xdry').textContent()).toBe(`xdry: ${byId.xdry!.dryRunReason}`);
      expect(await page.getByTestId('dry-run-bsky').count()).toBe(0);

      const marker = `Truth-${size}-${Date.now().toString(36)}`;
      const d = await queued(`${marker}: the ferry timetable changes on Monday.`, { channels: ['x', 'xdry'] });
      await queueRow(page, d.xdry!.id).getByTestId('row-dry-run').waitFor();
      expect(await queueRow(page, d.xdry!.id).getByTestId('row-dry-run').textContent()).toContain('recorded, not posted');
      expect(await queueRow(page, d.x!.id).getByTestId('row-dry-run').count()).toBe(0);
      await expectNoAxeViolations(page);

      await queueGroup(page, d.x!.id).getByTestId('approve').click();
      for (const one of [d.x!, d.xdry!]) await historyRow(page, one.id).locator('[data-state="published"]').first().waitFor({ timeout: 60_000 });
      const dry = historyRow(page, d.xdry!.id);
      expect(await dry.getByTestId('row-dry-run').textContent()).toContain('recorded, not posted');
      expect(await dry.getByTestId('post-link').count()).toBe(0);
      expect(await historyRow(page, d.x!.id).getByTestId('row-dry-run').count()).toBe(0);
      expect(await historyRow(page, d.x!.id).getByTestId('post-link').count()).toBeGreaterThan(0);
      expect((await getDelivery(server, d.xdry!.id)).dryRun).toBe(true);
      await expectNoAxeViolations(page);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('shows one announcement as one row; one edit changes both channels, "only here" one', { timeout: 90_000 }, async () => {
      const { context, page, errors } = await newPage(viewport);
      await signIn(page, server);
      const marker = `One-${size}-${Date.now().toString(36)}`;
      const d = await queued(`${marker}: the choir sings ten songs.`, { channels: ['bsky', 'x'] });
      const row = queueGroup(page, d.bsky!.id);
      await row.waitFor();
      expect(await row.getByTestId('queue-thread').count()).toBe(2);
      expect(await page.locator('[data-testid="queue-row"]').filter({ hasText: marker }).count()).toBe(1);

      await row.getByTestId('edit').click();
      const form = row.getByTestId('edit-form');
      expect(await page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe('edit-text');
      const newText = `${marker}: the choir sings ELEVEN songs.`;
      await form.getByTestId('edit-text').fill(newText);
      // The same live preview as Compose, for both channels, with the new text.
      const preview = form.locator('[data-testid="edit-preview"][data-state="ready"]');
      await preview.waitFor({ state: 'attached' });
      await expect.poll(() => preview.getByTestId('preview-x').locator('.part-text').first().textContent()).toContain('ELEVEN');
      expect(await preview.getByTestId('preview-bsky').locator('.part-text').first().textContent()).toContain('ELEVEN');
      await expectNoAxeViolations(page);
      await form.getByTestId('edit-save').click();
      await form.waitFor({ state: 'detached' });
      for (const one of [d.bsky!, d.x!]) {
        const now = await getDelivery(server, one.id);
        expect(now.text).toBe(newText);
        expect(now.parts[0]!.text).toContain('ELEVEN');
      }

      // Escape closes the edit form and gives focus back to Edit.
      await row.getByTestId('edit').click();
      await row.getByTestId('edit-form').waitFor();
      await page.keyboard.press('Escape');
      await row.getByTestId('edit-form').waitFor({ state: 'detached' });
      expect(await page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe('edit');

      // Only this channel: approving X alone leaves Bluesky held; focus stays on a button, not <body>.
      await queueRow(page, d.x!.id).getByTestId('approve-one').click();
      await expect.poll(async () => (await getDelivery(server, d.x!.id)).state).not.toBe('held');
      expect((await getDelivery(server, d.bsky!.id)).state).toBe('held');
      await expect.poll(() => page.evaluate('document.activeElement?.tagName')).toBe('BUTTON');

      // Cancel on the row reaches what is still waiting (Bluesky), after asking once.
      await expect.poll(() => queueRow(page, d.bsky!.id).count()).toBe(1);
      await row.getByTestId('cancel').click();
      await row.getByTestId('cancel-confirm').click();
      await expect.poll(async () => (await getDelivery(server, d.bsky!.id)).state).toBe('cancelled');
      await expect.poll(() => page.evaluate('Boolean(document.activeElement) && document.activeElement !== document.body')).toBe(true);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('warns before loss: dropped text, counters, the live count, a past time, the zone beside times', { timeout: 90_000 }, async () => {
      const { context, page, errors } = await newPage(viewport);
      await signIn(page, server);
      const marker = `Loss-${size}-${Date.now().toString(36)}`;
      const text = LONG_TEXT(marker);
      await page.getByTestId('compose-channel-xdry').uncheck();
      await page.getByTestId('compose-text').fill(text);
      const words = text.split(/\s+/).length;
      expect(await page.getByTestId('compose-count').textContent()).toBe(`${[...text].length} characters, ${words} words`);

      await showPreview(page);
      await previewReady(page);
      // Bluesky keeps 2 parts here (its template's maxParts): the rest is dropped, and said, with how much.
      const apiPreview = await api<{ channels: Array<{ channelId: string; dropped: { words: number; characters: number } | null }> }>(server, 'POST', '/api/preview', { text, channels: ['bsky', 'x'] });
      const dropped = apiPreview.body.channels.find((c) => c.channelId === 'bsky')!.dropped!;
      expect(dropped.words).toBeGreaterThan(10);
      expect(text.endsWith(text.slice(-dropped.characters))).toBe(true);
      expect(text.slice(-dropped.characters)).toContain('night buses');
      const banner = page.getByTestId('dropped-banner');
      await banner.waitFor({ state: 'visible' });
      expect(await banner.textContent()).toContain(`${dropped.words} words (${dropped.characters} characters) at the end will not be posted`);
      expect(await page.getByTestId('preview-bsky').getByTestId('preview-dropped').count()).toBe(1);
      // Counters by level: amber from 90 % of the limit, red past it.
      const counts = await page.getByTestId('preview').getByTestId('part-count').evaluateAll((nodes: any[]) => nodes.map((n) => [n.textContent as string, n.getAttribute('data-level') as string]));
      for (const [label, level] of counts) {
        const [length, limit] = label!.split(' ')[0]!.split('/').map(Number);
        expect(level).toBe(length! > limit! ? 'over' : length! >= 0.9 * limit! ? 'near' : 'ok');
      }
      expect(counts.some(([, level]) => level === 'near')).toBe(true);
      await expectNoAxeViolations(page);
      if (!onPhone) {
        // The preview stays in view while the editor scrolls the form.
        expect(await page.locator('section.preview').evaluate((n: any) => n.ownerDocument.defaultView.getComputedStyle(n).position)).toBe('sticky');
      }

      // A publish time already gone is asked about, not taken silently.
      await showCompose(page);
      await page.getByTestId('compose-at').fill('2020-03-01T10:00');
      const before = (await listDeliveries(server, 'queue')).length;
      await page.getByTestId('compose-submit').click();
      await page.getByTestId('compose-error').waitFor({ state: 'visible' });
      expect(await page.getByTestId('compose-error').textContent()).toContain('That publish time has passed');
      expect((await listDeliveries(server, 'queue')).length).toBe(before);
      await page.getByTestId('compose-at').fill('2031-03-01T10:00');
      expect(await page.getByTestId('compose-zone').textContent()).toBe(ZONE);
      await page.getByTestId('compose-submit').click();
      const mine = await eventually('the announcement in the queue', async () => {
        const found = (await listDeliveries(server, 'queue')).filter((d) => d.text.includes(marker));
        return found.length === 2 ? found : undefined;
      });
      // Times carry their zone: the reader's, and the channel's own where it differs.
      const bsky = mine.find((d) => d.channelId === 'bsky')!;
      const when = queueRow(page, bsky.id).locator('.when time');
      await when.waitFor();
      expect(await when.textContent()).toMatch(new RegExp(`\\(${ZONE}\\) · .*\\(${CHANNEL_ZONE}\\)$`));
      const xTime = await queueRow(page, mine.find((d) => d.channelId === 'x')!.id).locator('.when time').textContent();
      expect(xTime).toMatch(/\(America\/New_York\) · .*\(UTC\)$/);
      for (const d of mine) await api(server, 'POST', `/api/deliveries/${encodeURIComponent(d.id)}/cancel?scope=channel`, {});
      expect(errors).toEqual([]);
      await context.close();
    });

    it('takes an image with alt text, shows it everywhere, and posts it with its alt on the PDS and X', { timeout: 120_000 }, async () => {
      const { context, page, errors } = await newPage(viewport);
      await signIn(page, server);
      const marker = `Image-${size}-${Date.now().toString(36)}`;
      const alt = `Blue banner of the harbour festival (${size})`;
      await page.getByTestId('compose-channel-xdry').uncheck();
      await page.getByTestId('compose-text').fill(`${marker}: here is this year's poster.`);
      await page.getByTestId('compose-image').setInputFiles(imageFile);
      await page.getByTestId('compose-image-thumb').waitFor();
      // No alt text, no queueing.
      await page.getByTestId('compose-submit').click();
      await page.getByTestId('compose-error').waitFor({ state: 'visible' });
      expect(await page.getByTestId('compose-alt').getAttribute('aria-invalid')).toBe('true');
      await page.getByTestId('compose-alt').fill(alt);
      await showPreview(page);
      const preview = await previewReady(page);
      const figure = preview.getByTestId('preview-bsky').getByTestId('preview-image');
      expect(await figure.getByTestId('preview-image-alt').textContent()).toBe(`ALT ${alt}`);
      expect(await figure.locator('img').evaluate((img: any) => img.complete && img.naturalWidth > 0)).toBe(true);
      await expectNoAxeViolations(page);
      if (!onPhone) await screenshot(page, 'editors-day-preview-with-image');
      if (!onPhone) copyScreenshot('editors-day-preview-with-image', 'preview-with-image');
      await showCompose(page);
      await page.getByTestId('compose-submit').click();
      const mine = await eventually('the announcement in the queue', async () => {
        const found = (await listDeliveries(server, 'queue')).filter((d) => d.text.includes(marker));
        return found.length === 2 ? found : undefined;
      });
      for (const d of mine) expect(d.images).toEqual([{ alt }]);
      const row = queueGroup(page, mine[0]!.id);
      await row.getByTestId('row-image').locator('img').waitFor();
      expect(await row.getByTestId('row-image-alt').textContent()).toBe(`ALT ${alt}`);
      await expectNoAxeViolations(page);
      if (!onPhone) {
        await row.scrollIntoViewIfNeeded();
        await screenshot(page, 'editors-day-queue');
        copyScreenshot('editors-day-queue', 'queue');
      }

      await row.getByTestId('approve').click();
      for (const d of mine) await historyRow(page, d.id).locator('[data-state="published"]').first().waitFor({ timeout: 60_000 });
      const history = historyGroup(page, mine[0]!.id);
      await history.getByTestId('row-image').locator('img').waitFor();
      expect(await history.getByTestId('row-image-alt').textContent()).toBe(`ALT ${alt}`);
      await expectNoAxeViolations(page);
      if (!onPhone) {
        await history.scrollIntoViewIfNeeded();
        await screenshot(page, 'editors-day-history');
        copyScreenshot('editors-day-history', 'history');
      }

      // The real PDS holds the image with its alt on the thread's first post.
      const records = await pds.listRecords<{ text: string; embed?: { $type: string; images?: Array<{ alt: string }> } }>(account.did, 'app.bsky.feed.post');
      const first = records.find((r) => r.value.text.includes(marker))!;
      expect(first.value.embed?.$type).toBe('app.bsky.embed.images');
      expect(first.value.embed?.images?.map((i) => i.alt)).toEqual([alt]);
      // The X emulator holds the post with one media item whose alt text is the editor's.
      const post = x.posts(xUser.userId).find((p) => p.text.includes(marker))!;
      expect(post.mediaIds).toHaveLength(1);
      expect(x.media().find((m) => m.id === post.mediaIds[0])?.altText).toBe(alt);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('keeps drafts and the token, switches Compose | Preview on a phone, fixes www. links and survives a bad one', { timeout: 60_000 }, async () => {
      const { context, page, errors } = await newPage(viewport);
      await signIn(page, server);
      await page.getByTestId('compose-channel-xdry').uncheck();
      const marker = `Draft-${size}-${Date.now().toString(36)}`;
      await page.getByTestId('compose-text').fill(`${marker}: draft about the lighthouse tour.`);
      await page.getByTestId('compose-url').fill('www.example.org/lighthouse');
      await page.getByTestId('compose-url').blur();
      expect(await page.getByTestId('compose-url').inputValue()).toBe('https://www.example.org/lighthouse');
      if (!onPhone) {
        await previewReady(page);
        await screenshot(page, 'editors-day-compose');
        copyScreenshot('editors-day-compose', 'compose');
      }

      // A reload keeps the draft; a second tab opens without asking for the token again.
      await page.reload();
      await page.getByTestId('app').waitFor({ state: 'visible' });
      expect(await page.getByTestId('compose-text').inputValue()).toBe(`${marker}: draft about the lighthouse tour.`);
      expect(await page.getByTestId('compose-url').inputValue()).toBe('https://www.example.org/lighthouse');
      expect(await page.getByTestId('compose-channel-xdry').isChecked()).toBe(false);
      const second = await context.newPage();
      await second.goto(server.baseUrl);
      await second.getByTestId('app').waitFor({ state: 'visible' });
      expect(await second.getByTestId('token-section').isVisible()).toBe(false);
      await second.close();

      // One bad link: the preview still shows the thread, without it, and says why.
      await page.getByTestId('compose-url').fill('ftp://example.org/file');
      await page.getByTestId('compose-url').blur();
      await showPreview(page);
      const preview = await previewReady(page);
      expect(await preview.getByTestId('preview-bsky').getByTestId('preview-part').count()).toBeGreaterThan(0);
      expect(await page.getByTestId('preview-error').textContent()).toContain('not an http(s) address');

      // Compose | Preview: one at a time on a phone, side by side on a laptop.
      const composeVisible = await page.locator('section.compose').isVisible();
      const previewVisible = await page.locator('section.preview').isVisible();
      expect(await page.getByTestId('show-preview').isVisible()).toBe(onPhone);
      expect([composeVisible, previewVisible]).toEqual(onPhone ? [false, true] : [true, true]);
      await expectNoAxeViolations(page);

      // Queue text is never clipped in a small scroll box.
      await queued(`${marker}: ${'A long queued note about the ferry and the lighthouse. '.repeat(12)}`, { channels: ['bsky'] });
      const rowText = page.locator('[data-testid="queue-row"]').filter({ hasText: marker }).getByTestId('row-text');
      await rowText.waitFor();
      expect(await rowText.evaluate((n: any) => n.scrollHeight <= n.clientHeight + 1)).toBe(true);
      await expectNoAxeViolations(page);
      await page.evaluate('localStorage.clear()');
      expect(errors).toEqual([]);
      await context.close();
    });
  });
}

/**
 * Keeps a laptop-size screenshot for the README (docs/screenshots/NAME.png) when THREADCAST_UPDATE_SCREENSHOTS=1:
 * a plain test run (and CI) leaves the checkout as it found it.
 */
function copyScreenshot(from: string, to: string): void {
  if (process.env.THREADCAST_UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  copyFileSync(path.join(REPO, 'test-artifacts', 'screenshots', `${from}.png`), path.join(SCREENSHOTS, `${to}.png`));
}
