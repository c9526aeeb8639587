/**
 * What one editor's requests may cost the process. A preview that named one channel twenty thousand times composed
 * it as often (minutes of a blocked event loop for one 256 KiB request), and the queue view, which the page asks for
 * every few seconds, composed every waiting delivery again each time, synchronously. Protects: a preview composes
 * each channel once and names at most a few unknown channels in its error; the queue view keeps what it composed
 * until the delivery changes, and lets the event loop turn while it composes. Real store, app and HTTP server.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { queueViews } from '../../src/server/delivery-view.js';
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
    const viewOf = async () => (await queueViews(config, api.store)).find((v) => v.id === id)!;
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
      const views = await queueViews(config, api.store);
      const during = ticks;
      expect(views.length).toBeGreaterThanOrEqual(80);
      expect(during).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
  });
});
