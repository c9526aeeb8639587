import type { ChannelConfig } from '../config/schema.js';
import type { ComposedThread, Delivery } from '../core/delivery.js';
import type { Item } from '../core/item.js';
import { composeForChannel } from './compose-for-channel.js';
import type { AccountCheck, PublishContext, Publisher } from './publisher.js';

/**
 * A channel's publisher, built by its kit the first time something is sent, reconciled or checked. Composing
 * needs only the kit's rules, so a process that only composes (a dry-run, a preview, a queue listing) never
 * loads the network's client library. A build that fails is thrown by every call, as the call's own failure.
 */
export class LazyPublisher implements Publisher {
  readonly dryRun = false;
  readonly channelId: string;
  readonly platform: string;
  private built: Promise<Publisher> | undefined;

  constructor(
    private readonly channel: ChannelConfig,
    private readonly build: () => Promise<Publisher>,
  ) {
    this.channelId = channel.id;
    this.platform = channel.platform;
  }

  private live(): Promise<Publisher> {
    return (this.built ??= this.build());
  }

  compose(item: Item): ComposedThread {
    return composeForChannel(item, this.channel);
  }

  async publish(delivery: Delivery, thread: ComposedThread, ctx: PublishContext) {
    return (await this.live()).publish(delivery, thread, ctx);
  }

  async reconcile(delivery: Delivery, ctx: PublishContext) {
    return (await this.live()).reconcile(delivery, ctx);
  }

  async checkAccount(): Promise<AccountCheck> {
    const publisher = await this.live();
    if (publisher.checkAccount) return publisher.checkAccount();
    return { ok: false, problem: 'other', detail: `the ${this.platform} publisher has no account check`, fix: 'see the platform kit' };
  }

  async close(): Promise<void> {
    // Nothing was built, nothing is open.
    const publisher = await this.built?.catch(() => undefined);
    await publisher?.close?.();
  }
}
