/**
 * A drop file saved again while a scan queues it (an editor's atomic save: a new file renamed over the old one). The
 * scan cannot mark the new version as queued, so the next scan queues it, under an id of its own. Protects: once
 * another version is queued, the one queued before is cancelled, so only the last one goes out; a save back to the
 * very text queued (same bytes, same id) cancels nothing and is posted once; so does a save that changed nothing.
 * Real store, outbox, editor queue and files; the save happens inside the real queue's add, where an editor's save
 * would land.
 */
import { renameSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EditorQueue } from '../../src/outbox/editor-queue.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { scanEditorFolder, type AnnouncementQueue } from '../../src/sources/editor-folder.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function setup() {
  const config = ConfigSchema.parse({ store: `sqlite:${path.join(tempDir('threadcast-resave-state-'), 'state.sqlite')}`, dryRun: true, channels: [{ id: 'bsky', platform: 'bluesky' }] });
  const store = await openStore(config.store);
  stores.push(store);
  const queue = new EditorQueue(config, store, new Outbox(store, { owner: 'test', retry: config.retry, log: pino({ level: 'silent' }) }));
  const dir = tempDir('threadcast-resave-');
  const file = path.join(dir, 'market.md');
  /** An editor's save: the new text written beside the file, then renamed over it. */
  const save = (text: string) => {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };
  /** The real queue; `during` runs once, right after the first add, before the scan marks the file. */
  const queueWith = (during: () => void): AnnouncementQueue => {
    let once = true;
    return {
      add: async (input, opts) => {
        const added = await queue.add(input, opts);
        if (once) {
          once = false;
          during();
        }
        return added;
      },
      supersededVersion: (file) => queue.supersededVersion(file),
      setSupersededVersion: (file, id) => queue.setSupersededVersion(file, id),
      withdraw: (id, reason) => queue.withdraw(id, reason),
    };
  };
  const scan = (q: AnnouncementQueue) => scanEditorFolder(dir, q, pino({ level: 'silent' }), { settleMs: 20 });
  const waiting = async () => (await store.listDeliveries()).filter((d) => d.state !== 'cancelled').map((d) => d.item.summary);
  return { queue, save, queueWith, scan, waiting, store, file };
}

describe('a drop file saved again while it is queued', () => {
  it('goes out once, as saved last', async () => {
    const { save, queueWith, scan, waiting, store, queue } = await setup();
    save('The winter market opens on Saturday at ten.');
    const first = await scan(queueWith(() => save('The winter market opens on SUNDAY at ten.')));
    expect(first.skipped).toMatchObject([{ reason: 'saved-while-queued' }]);
    // Until another version is queued, the first stands.
    expect(await waiting()).toEqual(['The winter market opens on Saturday at ten.']);
    const second = await scan(queue);
    expect(second.queued).toHaveLength(1);
    expect(await waiting()).toEqual(['The winter market opens on SUNDAY at ten.']);
    expect((await store.listDeliveries()).map((d) => d.state).sort()).toEqual(['cancelled', 'queued']);
  });

  it('goes out once when the last save brings back the text first queued', async () => {
    const { save, queueWith, scan, waiting, queue, store } = await setup();
    save('The winter market opens on Saturday at ten.');
    const first = await scan(queueWith(() => save('The winter market opens on SUNDAY at ten.')));
    expect(first.skipped).toMatchObject([{ reason: 'saved-while-queued' }]);
    // Undone before the next scan: the file holds the first text again.
    save('The winter market opens on Saturday at ten.');
    const second = await scan(queue);
    expect(second.skipped).toMatchObject([{ reason: 'already-queued' }]);
    expect(await waiting()).toEqual(['The winter market opens on Saturday at ten.']);
    expect((await store.listDeliveries()).map((d) => d.state)).toEqual(['queued']);
  });

  it('keeps the last of several saves, each during a scan', async () => {
    const { save, queueWith, scan, waiting, queue } = await setup();
    save('Version one.');
    await scan(queueWith(() => save('Version two.')));
    await scan(queueWith(() => save('Version three.')));
    expect((await scan(queue)).queued).toHaveLength(1);
    expect(await waiting()).toEqual(['Version three.']);
  });

  it('goes out once, as saved last, when the save writes into the file in place', async () => {
    const { queueWith, scan, waiting, queue, file } = await setup();
    writeFileSync(file, 'The winter market opens on Saturday at ten.');
    utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    // Same inode, new text and time: what nano or `echo >` does.
    const first = await scan(queueWith(() => writeFileSync(file, 'The winter market opens on SUNDAY at ten.')));
    expect(first.skipped).toMatchObject([{ reason: 'saved-while-queued' }]);
    expect((await scan(queue)).queued).toHaveLength(1);
    expect(await waiting()).toEqual(['The winter market opens on SUNDAY at ten.']);
  });

  it('goes out once, as saved last, when the save in place keeps the length and the modification time', async () => {
    const { queueWith, scan, waiting, queue, file } = await setup();
    writeFileSync(file, 'The winter market opens on Saturday at ten.');
    const then = new Date(Date.now() - 60_000);
    utimesSync(file, then, then);
    // A tool that puts the time back (or a file system whose clock ticks coarser than the two writes): only the
    // bytes tell the two versions apart.
    const rewrite = () => {
      writeFileSync(file, 'The winter market opens on Thursday at 9.0.');
      utimesSync(file, then, then);
    };
    const first = await scan(queueWith(rewrite));
    expect(first.skipped).toMatchObject([{ reason: 'saved-while-queued' }]);
    expect((await scan(queue)).queued).toHaveLength(1);
    expect(await waiting()).toEqual(['The winter market opens on Thursday at 9.0.']);
  });

  it('is queued once when the save changed nothing', async () => {
    const { save, queueWith, scan, waiting, queue } = await setup();
    save('The winter market opens on Saturday at ten.');
    const first = await scan(queueWith(() => save('The winter market opens on Saturday at ten.')));
    expect(first.skipped).toMatchObject([{ reason: 'saved-while-queued' }]);
    const second = await scan(queue);
    expect(second.skipped).toMatchObject([{ reason: 'already-queued' }]);
    expect(await waiting()).toEqual(['The winter market opens on Saturday at ten.']);
  });
});
