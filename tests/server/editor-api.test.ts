/**
 * The editor's HTTP API over real HTTP, with the app's real outbox and publishers: a real Bluesky PDS and
 * the strict X emulator. Protects: the preview is exactly what the publisher sends; no token, no access;
 * state changes need a same-origin JSON request; every editor action works and is refused when it must be.
 */
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App } from '../../src/app/app.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';
import { startEditorApi, type EditorApi } from '../support/editor-api.js';
import { pdsClient, type TestAccount } from '../support/pds/client.js';
import { startWebsite, type Website } from '../support/website.js';
import { startXEmulator, type XEmulator } from '../support/x-emulator/index.js';

const TOKEN = 'editor-token-0123456789abcdef';
const pds = pdsClient(inject('pdsUrl'));
const log = pino({ level: 'silent' });

let x: XEmulator;
let site: Website;
let account: TestAccount;
let xUser: ReturnType<XEmulator['addOAuth1User']>;
let store: Store;
let app: App;
let server: RunningServer;
let editor: EditorApi;

function configFor(dir: string, extra: Record<string, unknown> = {}) {
  return ConfigSchema.parse({
    store: `sqlite:${path.join(dir, 'state.sqlite')}`,
    server: { port: 0 },
    web: { allowPrivateHosts: ['127.0.0.1'] },
    channels: [
      { id: 'bsky', platform: 'bluesky', service: pds.url, identifier: account.handle, password: account.appPassword, template: { maxParts: 4, numbering: true, link: 'first' } },
      { id: 'x', platform: 'x', apiBase: x.url, appKey: xUser.appKey, appSecret: xUser.appSecret, accessToken: xUser.accessToken, accessSecret: xUser.accessSecret, template: { maxParts: 4, numbering: true, link: 'first' } },
    ],
    ...extra,
  });
}

beforeAll(async () => {
  x = await startXEmulator();
  site = await startWebsite([{ slug: 'fair', title: 'Spring fair programme', summary: 'Stalls, music and a bake sale on the green.', ogImage: true }]);
  account = await pds.createAccount('editorapi');
  xUser = x.addOAuth1User({ username: 'editorapi' });
  const config = configFor(tempDir('threadcast-api-'));
  editor = await startEditorApi(config, TOKEN);
  ({ store, app, server } = editor);
});

afterAll(async () => {
  await editor?.close();
  await x?.stop();
  await site?.close();
});

function api(route: string, init: { method?: string; body?: unknown; token?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  if (init.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  return fetch(new URL(route, server.url), {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
  });
}

const LONG = [
  'The library reopens on Monday after the roof repairs 🏗️, with longer hours on weekdays.',
  'The children’s corner moved upstairs, next to the quiet room; the lift is working again.',
  'Returns can go in the new box by the side door at any hour, and fines are waived this month.',
  'Volunteers are welcome for the Saturday reading club 📚 — ask at the desk or write to us.',
].join(' ');

describe('the preview is what the publisher sends', () => {
  it('previews, queues and publishes byte-identical parts on Bluesky and X', async () => {
    const url = `${site.url}/articles/fair/`;
    const previewRes = await api('/api/preview', { body: { text: LONG, url } });
    expect(previewRes.status).toBe(200);
    const preview = (await previewRes.json()) as { channels: Array<{ channelId: string; parts: Array<{ text: string; length: number; limit: number; valid: boolean }>; costUsd: number | null; linkCard: { title: string; thumb: string | null } | null }> };
    const bsky = preview.channels.find((c) => c.channelId === 'bsky')!;
    const xPreview = preview.channels.find((c) => c.channelId === 'x')!;
    expect(bsky.parts.length).toBeGreaterThan(1);
    expect(xPreview.parts.length).toBeGreaterThan(1);
    for (const part of [...bsky.parts, ...xPreview.parts]) {
      expect(part.valid).toBe(true);
      expect(part.length).toBeLessThanOrEqual(part.limit);
    }
    expect(bsky.linkCard).toMatchObject({ title: 'Spring fair programme' });
    expect(bsky.linkCard!.thumb).toMatch(/^data:image\/(jpeg|png|webp);base64,/);
    // The local site's links are IP addresses, which twitter-text does not take for URLs: every part is a plain post.
    expect(xPreview.costUsd).toBeCloseTo(0.015 * xPreview.parts.length, 6);
    expect(bsky.costUsd).toBeNull();

    const queued = await api('/api/announcements', { body: { text: LONG, url } });
    expect(queued.status).toBe(201);
    const { deliveries } = (await queued.json()) as { deliveries: Array<{ id: string; state: string; parts: Array<{ text: string }> }> };
    expect(deliveries.map((d) => d.state)).toEqual(['queued', 'queued']);

    const reports = await app.publishAll();
    expect(reports.map((r) => [r.channelId, r.published])).toEqual([['bsky', 1], ['x', 1]]);

    const records = (await pds.listRecords<{ text: string; createdAt: string }>(account.did, 'app.bsky.feed.post')).sort((a, b) => a.value.createdAt.localeCompare(b.value.createdAt));
    expect(records.map((r) => r.value.text)).toEqual(bsky.parts.map((p) => p.text));
    expect(x.posts(xUser.userId).map((p) => p.text)).toEqual(xPreview.parts.map((p) => p.text));

    const history = (await (await api('/api/deliveries?view=history')).json()) as { deliveries: Array<{ channelId: string; state: string; posts: Array<{ url: string | null }>; parts: Array<{ text: string }> }> };
    const bskyDone = history.deliveries.find((d) => d.channelId === 'bsky')!;
    expect(bskyDone.state).toBe('published');
    expect(bskyDone.posts.map((p) => p.url)).toEqual(records.map((r) => `https://bsky.app/profile/${account.handle}/post/${r.uri.split('/').pop()}`));
    expect(bskyDone.parts.map((p) => p.text)).toEqual(bsky.parts.map((p) => p.text));
    const xDone = history.deliveries.find((d) => d.channelId === 'x')!;
    expect(xDone.posts.map((p) => p.url)).toEqual(x.posts(xUser.userId).map((p) => `https://x.com/i/web/status/${p.id}`));
  });
});

describe('access', () => {
  const routes: Array<[string, string, unknown?]> = [
    ['GET', '/api/channels'],
    ['GET', '/api/deliveries?view=queue'],
    ['POST', '/api/preview', { text: 'hello' }],
    ['POST', '/api/announcements', { text: 'hello' }],
    ['POST', '/api/deliveries/bsky%3Aeditor%3Ax/approve', {}],
    ['PUT', '/api/deliveries/bsky%3Aeditor%3Ax', { text: 'hello' }],
  ];

  it('refuses every API request without the token or with a wrong one', async () => {
    for (const [method, route, body] of routes) {
      for (const token of [null, 'wrong-token-0123456789abcdef', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
        const res = await api(route, { method, body, token });
        expect(res.status, `${method} ${route} with ${token}`).toBe(401);
        expect(((await res.json()) as { error: string }).error).toMatch(/token/);
      }
    }
    expect((await store.listDeliveries({ states: ['queued', 'held'] })).length).toBe(0);
  });

  it('answers 401 saying how to turn it on when no usable token is configured', async () => {
    const config = configFor(tempDir('threadcast-api-off-'));
    const offStore = await openStore(config.store);
    // Without any token a loopback server makes one up for its sign-in URL (tests/server/sign-in-guard.test.ts).
    const off = await startServer({ config: () => config, store: () => offStore, queue: () => app.editorQueue, log, env: { THREADCAST_API_TOKEN: 'too-short' } });
    try {
      const res = await fetch(new URL('/api/channels', off.url), { headers: { authorization: 'Bearer anything-at-all-here' } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toContain('set THREADCAST_API_TOKEN');
      expect((await fetch(off.url)).status).toBe(200);
    } finally {
      await off.close();
      await offStore.close();
    }
  });

  it('refuses state changes that are not same-origin JSON, even with the token', async () => {
    const body = { text: 'A cross-site attempt' };
    const foreign = await api('/api/announcements', { body, headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    const crossSite = await api('/api/announcements', { body, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    const form = await api('/api/announcements', { body: 'text=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const plain = await api('/api/announcements', { body: JSON.stringify(body), headers: { 'content-type': 'text/plain' } });
    expect(plain.status).toBe(415);
    const sameOrigin = await api('/api/announcements', { body: { ...body, channels: ['x'] }, headers: { origin: new URL(server.url).origin } });
    expect(sameOrigin.status).toBe(201);
    const made = (await sameOrigin.json()) as { deliveries: Array<{ id: string }> };
    await api(`/api/deliveries/${encodeURIComponent(made.deliveries[0]!.id)}/cancel`, { body: {} });
    expect((await store.listDeliveries({ states: ['queued'] })).length).toBe(0);
  });

  it('serves the page with a strict content security policy and without any secret', async () => {
    for (const route of ['/', '/assets/app.js', '/assets/app.css']) {
      const res = await fetch(new URL(route, server.url));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      const text = await res.text();
      for (const secret of [TOKEN, account.appPassword, xUser.appSecret, xUser.accessSecret]) expect(text).not.toContain(secret);
    }
    const channels = await (await api('/api/channels')).text();
    for (const secret of [TOKEN, account.appPassword, xUser.appSecret, xUser.accessSecret, xUser.accessToken]) expect(channels).not.toContain(secret);
  });
});

describe('editor actions', () => {
  it('holds, edits, approves and cancels, and refuses what the state does not allow', async () => {
    const add = await api('/api/announcements', { body: { text: 'Book sale on Friday.', at: '2031-05-02T09:00:00+02:00', channels: ['bsky'] } });
    const [d] = ((await add.json()) as { deliveries: Array<{ id: string; notBefore: string; estimatedAt: string | null }> }).deliveries;
    expect(d!.notBefore).toBe('2031-05-02T07:00:00.000Z');
    const route = `/api/deliveries/${encodeURIComponent(d!.id)}`;

    const queue = (await (await api('/api/deliveries?view=queue')).json()) as { deliveries: Array<{ id: string; estimatedAt: string | null; actions: string[] }> };
    expect(queue.deliveries.find((q) => q.id === d!.id)!.estimatedAt).toBe('2031-05-02T07:00:00.000Z');
    // What the page offers is what the outbox would accept now.
    expect(queue.deliveries.find((q) => q.id === d!.id)!.actions).toEqual(['hold', 'edit', 'cancel']);

    expect((await (await api(`${route}/approve`, { body: {} })).json()) as unknown).toMatchObject({ error: expect.stringMatching(/only held deliveries can be approved/) });
    expect(((await (await api(`${route}/hold`, { body: {} })).json()) as { delivery: { state: string; actions: string[] } }).delivery).toMatchObject({ state: 'held', actions: ['approve', 'edit', 'cancel'] });

    const edited = await api(route, { method: 'PUT', body: { text: 'Book sale on Saturday instead.', url: 'https://library.example/sale', at: null } });
    expect(edited.status).toBe(200);
    const view = ((await edited.json()) as { delivery: { text: string; url: string; notBefore: string | null; parts: Array<{ text: string }> } }).delivery;
    expect(view).toMatchObject({ text: 'Book sale on Saturday instead.', url: 'https://library.example/sale', notBefore: null });
    expect(view.parts[0]!.text).toContain('Book sale on Saturday instead.');

    const badEdit = await api(route, { method: 'PUT', body: { url: 'javascript:alert(1)' } });
    expect(badEdit.status).toBe(400);
    expect(await badEdit.json()).toEqual({ error: 'edit: url: give an http(s) URL', field: 'url' });

    expect(((await (await api(`${route}/approve`, { body: {} })).json()) as { delivery: { state: string } }).delivery.state).toBe('queued');
    expect(((await (await api(`${route}/cancel`, { body: {} })).json()) as { delivery: { state: string; actions: string[] } }).delivery).toMatchObject({ state: 'cancelled', actions: [] });
    const late = await api(route, { method: 'PUT', body: { text: 'Too late.' } });
    expect(late.status).toBe(409);
    expect((await api('/api/deliveries/nope%3Anothing/hold', { body: {} })).status).toBe(404);
  });

  it('names the field of bad input, and refuses image paths from the browser', async () => {
    const cases: Array<[unknown, string]> = [
      [{ text: '  ' }, 'text'],
      [{ text: 'Hi', url: 'ftp://example.org/a' }, 'url'],
      [{ text: 'Hi', at: 'tomorrow' }, 'at'],
      [{ text: 'Hi', channels: ['mastodon'] }, 'channels'],
      [{ text: 'Hi', image: '/etc/passwd', alt: 'x' }, 'image'],
    ];
    for (const [body, field] of cases) {
      const res = await api('/api/announcements', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { field: string }).field).toBe(field);
    }
    const preview = await api('/api/preview', { body: { text: 'Hi', url: 'not a url' } });
    expect(preview.status).toBe(400);
    expect(((await preview.json()) as { field: string }).field).toBe('url');
  });
});
