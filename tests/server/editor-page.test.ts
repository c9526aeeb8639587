/**
 * The editor page in real Chromium against the real `threadcast run` (its HTTP server and API), a real
 * Bluesky PDS account and the strict X emulator:
 *  - compose with a link → live preview per channel → queue → approve from the Queue → History shows the
 *    posts; what the preview showed is byte for byte what the PDS and the emulator store, in order;
 *  - edit, hold and cancel from the page change the delivery (read back through the API);
 *  - the server's validation errors are shown next to the form they belong to.
 * Screenshots of each step land in test-artifacts/screenshots/.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { blueskyEnv, xOAuth1Env } from '../support/credentials-env.js';
import { CHROMIUM_PATH, launchBrowser, screenshot } from '../support/browser.js';
import { tempDir, writeFile } from '../support/cli.js';
import { pdsClient, type PdsRecord, type TestAccount } from '../support/pds/client.js';
import { startWebsite, type Website } from '../support/website.js';
import { startXEmulator, type EmulatedPost, type XEmulator } from '../support/x-emulator/index.js';
import {
  eventually,
  getDelivery,
  historyRow,
  listDeliveries,
  newToken,
  previewReady,
  previewTexts,
  queueGroup,
  queueRow,
  signIn,
  startServer,
  VIEWPORT,
  api,
  type DeliveryView,
  type RunningServer,
} from './editor-page-helpers.js';

const pds = pdsClient(inject('pdsUrl'));

interface PostValue {
  text: string;
  reply?: { root: { uri: string }; parent: { uri: string } };
  embed?: { $type: string; external?: { uri: string; title: string; description: string; thumb?: unknown } };
}

let x: XEmulator;
let xUser: ReturnType<XEmulator['addOAuth1User']>;
let site: Website;
let account: TestAccount;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  x = await startXEmulator();
  xUser = x.addOAuth1User({ username: 'editorial' });
  site = await startWebsite([
    { slug: 'harbour', title: 'Harbour festival programme', summary: 'Boats, music and food on the quay all weekend long.', ogImage: true },
    { slug: 'library', title: 'Library opening hours', summary: 'The library opens longer in winter.' },
  ]);
  account = await pds.createAccount('editorpage');
  const dir = tempDir('threadcast-editor-page-');
  const config = writeFile(
    dir,
    'threadcast.yaml',
    `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: info, format: json }
web:
  allowPrivateHosts: ['127.0.0.1']
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
  - id: x
    platform: x
    apiBase: ${x.url}
    appKey: \${X_API_KEY}
    appSecret: \${X_API_SECRET}
    accessToken: \${X_ACCESS_TOKEN}
    accessSecret: \${X_ACCESS_SECRET}
`,
  );
  const env = { ...blueskyEnv(account), ...xOAuth1Env(xUser) };
  [server, browser] = await Promise.all([startServer(config, dir, env, newToken()), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  const code = server ? await server.stop() : undefined;
  await x?.stop();
  await site?.close();
  // A clean SIGTERM stop is part of the contract of `run`, also with the web server listening.
  if (server) expect(code).toBe(0);
}, 30_000);

/** A thread's posts in reply order: the root, then each reply to the one before. */
function chain<T>(items: T[], isRoot: (t: T) => boolean, key: (t: T) => string, parentKey: (t: T) => string | undefined): T[] {
  const roots = items.filter(isRoot);
  expect(roots).toHaveLength(1);
  const out = [roots[0]!];
  for (;;) {
    const next = items.filter((t) => parentKey(t) === key(out[out.length - 1]!));
    if (next.length === 0) break;
    expect(next).toHaveLength(1);
    out.push(next[0]!);
  }
  expect(out).toHaveLength(items.length);
  return out;
}

/** A fresh context (own sessionStorage) and page; `errors` collects uncaught exceptions in app.js. */
async function newPage(opts: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: VIEWPORT, ...opts });
  // Fail on a clear locator message well before the test's own timeout.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page, errors };
}

describe.skipIf(!CHROMIUM_PATH)('editor page: compose, preview, approve, publish', () => {
  it('posts exactly what the preview showed, on a real PDS and on the X emulator', { timeout: 90_000 }, async () => {
    const { context, page, errors } = await newPage();
    await signIn(page, server);
    await expect.poll(() => page.getByTestId('compose-channel-bsky').isChecked()).toBe(true);
    await expect.poll(() => page.getByTestId('compose-channel-x').isChecked()).toBe(true);
    await expect.poll(() => page.getByTestId('compose-review').isVisible()).toBe(true);
    await screenshot(page, 'editor-page-01-signed-in');

    // Long enough for several parts on both platforms, with characters whose counting differs by platform.
    const marker = `Harbour-${Date.now().toString(36)}`;
    const text =
      `${marker}: the harbour festival is back — três dias of boats, music and food on the quay. 🎉⛵ ` +
      'The programme starts on Friday evening with a lantern parade from the old customs house to the lighthouse. ' +
      'On Saturday the rowing clubs race across the basin, the fish market opens its kitchen to visitors, and local bands play on two stages until late. ' +
      'Sunday is for families: a treasure hunt along the piers, boat tours every half hour and a closing concert by the harbour choir. ' +
      'Entry is free; please come by bike or on foot because the quay is closed to cars all weekend.';
    const url = `${site.url}/articles/harbour/`;
    await page.getByTestId('compose-text').fill(text);
    await page.getByTestId('compose-url').fill(url);
    const preview = await previewReady(page);

    // Per channel: every part with its count, valid, and the X cost; the Bluesky card with its thumb.
    const bskyParts = await previewTexts(page, 'bsky');
    const xParts = await previewTexts(page, 'x');
    expect(bskyParts.length).toBeGreaterThan(1);
    expect(xParts.length).toBeGreaterThan(1);
    expect(bskyParts.join('')).toContain(marker);
    expect(xParts[0]).toContain(marker);
    const counts = async (id: string) => page.getByTestId(`preview-${id}`).getByTestId('part-count').allTextContents();
    expect(await counts('bsky')).toHaveLength(bskyParts.length);
    for (const c of await counts('bsky')) expect(c).toMatch(/^\d+\/300 graphemes$/);
    for (const c of await counts('x')) expect(c).toMatch(/^\d+\/280 weighted characters$/);
    expect(await preview.locator('[data-testid="preview-part"][data-valid="false"]').count()).toBe(0);
    // The cost shown is the API's, in dollars to the tenth of a cent; at least $0.015 a post (X's price without a URL).
    const apiPreview = await api<{ channels: Array<{ channelId: string; costUsd: number | null; parts: Array<{ text: string }> }> }>(server, 'POST', '/api/preview', { text, url, channels: ['bsky', 'x'] });
    expect(apiPreview.status).toBe(200);
    const xCost = apiPreview.body.channels.find((c) => c.channelId === 'x')!.costUsd!;
    expect(xCost).toBeGreaterThanOrEqual(0.015 * xParts.length);
    expect(await page.getByTestId('preview-x').getByTestId('preview-cost').textContent()).toBe(`$${xCost.toFixed(3)}`);
    // The page shows the API's parts unchanged.
    expect(apiPreview.body.channels.map((c) => c.parts.map((p) => p.text))).toEqual([bskyParts, xParts]);
    expect(await page.getByTestId('preview-bsky').getByTestId('preview-cost').count()).toBe(0);
    const card = page.getByTestId('preview-bsky').getByTestId('preview-card');
    expect(await card.getByTestId('card-title').textContent()).toBe('Harbour festival programme');
    expect(await card.getByTestId('card-title').getAttribute('href')).toBe(url);
    expect(await card.getByTestId('card-thumb').getAttribute('src')).toMatch(/^data:image\//);
    // The thumb really decodes as an image (and the page's CSP lets a data: image show).
    expect(await page.evaluate(`(() => { const img = document.querySelector('[data-testid="preview-bsky"] [data-testid="card-thumb"]'); return img.complete && img.naturalWidth > 0; })()`)).toBe(true);
    await screenshot(page, 'editor-page-02-preview');

    // Queue it: review mode holds it on both channels.
    await page.getByTestId('compose-submit').click();
    await page.getByTestId('compose-status').waitFor({ state: 'visible' });
    const queued = await eventually('both deliveries in the queue', async () => {
      const mine = (await listDeliveries(server, 'queue')).filter((d) => d.text.includes(marker));
      return mine.length === 2 ? mine : undefined;
    });
    const bsky = queued.find((d) => d.channelId === 'bsky')!;
    const xd = queued.find((d) => d.channelId === 'x')!;
    expect(bsky.state).toBe('held');
    expect(xd.state).toBe('held');
    // One announcement, one row: its two channels' threads sit under it.
    const group = queueGroup(page, bsky.id);
    await group.waitFor({ state: 'visible' });
    expect(await group.getByTestId('queue-thread').count()).toBe(2);
    // Held: approve, edit and cancel, but not hold.
    expect(await group.locator('.actions:not(.one) [data-testid="approve"]').count()).toBe(1);
    expect(await group.getByTestId('hold').count()).toBe(0);
    expect(await group.getByTestId('edit').count()).toBe(1);
    expect(await group.getByTestId('cancel').count()).toBe(1);
    for (const d of [bsky, xd]) {
      const row = queueRow(page, d.id);
      expect(await row.getByTestId('state').getAttribute('data-state')).toBe('held');
      // The expandable thread in the queue is the one the preview showed.
      await row.getByTestId('row-parts').locator('summary').click();
      expect(await row.getByTestId('row-part').allTextContents()).toEqual(d.channelId === 'bsky' ? bskyParts : xParts);
    }
    await screenshot(page, 'editor-page-03-queued');

    // Approve the row: both channels; the scheduler (every second) then publishes them.
    await group.getByTestId('approve').click();
    for (const d of [bsky, xd]) {
      await historyRow(page, d.id).locator('[data-testid="state"][data-state="published"]').waitFor({ timeout: 60_000 });
    }
    await expect.poll(() => queueRow(page, bsky.id).count()).toBe(0);
    await screenshot(page, 'editor-page-04-published');

    // What the PDS holds: one thread, in reply order, byte-identical to the preview; the card as previewed.
    const records = await pds.listRecords<PostValue>(account.did, 'app.bsky.feed.post');
    const thread = chain<PdsRecord<PostValue>>(records, (r) => !r.value.reply, (r) => r.uri, (r) => r.value.reply?.parent.uri);
    expect(thread.map((r) => r.value.text)).toEqual(bskyParts);
    expect(thread[0]!.value.embed?.external?.title).toBe('Harbour festival programme');
    expect(thread[0]!.value.embed?.external?.uri).toBe(url);
    expect(thread[0]!.value.embed?.external?.thumb).toBeDefined();

    // What the emulator holds for the X account: the same, in reply order.
    const posts = chain<EmulatedPost>(x.posts(xUser.userId), (p) => !p.inReplyTo, (p) => p.id, (p) => p.inReplyTo);
    expect(posts.map((p) => p.text)).toEqual(xParts);

    // History links to each post, in order, opening in a new tab without a referrer.
    const bskyLinks = historyRow(page, bsky.id).getByTestId('post-link');
    const xLinks = historyRow(page, xd.id).getByTestId('post-link');
    const hrefs = async (links: typeof bskyLinks) => Promise.all((await links.all()).map((a) => a.getAttribute('href')));
    expect(await hrefs(bskyLinks)).toEqual(thread.map((r) => `https://bsky.app/profile/${account.handle}/post/${r.uri.split('/').pop()}`));
    expect(await hrefs(xLinks)).toEqual(posts.map((p) => `https://x.com/i/web/status/${p.id}`));
    for (const a of [...(await bskyLinks.all()), ...(await xLinks.all())]) {
      expect(await a.getAttribute('target')).toBe('_blank');
      expect(await a.getAttribute('rel')).toBe('noopener noreferrer');
    }
    // The API agrees with the page.
    const published = await getDelivery(server, bsky.id);
    expect(published.state).toBe('published');
    expect(published.parts.map((p) => p.text)).toEqual(bskyParts);
    // Nothing secret reached the page: not the API token, not the accounts' credentials.
    const html = await page.content();
    for (const secret of [server.token, account.appPassword, xUser.appSecret, xUser.accessToken, xUser.accessSecret]) expect(html.includes(secret)).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe.skipIf(!CHROMIUM_PATH)('editor page: edit, hold, cancel', () => {
  // A fixed zone for the browser, so the datetime-local ↔ ISO conversion is checked against known offsets.
  const TZ = 'America/New_York';

  it('edits text, link and time, holds an approved delivery and cancels it, as the API then shows', { timeout: 60_000 }, async () => {
    const { context, page, errors } = await newPage({ timezoneId: TZ });
    await signIn(page, server);
    const marker = `Library-${Date.now().toString(36)}`;
    await page.getByTestId('compose-text').fill(`${marker}: the reading room closes early on Friday.`);
    // Only Bluesky: the X box is unticked.
    await page.getByTestId('compose-channel-x').uncheck();
    await page.getByTestId('compose-at').fill('2031-01-15T09:30');
    await previewReady(page);
    expect(await page.getByTestId('preview-x').count()).toBe(0);
    expect(await page.getByTestId('preview-bsky').count()).toBe(1);
    await page.getByTestId('compose-submit').click();
    const d0 = await eventually('the delivery in the queue', async () => {
      const mine = (await listDeliveries(server, 'queue')).filter((d) => d.text.includes(marker));
      return mine.length > 0 ? mine : undefined;
    });
    expect(d0.map((d) => d.channelId)).toEqual(['bsky']);
    const id = d0[0]!.id;
    expect(d0[0]!.state).toBe('held');
    // 09:30 in New York in January is 14:30 UTC.
    expect(d0[0]!.notBefore).toBe('2031-01-15T14:30:00.000Z');
    const row = queueGroup(page, id);
    await row.waitFor();
    expect(await row.locator('time').getAttribute('datetime')).toBe(d0[0]!.estimatedAt ?? d0[0]!.notBefore);

    // Edit: the form starts from the delivery as it is; a bad link is refused with the server's message.
    await row.getByTestId('edit').click();
    const form = row.getByTestId('edit-form');
    expect(await form.getByTestId('edit-text').inputValue()).toBe(`${marker}: the reading room closes early on Friday.`);
    expect(await form.getByTestId('edit-at').inputValue()).toBe('2031-01-15T09:30');
    await form.getByTestId('edit-url').fill('ftp://example.org/file');
    await form.getByTestId('edit-save').click();
    await form.getByTestId('edit-error').waitFor({ state: 'visible' });
    expect((await form.getByTestId('edit-error').textContent())!.length).toBeGreaterThan(0);
    expect((await getDelivery(server, id)).url).toBeNull();
    await screenshot(page, 'editor-page-05-edit-refused');

    // The form survives the 3-second refresh while it is being typed in.
    const newText = `${marker}: the reading room closes at 15:00 on Friday for a staff meeting.`;
    await form.getByTestId('edit-text').fill(newText);
    await page.waitForTimeout(3_500);
    expect(await form.getByTestId('edit-text').inputValue()).toBe(newText);
    await form.getByTestId('edit-url').fill(`${site.url}/articles/library/`);
    await form.getByTestId('edit-at').fill('2031-07-01T10:00');
    await screenshot(page, 'editor-page-06-editing');
    await form.getByTestId('edit-save').click();
    await form.waitFor({ state: 'detached' });
    const edited = await getDelivery(server, id);
    expect(edited.text).toBe(newText);
    expect(edited.url).toBe(`${site.url}/articles/library/`);
    // July: daylight saving time, UTC−4.
    expect(edited.notBefore).toBe('2031-07-01T14:00:00.000Z');
    expect(edited.parts[0]!.text).toContain('15:00 on Friday');
    expect(edited.state).toBe('held');
    await expect.poll(() => row.getByTestId('row-text').textContent()).toBe(newText);

    // Approve (it waits for its time), then hold it back: the buttons follow the state.
    await row.getByTestId('approve').click();
    await expect.poll(async () => (await getDelivery(server, id)).state).toBe('queued');
    await row.getByTestId('hold').waitFor();
    expect(await row.getByTestId('approve').count()).toBe(0);
    await screenshot(page, 'editor-page-07-approved');
    await row.getByTestId('hold').click();
    await expect.poll(async () => (await getDelivery(server, id)).state).toBe('held');
    await row.getByTestId('approve').waitFor();
    expect(await row.getByTestId('hold').count()).toBe(0);

    // Cancel asks once more; "keep" leaves it alone, "yes" cancels it and moves it to the history.
    await row.getByTestId('cancel').click();
    await row.getByTestId('cancel-keep').click();
    expect((await getDelivery(server, id)).state).toBe('held');
    await row.getByTestId('cancel').click();
    await screenshot(page, 'editor-page-08-cancel-confirm');
    await row.getByTestId('cancel-confirm').click();
    await expect.poll(async () => (await getDelivery(server, id)).state).toBe('cancelled');
    await historyRow(page, id).locator('[data-testid="state"][data-state="cancelled"]').waitFor();
    await expect.poll(() => row.count()).toBe(0);
    const cancelled = await getDelivery(server, id);
    if (cancelled.reason) expect(await historyRow(page, id).getByTestId('row-reason').textContent()).toBe(cancelled.reason);
    expect(await historyRow(page, id).getByTestId('post-link').count()).toBe(0);
    await screenshot(page, 'editor-page-09-cancelled');

    // A cancelled delivery cannot be approved any more: the API says 409.
    const again = await api(server, 'POST', `/api/deliveries/${encodeURIComponent(id)}/approve`, {});
    expect(again.status).toBe(409);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the server’s validation errors next to the compose form and the preview', { timeout: 30_000 }, async () => {
    const { context, page, errors } = await newPage();
    await signIn(page, server);
    await page.getByTestId('compose-text').fill('A note with a link that is not one.');
    await page.getByTestId('compose-url').fill('javascript:alert(1)');
    // One bad link does not hide the preview: the thread shows without it, and the page says why.
    await previewReady(page);
    expect(await page.getByTestId('preview-error').textContent()).toBe('The link "javascript:alert(1)" is not an http(s) address; the preview leaves it out.');
    expect(await page.getByTestId('preview-bsky').getByTestId('preview-part').count()).toBeGreaterThan(0);
    const before = (await listDeliveries(server, 'queue')).length;
    await page.getByTestId('compose-submit').click();
    await page.getByTestId('compose-error').waitFor({ state: 'visible' });
    expect((await page.getByTestId('compose-error').textContent())!.length).toBeGreaterThan(0);
    // The server named the field: the page marks it.
    expect(await page.getByTestId('compose-url').getAttribute('aria-invalid')).toBe('true');
    expect((await listDeliveries(server, 'queue')).length).toBe(before);
    await screenshot(page, 'editor-page-10-compose-error');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe.skipIf(!CHROMIUM_PATH)('editor page: an announcement that cannot be composed on one channel', () => {
  it('shows why on that channel, in the preview and in the queue, and everything else as usual', { timeout: 60_000 }, async () => {
    const { context, page, errors } = await newPage();
    await signIn(page, server);
    const marker = `uncomposable-${Date.now()}`;
    // The local site's address is an IP, which twitter-text does not take for a URL: on X this link weighs its
    // full 5000 characters, more than any post, so X cannot carry it. Bluesky shows it shortened.
    await page.getByTestId('compose-text').fill(`${marker}: the fair moved indoors.`);
    await page.getByTestId('compose-url').fill(`${site.url}/articles/${'a'.repeat(5000)}`);
    const preview = await previewReady(page);
    const reason = 'compose: the link and counter alone do not fit in a part';
    expect(await preview.getByTestId('preview-x').getByTestId('compose-problem').textContent()).toBe(`Cannot be posted on X: ${reason}`);
    expect(await preview.getByTestId('preview-x').getByTestId('preview-part').count()).toBe(0);
    expect(await preview.getByTestId('preview-bsky').getByTestId('compose-problem').count()).toBe(0);
    expect((await previewTexts(page, 'bsky'))[0]).toContain(marker);

    await page.getByTestId('compose-submit').click();
    const queued = await eventually('both deliveries in the queue', async () => {
      const mine = (await listDeliveries(server, 'queue')).filter((d) => d.text.includes(marker));
      return mine.length === 2 ? mine : undefined;
    });
    const xd = queued.find((d) => d.channelId === 'x')!;
    const bsky = queued.find((d) => d.channelId === 'bsky')!;
    expect(xd).toMatchObject({ parts: [], composeProblem: reason });
    expect(bsky.composeProblem).toBeNull();
    await queueRow(page, xd.id).getByTestId('row-compose-problem').waitFor({ state: 'visible' });
    expect(await queueRow(page, xd.id).getByTestId('row-compose-problem').textContent()).toBe(`Cannot be posted: ${reason}`);
    expect(await queueRow(page, bsky.id).getByTestId('row-parts').count()).toBe(1);
    await screenshot(page, 'editor-page-11-compose-problem');

    // Cancelling one delivery of the announcement cancels it on every channel (scope item, the default).
    const cancelled = await api<{ deliveries: DeliveryView[] }>(server, 'POST', `/api/deliveries/${encodeURIComponent(xd.id)}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.deliveries.map((d) => [d.channelId, d.state]).sort()).toEqual([['bsky', 'cancelled'], ['x', 'cancelled']]);
    expect(errors).toEqual([]);
    await context.close();
  });

  // Last in the file: the spent window it leaves on the emulator would hold back X posts in a later test.
  it("shows a delivery's wait from its structured kind and time, not from the reason's words", { timeout: 60_000 }, async () => {
    const { context, page, errors } = await newPage();
    await signIn(page, server);
    x.injectFault({ route: 'POST /2/tweets', kind: 'rate-limit', userId: xUser.userId });
    const marker = `Window-${Date.now().toString(36)}`;
    const added = await api<{ deliveries: DeliveryView[] }>(server, 'POST', '/api/announcements', { text: `${marker}: the ferry runs late today.`, channels: ['x'] });
    expect(added.status).toBe(201);
    const id = added.body.deliveries[0]!.id;
    expect((await api(server, 'POST', `/api/deliveries/${encodeURIComponent(id)}/approve`, {})).status).toBe(200);
    const waiting = await eventually('the delivery waiting for the rate window', async () => {
      const d = await getDelivery(server, id);
      return d.wait ? d : undefined;
    });
    expect(waiting.state).toBe('queued');
    expect(waiting.wait!.kind).toBe('rate');
    expect(Date.parse(waiting.wait!.until)).toBeGreaterThan(Date.now());
    const line = queueRow(page, id).getByTestId('row-wait');
    await line.waitFor({ state: 'visible' });
    expect(await line.getAttribute('data-wait')).toBe('rate');
    expect(await line.textContent()).toContain("Waiting for the platform's rate window until");
    expect(await line.locator('time').getAttribute('datetime')).toBe(waiting.wait!.until);
    await screenshot(page, 'editor-page-12-waiting');
    expect(errors).toEqual([]);
    await context.close();
  });
});
