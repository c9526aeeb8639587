/**
 * POST /api/deliveries/:id/retract over real HTTP, with the app's real outbox and the X stand-in: an announcement
 * published by the app is deleted on X, the History says so, and what cannot be retracted answers 409 with why.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { tempDir } from '../support/cli.js';
import { startEditorApi, type EditorApi } from '../support/editor-api.js';
import { startXEmulator, type XEmulator } from '../support/x-emulator/index.js';

const TOKEN = 'editor-token-0123456789abcdef';

let x: XEmulator;
let editor: EditorApi;
beforeAll(async () => {
  x = await startXEmulator();
  const user = x.addOAuth1User({ username: 'retractapi' });
  const config = ConfigSchema.parse({
    store: `sqlite:${path.join(tempDir('threadcast-retract-api-'), 'state.sqlite')}`,
    server: { port: 0 },
    channels: [{ id: 'x', platform: 'x', apiBase: x.url, appKey: user.appKey, appSecret: user.appSecret, accessToken: user.accessToken, accessSecret: user.accessSecret, template: { maxParts: 3 } }],
  });
  editor = await startEditorApi(config, TOKEN);
});
afterAll(async () => {
  await editor?.close();
  await x?.stop();
});

const post = (route: string) =>
  fetch(new URL(route, editor.server.url), { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{}' });

interface View {
  state: string;
  history: Array<{ event: string; detail?: string }>;
}

describe('POST /api/deliveries/:id/retract', () => {
  it('deletes the published thread on X, answers the delivery retracted, and refuses a second retract with the reason', async () => {
    const text = Array.from({ length: 6 }, (_, i) => `Point ${i + 1} of the council's answer on the new cycle lanes, with the dates each street closes for the works.`).join(' ');
    const added = await fetch(new URL('/api/announcements', editor.server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    expect(added.status).toBe(201);
    const [queued] = ((await added.json()) as { deliveries: Array<{ id: string }> }).deliveries;
    await editor.app.cycle();
    const ids = (await editor.store.getDelivery(queued!.id))!.posts.map((p) => p.id);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(x.posts().map((p) => p.id)).toEqual(ids);

    const route = `/api/deliveries/${encodeURIComponent(queued!.id)}/retract`;
    const res = await post(route);
    expect(res.status).toBe(200);
    const { delivery } = (await res.json()) as { delivery: View };
    expect(delivery.state).toBe('retracted');
    expect(delivery.history.at(-1)).toMatchObject({ event: 'retracted', detail: `${ids.length} post(s) deleted` });
    expect(x.posts()).toEqual([]);

    const again = await post(route);
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: `delivery ${queued!.id} cannot be retracted: it was retracted already` });
    expect((await post('/api/deliveries/nope/retract')).status).toBe(404);
  });
});
