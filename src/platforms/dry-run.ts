import type { Writable } from 'node:stream';
import type { ChannelConfig } from '../config/schema.js';
import type { ComposedThread, Delivery, PostRef } from '../core/delivery.js';
import type { Item } from '../core/item.js';
import { terminalLine, terminalText } from '../core/terminal-text.js';
import { composeForChannel } from './compose-for-channel.js';
import { imageLine } from './image-line.js';
import type { PublishContext, Publisher, ReconcileResult } from './publisher.js';

/**
 * Stands in for a platform: prints the thread a follower would see and records it as published,
 * so state, dedup and the outbox behave exactly as they will with a real account.
 */
export class DryRunPublisher implements Publisher {
  readonly dryRun = true;
  readonly channelId: string;
  readonly platform: string;

  constructor(
    private readonly channel: ChannelConfig,
    private readonly out: Writable,
  ) {
    this.channelId = channel.id;
    this.platform = channel.platform;
  }

  compose(item: Item): ComposedThread {
    return composeForChannel(item, this.channel);
  }

  async publish(delivery: Delivery, thread: ComposedThread, ctx: PublishContext): Promise<PostRef[]> {
    const posts = [...delivery.posts];
    for (let i = posts.length; i < thread.parts.length; i++) {
      const post = { id: `dry-run:${delivery.id}:${i + 1}` };
      await ctx.recordPost(post);
      posts.push(post);
    }
    this.out.write(renderThread(this.channelId, this.platform, delivery, thread));
    return posts;
  }

  async reconcile(delivery: Delivery): Promise<ReconcileResult> {
    // Nothing left the process: whatever was recorded is all there is.
    return delivery.posts.length > 0 ? { status: 'published', posts: delivery.posts } : { status: 'resume' };
  }
}

export function renderThread(channelId: string, platform: string, delivery: Delivery, thread: ComposedThread): string {
  // The item's text comes from outside (a feed, an editor, an old store): nothing in it may act on the terminal.
  const title = terminalLine(delivery.item.title ?? delivery.item.url ?? delivery.item.id);
  const lines = [`\n── ${channelId} (${platform}, dry-run) ── ${delivery.sourceId}: ${title}`];
  thread.parts.forEach((part, i) => {
    const body = part.text.split('\n').map((l) => `   │ ${terminalText(l)}`);
    lines.push(`  [${i + 1}/${thread.parts.length}]`, ...body);
    // Every platform attaches the images to the first part, so they are recorded there.
    if (i === 0) lines.push(...delivery.item.images.map((image) => `   │ ${imageLine(image)}`));
  });
  return `${lines.join('\n')}\n`;
}
