/**
 * What one editor's requests may cost the process. A preview that named one channel twenty thousand times composed
 * it as often (minutes of a blocked event loop for one 256 KiB request), and the queue view, which the page asks for
 * every few seconds, composed every waiting delivery again each time, synchronously; uploads had no bound at all.
 * Protects: a preview composes each channel once and names at most a few unknown channels in its error; the queue
 * view keeps what it composed until the delivery changes, and lets the event loop turn while it composes; the
 * uploads folder stays within editor.uploadsMaxMiB (through the API and through drop files), and only a few uploads
 * are taken at once. Real store, app, HTTP server and files.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EditorError } from '../../src/core/errors.js';
import { MAX_UPLOADS_IN_FLIGHT, uploadsDir } from '../../src/store/uploads.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { QUEUE_VIEW_ITEMS, queueViews } from '../../src/server/delivery-view.js';
import { scanEditorFolder } from '../../src/sources/editor-folder.js';
import { tempDir } from '../support/cli.js';
import { startEditorApi, type EditorApi } from '../support/editor-api.js';

const TOKEN = 'editor-load-token-0123456789';
const sentence = (n: number) => `Sentence ${n} of a long announcement about the harbour fair and its many stalls.`;
const LONG = Array.from({ length: 240 }, (_, i) => sentence(i)).join(' ');

describe('an editor request’s cost', () => {
  let api: EditorApi;
  const config = ConfigSchema.parse({
    store: `sqlite:${path.join(tempDir('threadcast-editor-load-'), 'state.sqlite')}`,
    server: { port: 0 },
    dryRun: true,
    editor: { review: true },
    channels: [
      { id: 'bsky', platform: 'bluesky' },
      { id: 'x', platform: 'x' },
    ],
  });
  const post = (route: string, body: unknown) =>
    fetch(new URL(route, api.server.url), { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    api = await startEditorApi(config, TOKEN);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('previews a channel named many times once', async () => {
    const res = await post('/api/preview', { text: LONG, channels: Array<string>(20_000).fill('bsky') });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { channels: Array<{ channelId: string }> };
    expect(body.channels.map((c) => c.channelId)).toEqual(['bsky']);
  });

  it('names a few of many unknown channels, not all of them', async () => {
    const res = await post('/api/preview', { text: 'Hi', channels: Array.from({ length: 1_500 }, (_, i) => `no-such-channel-${i}-${'z'.repeat(100)}`) });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: string };
    expect(error).toContain('and 1495 more');
    expect(error).toContain('(configured: bsky, x)');
    expect(error.length).toBeLessThan(1_000);
  });

  it('keeps a waiting delivery’s composed thread until the delivery changes', async () => {
    const { deliveries } = await api.app.editorQueue.add({ text: LONG }, { where: 'test' });
    const id = deliveries[0]!.id;
    const viewOf = async () => (await queueViews(config, api.store)).views.find((v) => v.id === id)!;
    const first = await viewOf();
    expect(first.dropped).not.toBeNull();
    expect((await viewOf()).dropped).toBe(first.dropped);
    await api.app.editorQueue.edit(id, { text: `${LONG} One more sentence at the end.` }, 'test');
    const edited = await viewOf();
    expect(edited.dropped).not.toBe(first.dropped);
    expect(edited.text.endsWith('One more sentence at the end.')).toBe(true);
  });

  it('lets timers run while it composes a long queue for the first time', async () => {
    for (let i = 0; i < 40; i++) await api.app.editorQueue.add({ text: `${i}: ${LONG}` }, { where: 'test' });
    let ticks = 0;
    const timer = setInterval(() => void ticks++, 1);
    try {
      const { views } = await queueViews(config, api.store);
      const during = ticks;
      expect(views.length).toBeGreaterThanOrEqual(80);
      expect(during).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
  });

  it('lists the first items of a long queue, each on all its channels, and says how many more wait', async () => {
    const get = async (query: string) => {
      const res = await fetch(new URL(`/api/deliveries?${query}`, api.server.url), { headers: { authorization: `Bearer ${TOKEN}` } });
      return { status: res.status, body: (await res.json()) as { deliveries?: Array<{ id: string; sourceId: string; itemId: string; channelId: string }>; moreItems?: number; error?: string; field?: string } };
    };
    const waiting = (await get('view=queue&items=5000')).body;
    const before = new Set(waiting.deliveries!.map((d) => `${d.sourceId}:${d.itemId}`)).size;
    for (let i = 0; i < QUEUE_VIEW_ITEMS + 7; i++) await api.app.editorQueue.add({ text: `Short note ${i}.` }, { where: 'test' });
    const all = before + QUEUE_VIEW_ITEMS + 7;

    const first = (await get('view=queue')).body;
    const items = new Map<string, string[]>();
    for (const d of first.deliveries!) items.set(`${d.sourceId}:${d.itemId}`, [...(items.get(`${d.sourceId}:${d.itemId}`) ?? []), d.channelId]);
    expect(items.size).toBe(QUEUE_VIEW_ITEMS);
    expect(first.moreItems).toBe(all - QUEUE_VIEW_ITEMS);
    // Whole items: each listed one on every channel it waits on.
    for (const channels of items.values()) expect(channels.sort()).toEqual(['bsky', 'x']);
    // The first items of the whole queue, in its order.
    const whole = (await get('view=queue&items=5000')).body;
    expect(whole.moreItems).toBe(0);
    const firstKeys = [...new Set(whole.deliveries!.map((d) => `${d.sourceId}:${d.itemId}`))].slice(0, QUEUE_VIEW_ITEMS);
    expect([...items.keys()]).toEqual(firstKeys);
    expect(whole.deliveries!.filter((d) => items.has(`${d.sourceId}:${d.itemId}`)).map((d) => d.id)).toEqual(first.deliveries!.map((d) => d.id));

    expect((await get('view=queue&items=0')).status).toBe(400);
    expect((await get('view=queue&items=5001')).body).toMatchObject({ field: 'items' });
  });
});

/** A PNG of noise: it does not compress, so its size is about width × height × 3 bytes. */
const noisePng = (side: number) => sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).png().toBuffer();

describe('the uploads folder', () => {
  let api: EditorApi;
  const dir = tempDir('threadcast-uploads-quota-');
  const config = ConfigSchema.parse({
    store: `sqlite:${path.join(dir, 'state.sqlite')}`,
    server: { port: 0 },
    dryRun: true,
    editor: { uploadsMaxMiB: 1 },
    channels: [{ id: 'bsky', platform: 'bluesky' }],
  });
  const upload = (bytes: Buffer) => {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'noise.png');
    return fetch(new URL('/api/uploads', api.server.url), { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: form });
  };
  const folderBytes = () => readdirSync(uploadsDir(config)).reduce((sum, name) => sum + statSync(path.join(uploadsDir(config), name)).size, 0);

  beforeAll(async () => {
    api = await startEditorApi(config, TOKEN);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('takes images up to editor.uploadsMaxMiB, then refuses with 507 and says why', async () => {
    const image = await noisePng(340);
    expect(image.length).toBeGreaterThan(300 * 1024);
    expect((await upload(image)).status).toBe(201);
    expect((await upload(image)).status).toBe(201);
    expect((await upload(image)).status).toBe(201);
    const refused = await upload(image);
    expect(refused.status).toBe(507);
    expect(await refused.json()).toMatchObject({ field: 'image', error: expect.stringContaining('editor.uploadsMaxMiB') });
    expect(folderBytes()).toBeLessThanOrEqual(1024 * 1024);

    // A drop file's image is a copy in the same folder, and is refused the same way, named where the file named it.
    const drops = tempDir('threadcast-uploads-quota-drops-');
    await sharp(image).toFile(path.join(drops, 'poster.png'));
    const err = await api.app.editorQueue.add({ text: 'Poster.', image: 'poster.png', alt: 'A poster' }, { where: 'news/poster.md', images: { within: drops } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EditorError);
    expect(err).toMatchObject({ kind: 'full', field: 'image', message: expect.stringMatching(/^news\/poster\.md: image: the uploads folder holds/) });
    expect(folderBytes()).toBeLessThanOrEqual(1024 * 1024);
  });

  it('leaves a drop file for the next scan while the folder is full, with no .error to fix', async () => {
    const drops = tempDir('threadcast-uploads-quota-folder-');
    await sharp(await noisePng(340)).toFile(path.join(drops, 'poster.png'));
    writeFileSync(path.join(drops, 'poster.md'), '---\nimage: poster.png\nalt: A poster\n---\nThe poster for the fair.\n');
    utimesSync(path.join(drops, 'poster.md'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const log = pino({ level: 'silent' });
    const full = await scanEditorFolder(drops, api.app.editorQueue, log, { settleMs: 0 });
    expect(full.failed).toMatchObject([{ message: expect.stringContaining('editor.uploadsMaxMiB') }]);
    expect(existsSync(path.join(drops, 'poster.md.error'))).toBe(false);
    // Room made (the operator removed old images): the same file, untouched, is queued by the next scan.
    for (const name of readdirSync(uploadsDir(config))) rmSync(path.join(uploadsDir(config), name));
    const after = await scanEditorFolder(drops, api.app.editorQueue, log, { settleMs: 0 });
    expect(after.queued).toHaveLength(1);
  });

  it(`takes at most ${MAX_UPLOADS_IN_FLIGHT} uploads at once`, async () => {
    const url = new URL(api.server.url);
    // Uploads whose bodies never finish: each holds its place while it waits for the rest.
    const boundary = 'held-upload-boundary';
    const held = Array.from({ length: MAX_UPLOADS_IN_FLIGHT }, () => {
      const socket = net.connect(Number(url.port), url.hostname);
      socket.on('error', () => undefined);
      socket.write(
        `POST /api/uploads HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${TOKEN}\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 1000000\r\n\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG`,
      );
      return socket;
    });
    try {
      // Let the server start handling each of them.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const busy = await upload(await noisePng(8));
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('2');
    } finally {
      for (const socket of held) socket.destroy();
    }
    // Once they are gone, uploads are taken again (this one small enough for the full folder's last bytes).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await upload(await noisePng(8))).status).not.toBe(503);
  });
});
