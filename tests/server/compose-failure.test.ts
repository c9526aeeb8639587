/**
 * The editor API lists and previews many threads at once. One announcement that cannot be composed on one
 * channel (its link is too long for any X post) is shown there with the reason, and everything else (its
 * other channel, the rest of the queue) is still answered. Real server, real outbox, dry-run channels.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { tempDir } from '../support/cli.js';
import { startEditorApi, type EditorApi } from '../support/editor-api.js';

const TOKEN = 'editor-token-0123456789abcdef';
// twitter-text does not read 5000 characters as one URL, so on X the link weighs its full length, over any post.
const UNPOSTABLE_URL = `https://example.org/${'a'.repeat(5000)}`;
const REASON = 'compose: the link and counter alone do not fit in a part';

let editor: EditorApi;

beforeAll(async () => {
  const config = ConfigSchema.parse({
    store: `sqlite:${path.join(tempDir('threadcast-compose-failure-'), 'state.sqlite')}`,
    server: { port: 0 },
    channels: [
      // No link card: it would fetch the (unreachable) page.
      { id: 'bsky', platform: 'bluesky', dryRun: true, cards: false },
      { id: 'x', platform: 'x', dryRun: true },
    ],
  });
  editor = await startEditorApi(config, TOKEN);
});

afterAll(async () => {
  await editor?.close();
});

async function api<T>(route: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(new URL(route, editor.server.url), {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as T };
}

interface View {
  channelId: string;
  itemId: string;
  state: string;
  reason: string | null;
  parts: Array<{ text: string }>;
  composeProblem: string | null;
}

describe('an announcement that cannot be composed on one channel', () => {
  it('is previewed as failed there, with the reason, and as usual on the other channel', async () => {
    const { status, json } = await api<{ channels: Array<{ channelId: string; parts: unknown[]; composeProblem: string | null }> }>('/api/preview', { text: 'The fair moved indoors.', url: UNPOSTABLE_URL });
    expect(status).toBe(200);
    const byChannel = new Map(json.channels.map((c) => [c.channelId, c]));
    expect(byChannel.get('x')).toMatchObject({ parts: [], composeProblem: REASON });
    expect(byChannel.get('bsky')!.composeProblem).toBeNull();
    expect(byChannel.get('bsky')!.parts).toHaveLength(1);
  });

  it('is queued and listed with the reason beside the rest of the queue, then kept dead while the others go out', async () => {
    const first = await api<{ deliveries: View[] }>('/api/announcements', { text: 'Stalls open at ten.' });
    const bad = await api<{ deliveries: View[] }>('/api/announcements', { text: 'The fair moved indoors.', url: UNPOSTABLE_URL });
    const last = await api<{ deliveries: View[] }>('/api/announcements', { text: 'The bake sale starts at noon.' });
    expect([first.status, bad.status, last.status]).toEqual([201, 201, 201]);
    const badItem = bad.json.deliveries[0]!.itemId;

    const queue = await api<{ deliveries: View[] }>('/api/deliveries?view=queue');
    expect(queue.status).toBe(200);
    expect(queue.json.deliveries).toHaveLength(6);
    for (const d of queue.json.deliveries) {
      if (d.itemId === badItem && d.channelId === 'x') expect(d).toMatchObject({ parts: [], composeProblem: REASON });
      else expect(d, `${d.channelId} ${d.itemId}`).toMatchObject({ composeProblem: null, parts: [expect.objectContaining({ text: expect.any(String) })] });
    }

    await editor.app.publishAll();
    const history = await api<{ deliveries: View[] }>('/api/deliveries?view=history');
    expect(history.status).toBe(200);
    const states = history.json.deliveries.map((d) => `${d.channelId} ${d.itemId === badItem ? 'bad' : 'ok'} ${d.state}`).sort();
    expect(states).toEqual(['bsky bad published', 'bsky ok published', 'bsky ok published', 'x bad dead', 'x ok published', 'x ok published']);
    const dead = history.json.deliveries.find((d) => d.state === 'dead')!;
    expect(dead.reason).toBe(`could not compose: ${REASON}`);
  });
});
