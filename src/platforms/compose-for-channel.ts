import type { ComposedThread } from '../core/delivery.js';
import type { Item } from '../core/item.js';
import type { ChannelConfig } from '../config/schema.js';
import { composeForBluesky, composeForX } from '../compose/index.js';

/**
 * The one compose entry point for a channel: preview, the editor page and the publisher all call it,
 * so what an editor sees is what followers get.
 */
export function composeForChannel(item: Item, channel: Pick<ChannelConfig, 'platform' | 'template'>): ComposedThread {
  const parts = channel.platform === 'x' ? composeForX(item, channel.template) : composeForBluesky(item, channel.template);
  return { platform: channel.platform, parts };
}
