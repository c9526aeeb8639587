/**
 * Image uploads through the editor API over real HTTP: only images, told by their bytes; stored under a name the
 * server makes, in the uploads folder beside the store; an announcement names an upload by that id and nothing
 * else; the upload needs the token and a same-origin request like every other change.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { tempDir } from '../support/cli.js';
import { startEditorApi, type EditorApi } from '../support/editor-api.js';

const TOKEN = 'editor-token-uploads-0123456789';
let editor: EditorApi;
let dir: string;

beforeAll(async () => {
  dir = tempDir('threadcast-uploads-');
  const config = ConfigSchema.parse({
    store: `sqlite:${path.join(dir, 'state.sqlite')}`,
    dryRun: true,
    server: { port: 0 },
    channels: [{ id: 'bsky', platform: 'bluesky' }],
  });
  editor = await startEditorApi(config, TOKEN);
});

afterAll(async () => {
  await editor?.close();
});

function upload(bytes: Buffer, name: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), name);
  return fetch(new URL('/api/uploads', editor.server.url), { method: 'POST', headers, body: form });
}

function json(route: string, body: unknown) {
  return fetch(new URL(route, editor.server.url), { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('image uploads', () => {
  it('says an upload id names no file when nothing was uploaded yet', async () => {
    const res = await json('/api/announcements', { text: 'Poster.', image: `${'a'.repeat(32)}.png`, alt: 'A poster' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'image', error: expect.stringContaining('no such file') });
  });

  it('stores a real image under a server-made name beside the store, and an announcement takes its id with alt text', async () => {
    const png = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#336699' } }).png().toBuffer();
    const res = await upload(png, '../../evil name.png');
    expect(res.status).toBe(201);
    const { image } = (await res.json()) as { image: { id: string; type: string; bytes: number } };
    expect(image).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}\.png$/), type: 'image/png', bytes: png.length });
    const uploads = path.join(dir, 'uploads');
    expect(readdirSync(uploads)).toContain(image.id);
    expect(readFileSync(path.join(uploads, image.id)).equals(png)).toBe(true);
    expect(existsSync(path.join(dir, 'evil name.png'))).toBe(false);

    const thumb = await fetch(new URL(`/api/uploads/${image.id}`, editor.server.url), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toMatch(/^image\/(png|jpeg)$/);

    expect((await json('/api/announcements', { text: 'Poster for the fair.', image: image.id })).status).toBe(400);
    const added = await json('/api/announcements', { text: 'Poster for the fair.', image: image.id, alt: 'A blue poster' });
    expect(added.status).toBe(201);
    const { deliveries } = (await added.json()) as { deliveries: Array<{ id: string; images: Array<{ alt: string }> }> };
    expect(deliveries[0]!.images).toEqual([{ alt: 'A blue poster' }]);
    const rowThumb = await fetch(new URL(`/api/deliveries/${encodeURIComponent(deliveries[0]!.id)}/images/0`, editor.server.url), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(rowThumb.status).toBe(200);
  });

  it('refuses what is not an image by its bytes, paths for ids, and uploads without the token', async () => {
    const text = await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'fake.png');
    expect(text.status).toBe(400);
    expect(await text.json()).toMatchObject({ field: 'image' });
    for (const image of ['../state.sqlite', '/etc/passwd', 'deadbeef.png']) {
      const res = await json('/api/announcements', { text: 'Sneaky.', image, alt: 'x' });
      expect(res.status, image).toBe(400);
    }
    expect((await fetch(new URL('/api/uploads/..%2Fstate.sqlite', editor.server.url), { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer();
    expect((await upload(png, 'a.png', {})).status).toBe(401);
    expect((await upload(png, 'a.png', { authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example' })).status).toBe(403);
  });
});
