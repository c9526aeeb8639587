/**
 * The editor page's security in real Chromium against the real `threadcast run`:
 *  - hostile feed titles and texts (a source in review mode) and a hostile link card show as literal text:
 *    no script runs, no element is made from data;
 *  - URLs from the API become links only when http(s), thumbs only when data:image/ (checked by rewriting
 *    real API answers in the browser, since the server itself refuses such URLs);
 *  - without the token, or with a wrong one, the page shows the token form and the API answers 401; the page
 *    never holds the token or any other secret the server was given.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchBrowser, screenshot } from '../support/browser.js';
import { tempDir, writeFile } from '../support/cli.js';
import { startWebsite, type Website } from '../support/website.js';
import { startXEmulator, type XEmulator } from '../support/x-emulator/index.js';
import { api, eventually, listDeliveries, newToken, previewReady, previewTexts, queueGroup, queueRow, signIn, startServer, VIEWPORT, type DeliveryView, type RunningServer } from './editor-page-helpers.js';
import { xOAuth1Env } from '../support/credentials-env.js';

const SCRIPT_TITLE = '<script>window.__pwned=1</script>Title <b>bold</b>';
const IMG_TITLE = '<img src=x onerror="window.__pwned=2">Photo of the <i>quay</i>';
const SCRIPT_SUMMARY = 'Body text <script>window.__pwned=3</script> with a script.';
const IMG_SUMMARY = 'A caption <img src=x onerror=window.__pwned=4> with an image.';
const CARD_TITLE = '<script>window.__pwned=7</script>Card <b>title</b>';

/** XML-escape. Applied twice to a title: the feed parser undoes one level, the HTML-to-text step the other,
 *  so the item's title is the literal markup string (what a feed that escapes its own titles produces). */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function hostileFeed(base: string): string {
  const item = (guid: string, title: string, summary: string) =>
    `<item><title>${esc(esc(title))}</title><link>${base}/articles/${guid}/</link><guid isPermaLink="false">${guid}</guid>` +
    `<pubDate>Fri, 20 Nov 2026 12:00:00 GMT</pubDate><description>${esc(esc(summary))}</description></item>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Hostile</title><link>${base}/</link><description>d</description>` +
    item('xss-script', SCRIPT_TITLE, SCRIPT_SUMMARY) +
    item('xss-img', IMG_TITLE, IMG_SUMMARY) +
    '</channel></rss>'
  );
}

let x: XEmulator;
let xUser: ReturnType<XEmulator['addOAuth1User']>;
let site: Website;
let server: RunningServer;
let browser: Browser;
let secrets: Record<string, string>;

beforeAll(async () => {
  x = await startXEmulator();
  xUser = x.addOAuth1User({ username: 'hostile' });
  site = await startWebsite([{ slug: 'card', title: CARD_TITLE, summary: 'A card <img src=x onerror=window.__pwned=8> description.', ogImage: true }]);
  const dir = tempDir('threadcast-editor-security-');
  const feed = writeFile(dir, 'hostile.xml', hostileFeed(site.url));
  const config = writeFile(
    dir,
    'threadcast.yaml',
    `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: info, format: json }
web:
  allowPrivateHosts: ['127.0.0.1']
publishEvery: "*/1 * * * * *"
editor: { review: true }
server: { host: 127.0.0.1, port: 0 }
sources:
  - id: hostile
    feed: ${feed}
    backlog: all
    review: true
    pollEvery: "*/1 * * * * *"
    channels: [x]
channels:
  # No credentials: a dry-run channel, there for its link-card preview.
  - id: bsky
    platform: bluesky
    service: http://127.0.0.1:9
  - id: x
    platform: x
    apiBase: ${x.url}
    appKey: \${X_API_KEY}
    appSecret: \${X_API_SECRET}
    accessToken: \${X_ACCESS_TOKEN}
    accessSecret: \${X_ACCESS_SECRET}
`,
  );
  secrets = xOAuth1Env(xUser);
  [server, browser] = await Promise.all([startServer(config, dir, secrets, newToken()), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  const code = server ? await server.stop() : undefined;
  await x?.stop();
  await site?.close();
  if (server) expect(code).toBe(0);
}, 30_000);

async function newPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  // Fail on a clear locator message well before the test's own timeout.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page, errors };
}

interface DomReport {
  scripts: string[];
  handlerAttributes: string[];
  elementsFromData: string[];
  images: Array<string | null>;
  pwned: unknown;
}

/** What the live DOM holds that data must never create. */
function domReport(page: Page): Promise<DomReport> {
  return page.evaluate<DomReport>(`(() => {
    const all = [...document.querySelectorAll('*')];
    return {
      scripts: [...document.scripts].map((s) => s.src),
      handlerAttributes: all.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => e.tagName + ' ' + a.name)),
      elementsFromData: all.filter((e) => ['B', 'I', 'SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(e.tagName) && !e.src?.endsWith('/assets/app.js')).map((e) => e.outerHTML),
      images: [...document.images].map((i) => i.getAttribute('src')),
      pwned: window.__pwned,
    };
  })()`);
}

function expectClean(report: DomReport, baseUrl: string): void {
  expect(report.pwned).toBeUndefined();
  expect(report.scripts).toEqual([`${baseUrl}assets/app.js`]);
  expect(report.handlerAttributes).toEqual([]);
  expect(report.elementsFromData).toEqual([]);
  for (const src of report.images) expect(src).toMatch(/^data:image\//);
}

async function hostileDeliveries(): Promise<DeliveryView[]> {
  return eventually('both hostile feed items held in the queue', async () => {
    const mine = (await listDeliveries(server, 'queue')).filter((d) => d.sourceId === 'hostile');
    return mine.length === 2 ? mine : undefined;
  });
}

describe.skipIf(!CHROMIUM_PATH)('editor page: hostile data', () => {
  it('shows hostile feed titles and texts as literal text; nothing in them runs', { timeout: 60_000 }, async () => {
    const deliveries = await hostileDeliveries();
    // The server passes the titles through untouched, so this test really feeds markup to the page.
    expect(deliveries.map((d) => d.title).sort()).toEqual([IMG_TITLE, SCRIPT_TITLE].sort());
    for (const d of deliveries) expect(d.state).toBe('held');

    const { context, page, errors } = await newPage();
    await signIn(page, server);
    for (const d of deliveries) {
      const row = queueRow(page, d.id);
      await row.waitFor();
      expect(await queueGroup(page, d.id).getByTestId('row-title').textContent()).toBe(d.title);
      expect(await queueGroup(page, d.id).getByTestId('row-text').textContent()).toBe(d.text);
      expect(d.text).toContain(d.title === SCRIPT_TITLE ? '<script>window.__pwned=3</script>' : '<img src=x onerror=window.__pwned=4>');
      await row.getByTestId('row-parts').locator('summary').click();
      const parts = await row.getByTestId('row-part').allTextContents();
      expect(parts).toEqual(d.parts.map((p) => p.text));
      expect(parts[0]).toContain(d.title);
    }
    // Give a would-be onerror handler time to fire (a broken image fails asynchronously).
    await page.waitForTimeout(500);
    expectClean(await domReport(page), server.baseUrl);
    await screenshot(page, 'editor-page-security-01-hostile-queue');

    // The compose preview: hostile text typed by the editor and a hostile link card from a page.
    const typed = 'Look <img src=x onerror=window.__pwned=5> here <script>window.__pwned=6</script>!';
    await page.getByTestId('compose-text').fill(typed);
    await page.getByTestId('compose-url').fill(`${site.url}/articles/card/`);
    await previewReady(page);
    expect((await previewTexts(page, 'x')).join(' ')).toContain(typed);
    expect((await previewTexts(page, 'bsky')).join(' ')).toContain(typed);
    const card = page.getByTestId('preview-bsky').getByTestId('preview-card');
    expect(await card.getByTestId('card-title').textContent()).toBe(CARD_TITLE);
    expect(await card.getByTestId('card-description').textContent()).toBe('A card <img src=x onerror=window.__pwned=8> description.');
    expect(await card.getByTestId('card-thumb').getAttribute('src')).toMatch(/^data:image\//);
    await page.waitForTimeout(500);
    expectClean(await domReport(page), server.baseUrl);
    await screenshot(page, 'editor-page-security-02-hostile-preview');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('links only http(s) URLs and shows only data:image/ thumbs, whatever the API answers', { timeout: 30_000 }, async () => {
    const { context, page, errors } = await newPage();
    // Rewrite real answers on their way to the page: a history entry and a preview card with hostile URLs.
    await page.route(
      (url) => url.pathname === '/api/deliveries' && url.searchParams.get('view') === 'history',
      async (route) => {
        const real = await route.fetch();
        const body = (await real.json()) as { deliveries: unknown[] };
        const fake = {
          id: 'x:"]</li><script>window.__pwned=9</script>',
          channelId: 'x',
          platform: 'x',
          sourceId: 'hostile',
          itemId: 'fake',
          isAnnouncement: false,
          state: 'published',
          title: SCRIPT_TITLE,
          text: IMG_SUMMARY,
          url: 'javascript:window.__pwned=10',
          notBefore: null,
          estimatedAt: null,
          reason: '<img src=x onerror=window.__pwned=11>',
          parts: [{ text: SCRIPT_TITLE }, { text: 'two' }, { text: 'three' }, { text: 'four' }],
          posts: [
            { id: '1', url: 'javascript:window.__pwned=12' },
            { id: '2', url: 'data:text/html,<script>window.__pwned=13</script>' },
            { id: '3', url: 'https://x.com/i/web/status/3' },
            { id: '4', url: '//evil.example/relative' },
          ],
          history: [],
          createdAt: '2026-11-20T12:00:00.000Z',
          updatedAt: '2026-11-20T12:00:00.000Z',
          dryRun: false,
        };
        await route.fulfill({ response: real, json: { ...body, deliveries: [fake, ...body.deliveries] } });
      },
    );
    await page.route(
      (url) => url.pathname === '/api/preview',
      async (route) => {
        const real = await route.fetch();
        const body = (await real.json()) as { channels: Array<Record<string, unknown>> };
        const channels = body.channels.map((c) => ({ ...c, linkCard: { uri: 'javascript:window.__pwned=14', title: CARD_TITLE, description: 'd', thumb: 'http://127.0.0.1:9/track.png' } }));
        await route.fulfill({ response: real, json: { ...body, channels } });
      },
    );
    await signIn(page, server);
    const group = page.locator('[data-testid="history-row"]').filter({ hasText: 'Title <b>bold</b>' });
    const row = group.locator('[data-testid="history-thread"][data-delivery-id^="x:"]');
    await row.waitFor();
    expect(await row.getAttribute('data-delivery-id')).toBe('x:"]</li><script>window.__pwned=9</script>');
    const links = await row.getByTestId('post-link').all();
    expect(await Promise.all(links.map((a) => a.getAttribute('href')))).toEqual(['https://x.com/i/web/status/3']);
    expect(await row.getByTestId('post-unlinked').count()).toBe(3);
    expect(await group.getByTestId('row-title').textContent()).toBe(SCRIPT_TITLE);

    await page.getByTestId('compose-text').fill('A short note.');
    await previewReady(page);
    const card = page.getByTestId('preview-x').getByTestId('preview-card');
    expect(await card.getByTestId('card-title').textContent()).toBe(CARD_TITLE);
    expect(await card.getByTestId('card-title').getAttribute('href')).toBeNull();
    expect(await card.getByTestId('card-thumb').count()).toBe(0);
    // No link anywhere points to a non-http(s) URL (the page's own <link> tags are its static markup).
    const hrefs = await page.evaluate<Array<string | null>>(`[...document.querySelectorAll('a, area, [href]:not(link)')].map((e) => e.getAttribute('href'))`);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href).toMatch(/^https?:\/\//);
    await page.waitForTimeout(300);
    expectClean(await domReport(page), server.baseUrl);
    await screenshot(page, 'editor-page-security-03-hostile-urls');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe.skipIf(!CHROMIUM_PATH)('editor page: token', () => {
  it('asks for the token, refuses a wrong one with the server’s message, and never holds a secret', { timeout: 60_000 }, async () => {
    const { context, page, errors } = await newPage();
    const bodies: string[] = [];
    page.on('response', async (res) => {
      if (res.url().startsWith(server.baseUrl)) bodies.push(await res.text().catch(() => ''));
    });

    // Without a token: the form, and the API says 401 (also with a wrong token).
    await page.goto(server.baseUrl);
    await page.getByTestId('token-input').waitFor({ state: 'visible' });
    expect(await page.getByTestId('app').isHidden()).toBe(true);
    expect(await page.getByTestId('token-input').getAttribute('type')).toBe('password');
    await screenshot(page, 'editor-page-security-04-token-form');
    const wrong = 'wrong-token-0123456789abcdef';
    for (const p of ['/api/channels', '/api/deliveries?view=queue', '/api/deliveries?view=history']) {
      const none = await page.request.get(new URL(p.slice(1), server.baseUrl).href);
      expect(none.status(), p).toBe(401);
      const bad = await page.request.get(new URL(p.slice(1), server.baseUrl).href, { headers: { authorization: `Bearer ${wrong}` } });
      expect(bad.status(), p).toBe(401);
    }
    const refused = await page.request.get(new URL('api/channels', server.baseUrl).href, { headers: { authorization: `Bearer ${wrong}` } });
    const serverMessage = ((await refused.json()) as { error: string }).error;
    expect(serverMessage.length).toBeGreaterThan(0);
    expect((await page.request.post(new URL('api/preview', server.baseUrl).href, { data: { text: 'hello' } })).status()).toBe(401);

    // A wrong token: the form stays, with the server's message, and nothing is kept.
    await page.getByTestId('token-input').fill(wrong);
    await page.getByTestId('token-submit').click();
    await page.getByTestId('token-error').waitFor({ state: 'visible' });
    expect(await page.getByTestId('token-error').textContent()).toBe(serverMessage);
    expect(await page.getByTestId('app').isHidden()).toBe(true);
    expect(await page.evaluate(`sessionStorage.getItem('threadcast.token')`)).toBeNull();
    await screenshot(page, 'editor-page-security-05-wrong-token');

    // The right token opens the editor; it is kept in this tab's sessionStorage only.
    await page.getByTestId('token-input').fill(server.token);
    await page.getByTestId('token-submit').click();
    await page.getByTestId('app').waitFor({ state: 'visible' });
    expect(await page.getByTestId('token-section').isHidden()).toBe(true);
    expect(await page.evaluate(`sessionStorage.getItem('threadcast.token')`)).toBe(server.token);
    expect(await page.evaluate(`localStorage.length`)).toBe(0);
    expect(await context.cookies()).toEqual([]);
    expect(await page.getByTestId('token-input').inputValue()).toBe('');
    await page.getByTestId('queue-row').first().waitFor();
    // Let a periodic refresh happen too, then look at everything the page holds and received.
    await page.waitForTimeout(3_500);
    const html = await page.content();
    const visible = await page.evaluate<string>('document.body.innerText');
    for (const [name, value] of Object.entries({ THREADCAST_API_TOKEN: server.token, ...secrets })) {
      expect(html.includes(value), `${name} in the page's HTML`).toBe(false);
      expect(visible.includes(value), `${name} in the page's text`).toBe(false);
      expect(bodies.filter((b) => b.includes(value)), `${name} in a response`).toEqual([]);
    }
    expect(bodies.length).toBeGreaterThan(4);

    // A token that stops working (rotated on the server, say): the next refresh brings the form back.
    await page.evaluate(`sessionStorage.setItem('threadcast.token', ${JSON.stringify(wrong)})`);
    await page.getByTestId('token-section').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.getByTestId('token-error').textContent()).toBe(serverMessage);
    expect(await page.getByTestId('app').isHidden()).toBe(true);
    // The data it showed is gone from the DOM as well.
    expect(await page.getByTestId('queue-row').count()).toBe(0);
    expect(await page.evaluate(`sessionStorage.getItem('threadcast.token')`)).toBeNull();
    await screenshot(page, 'editor-page-security-06-token-expired');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('API: refuses cross-origin and non-JSON writes that a plain page fetch never sends', async () => {
    const ok = await api(server, 'POST', '/api/preview', { text: 'Same origin is fine.' }, { headers: { origin: server.baseUrl.replace(/\/$/, '') } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const crossOrigin = await api(server, 'POST', '/api/preview', { text: 'From elsewhere.' }, { headers: { origin: 'http://evil.example' } });
    expect(crossOrigin.status).toBe(403);
    const form = await api(server, 'POST', '/api/preview', 'text=hello', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const plain = await api(server, 'POST', '/api/preview', JSON.stringify({ text: 'hello' }), { headers: { 'content-type': 'text/plain' } });
    expect(plain.status).toBe(415);
  });
});
