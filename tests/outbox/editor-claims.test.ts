/**
 * An editor's action and the publisher never run on one delivery at once. In `run`, the editor queue and the
 * publisher share one Outbox, and a claim lets its own owner back in: an editor's cancel or edit could then run while
 * the publisher held the delivery (answered as done, and the original thread posted anyway), and a refused one
 * released the publisher's claim, so another instance could take over a thread being sent. Protects: while the
 * publisher holds a delivery, every editor action (and a feed update) is refused or skipped and leaves the claim with
 * the publisher; once it lets go, the action goes through. On SQLite and on a real redis-server.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EditorError } from '../../src/core/errors.js';
import { EditorQueue } from '../../src/outbox/editor-queue.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { newClaimOwner } from '../../src/store/claim-owner.js';
import { openStore } from '../../src/store/open-store.js';
import { REDIS_SERVER, storeBackends } from '../support/redis.js';

const backends = storeBackends(60, 'threadcast-editor-claims-');

const LEASE_MS = 10 * 60 * 1000;

for (const backend of backends) {
  describe.skipIf(backend.name === 'redis' && !REDIS_SERVER)(`editor actions under the publisher's claim (${backend.name})`, () => {
    async function setup(review = false) {
      const url = await backend.fresh();
      const config = ConfigSchema.parse({ store: url, dryRun: true, editor: { review }, channels: [{ id: 'bsky', platform: 'bluesky' }] });
      const store = await openStore(config.store);
      // As in App: one outbox, its owner the publisher's, shared with the editor queue.
      const owner = newClaimOwner();
      const outbox = new Outbox(store, { owner, retry: config.retry, log: pino({ level: 'silent' }) });
      const queue = new EditorQueue(config, store, outbox);
      const { item, deliveries } = await queue.add({ text: 'The harbour fair opens on Saturday at ten.' }, { where: 'test' });
      const id = deliveries[0]!.id;
      // What publishDue does first for a due delivery: the publisher now holds it.
      expect(await store.claimDelivery(id, owner, LEASE_MS, Date.now())).toBe(true);
      return { store, outbox, queue, owner, id, item };
    }

    it('refuses cancel, edit and hold while the publisher holds the delivery, and leaves it the claim', async () => {
      const { store, queue, owner, id } = await setup();
      try {
        const refused = async (action: () => Promise<unknown>) => {
          const err = await action().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(EditorError);
          expect((err as EditorError).kind).toBe('conflict');
          expect(await store.claimHolder(id, Date.now())).toBe(owner);
        };
        await refused(() => queue.cancel(id));
        await refused(() => queue.edit(id, { text: 'Changed while it was being sent.' }, 'test'));
        await refused(() => queue.hold(id));
        const delivery = (await store.getDelivery(id))!;
        expect(delivery.state).toBe('queued');
        expect(delivery.item.summary).toBe('The harbour fair opens on Saturday at ten.');
        expect(delivery.history.map((h) => h.event)).toEqual(['queued']);

        // The publisher lets go: the editor's action goes through.
        await store.releaseDelivery(id, owner);
        expect((await queue.cancel(id)).map((d) => d.state)).toEqual(['cancelled']);
        expect(await store.claimHolder(id, Date.now())).toBeUndefined();
      } finally {
        await store.close();
      }
    });

    it('refuses approve on a held delivery the publisher holds', async () => {
      const { store, queue, owner, id } = await setup(true);
      try {
        await expect(queue.approve(id)).rejects.toMatchObject({ kind: 'conflict' });
        expect((await store.getDelivery(id))!.state).toBe('held');
        expect(await store.claimHolder(id, Date.now())).toBe(owner);
      } finally {
        await store.close();
      }
    });

    it("skips a feed item's update while the publisher holds its delivery, and leaves it the claim", async () => {
      const { store, outbox, owner, id, item } = await setup();
      try {
        expect(await outbox.applyUpdate({ ...item, summary: 'Changed at the source.', contentHash: 'changed' }, 'bsky')).toBe(false);
        expect((await store.getDelivery(id))!.item.summary).toBe('The harbour fair opens on Saturday at ten.');
        expect(await store.claimHolder(id, Date.now())).toBe(owner);
      } finally {
        await store.close();
      }
    });
  });
}
