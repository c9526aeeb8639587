/**
 * The uploads folder does not grow for ever: an image uploaded for a draft that was never queued, or a drop file's
 * image copied twice because a crash came between the copy and the queueing, is removed once no delivery names it
 * and a week has passed since it was made or last named. Protects: an image a delivery names is never removed,
 * whatever its age or the delivery's state; nothing but the server's own upload files is touched. Real store,
 * outbox, editor queue and files.
 */
import { mkdirSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EditorQueue } from '../../src/outbox/editor-queue.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { ABANDONED_UPLOAD_MS, removeAbandonedUploads, storeUpload } from '../../src/store/uploads.js';
import { tempDir } from '../support/cli.js';
import { solidPng } from '../media/helpers.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

const DAY = 24 * 60 * 60 * 1000;
const age = (file: string, ms: number) => {
  const then = new Date(Date.now() - ms);
  utimesSync(file, then, then);
};

describe('removeAbandonedUploads', () => {
  it('removes only old server-named files that nothing names', async () => {
    const dir = tempDir('threadcast-uploads-');
    const png = await solidPng(8, 8);
    const [oldUnnamed, oldNamed, newUnnamed] = [await storeUpload(dir, png, Infinity), await storeUpload(dir, png, Infinity), await storeUpload(dir, png, Infinity)];
    for (const { id } of [oldUnnamed, oldNamed]) age(path.join(dir, id), ABANDONED_UPLOAD_MS + DAY);
    age(path.join(dir, newUnnamed.id), ABANDONED_UPLOAD_MS - DAY);
    // Not ours: another name, a folder and a link with an upload's name, all old.
    writeFileSync(path.join(dir, 'notes.txt'), 'kept');
    age(path.join(dir, 'notes.txt'), 30 * DAY);
    mkdirSync(path.join(dir, `${'a'.repeat(32)}.png`));
    symlinkSync(path.join(dir, oldNamed.id), path.join(dir, `${'b'.repeat(32)}.png`));

    const removed = await removeAbandonedUploads(dir, new Set([oldNamed.id]), Date.now());
    expect(removed).toEqual([oldUnnamed.id]);
    expect(readdirSync(dir).sort()).toEqual([oldNamed.id, newUnnamed.id, 'notes.txt', `${'a'.repeat(32)}.png`, `${'b'.repeat(32)}.png`].sort());
  });

  it('does nothing when there is no uploads folder yet', async () => {
    expect(await removeAbandonedUploads(path.join(tempDir('threadcast-uploads-none-'), 'uploads'), new Set(), Date.now())).toEqual([]);
  });
});

describe('EditorQueue.removeAbandonedUploads', () => {
  it('keeps every image a delivery names, in any state, and removes the rest once a week old', async () => {
    const stateDir = tempDir('threadcast-uploads-queue-');
    const config = ConfigSchema.parse({ store: `sqlite:${path.join(stateDir, 'state.sqlite')}`, dryRun: true, channels: [{ id: 'bsky', platform: 'bluesky' }] });
    const store = await openStore(config.store);
    stores.push(store);
    const outbox = new Outbox(store, { owner: 'test', retry: config.retry, log: pino({ level: 'silent' }) });
    const queue = new EditorQueue(config, store, outbox);
    const uploads = path.join(stateDir, 'uploads');
    const png = await solidPng(8, 8);

    // Uploaded two weeks ago and queued only now: queueing it renews its time, so a sweep that read the deliveries
    // just before the queueing still finds it new.
    const late = await storeUpload(uploads, png, Infinity);
    age(path.join(uploads, late.id), 2 * ABANDONED_UPLOAD_MS);
    const queued = await queue.add({ text: 'An announcement with an old upload.', image: late.id, alt: 'A square' }, { where: 'test', images: { within: uploads } });
    expect(Date.now() - statSync(path.join(uploads, late.id)).mtimeMs).toBeLessThan(60_000);
    expect(await removeAbandonedUploads(uploads, new Set(), Date.now())).toEqual([]);
    // Queued and then cancelled: still named by its delivery (the history shows it).
    const cancelledUpload = await storeUpload(uploads, png, Infinity);
    const cancelled = await queue.add({ text: 'Cancelled later.', image: cancelledUpload.id, alt: 'A square' }, { where: 'test', images: { within: uploads } });
    expect((await queue.cancel(cancelled.deliveries[0]!.id)).map((d) => d.state)).toEqual(['cancelled']);
    // A draft's upload, never queued.
    const draft = await storeUpload(uploads, png, Infinity);
    for (const id of [late.id, cancelledUpload.id, draft.id]) age(path.join(uploads, id), ABANDONED_UPLOAD_MS + DAY);

    expect(queued.deliveries).toHaveLength(1);
    expect(await queue.removeAbandonedUploads()).toEqual([draft.id]);
    expect(readdirSync(uploads).sort()).toEqual([late.id, cancelledUpload.id].sort());
  });
});
