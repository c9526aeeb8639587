import type { Logger } from 'pino';
import type { ChannelConfig, Config } from '../config/schema.js';
import { RETRACTABLE_STATES } from '../core/delivery-states.js';
import type { Delivery } from '../core/delivery.js';
import { EditorError } from '../core/errors.js';
import { dryRunReason } from '../platforms/create-publisher.js';
import { kitFor } from '../platforms/index.js';
import type { RetractReport } from '../platforms/kit.js';
import type { Store } from '../store/store.js';

export type { RetractReport } from '../platforms/kit.js';

/** What a retract reads of the config: the channels and their credentials, and what their clients are built with. */
export type RetractConfig = Pick<Config, 'channels' | 'dryRun' | 'web' | 'secretKey'>;

/** The deletes a retract runs, once the delivery was found fit for it. */
export type RetractRun = () => Promise<RetractReport>;

/**
 * Whether a delivery's thread can be deleted, and how: the platform side of `threadcast retract`. The outbox
 * (Outbox.retract) records what comes of it; this decides, before anything is deleted, what cannot be — a
 * delivery that never went out, a dry run, a channel that may not post now, a platform without deletes, or a
 * part whose id was never learned — and says why.
 */
export class Retraction {
  constructor(
    private readonly config: RetractConfig,
    private readonly deps: { store: Store; log: Logger },
  ) {}

  /** The deletes to run for `d`; throws an EditorError (conflict) saying why there are none. */
  plan(d: Delivery): RetractRun {
    const refuse = (why: string) => new EditorError('conflict', `delivery ${d.id} cannot be retracted: ${why}`);
    if (d.state === 'retracted') throw refuse('it was retracted already');
    if (!RETRACTABLE_STATES.includes(d.state)) throw refuse(`it is ${d.state}; only a published thread can be retracted`);
    if (d.dryRun) throw refuse('it was a dry run, so nothing was posted and there is nothing to delete');
    if (d.posts.length === 0) throw refuse('no post of it is recorded, so there is nothing to delete');
    const channel: ChannelConfig | undefined = this.config.channels.find((c) => c.id === d.channelId);
    if (!channel) throw refuse(`channel ${d.channelId} is no longer configured, so there are no credentials to delete with`);
    const kit = kitFor(channel);
    if (!kit.retract) throw refuse(`${kit.title} offers no way to delete posts`);
    const offline = dryRunReason(channel, this.config.dryRun);
    if (offline) throw refuse(`channel ${channel.id} may not reach ${kit.title} now (${offline})`);
    const unnamed = kit.retract.refusal(d.posts);
    if (unnamed) throw refuse(unnamed);
    const { web, secretKey } = this.config;
    const deps = { web, store: this.deps.store, log: this.deps.log.child({ channel: channel.id, delivery: d.id }), ...(secretKey ? { secretKey } : {}) };
    const retract = kit.retract;
    return () => retract.deletePosts(channel, d.posts, deps);
  }
}

/** The history entry of a finished retract, e.g. "3 post(s) deleted" or "2 post(s) deleted, 1 already gone". */
export function describeRetract(report: RetractReport): string {
  const gone = report.alreadyGone > 0 ? `, ${report.alreadyGone} already gone` : '';
  return `${report.deleted} post(s) deleted${gone}`;
}

/**
 * The deliveries a retract of `id` reaches: the delivery it names, or with `all` every delivery of the same item or
 * announcement, on every channel (`id` may then be the announcement id too).
 */
export async function deliveriesToRetract(store: Store, id: string, all: boolean): Promise<Delivery[]> {
  const direct = await store.getDelivery(id);
  if (!all) {
    if (!direct) throw new EditorError('not-found', `no delivery with id ${id} (give --all for an announcement or item id)`);
    return [direct];
  }
  const [sourceId, itemId] = direct ? [direct.sourceId, direct.itemId] : [undefined, id];
  const same = (await store.listDeliveries()).filter((d) => d.itemId === itemId && (sourceId === undefined || d.sourceId === sourceId));
  if (same.length === 0) throw new EditorError('not-found', `no delivery or announcement with id ${id}`);
  return same;
}
