import type { ComposedThread } from '../core/delivery.js';
import { describeError } from '../core/errors.js';
import { withFields, type Item } from '../core/item.js';
import { EDITOR_SOURCE_ID, type ChannelConfig } from '../config/schema.js';
import type { Template } from '../config/template-schema.js';
import { quietMentions, templateFor, withChannelUtm } from '../compose/index.js';
import { kitFor } from './index.js';

/**
 * What composing reads: a configured channel (its kit may read its own fields, its UTM tags go on the link), or,
 * for the preview of a platform no channel is configured for, a bare template with neither.
 */
export type ComposeChannel = ChannelConfig | { platform: ChannelConfig['platform']; template: Template; id?: undefined; utm?: undefined };

/**
 * The one compose entry point for a channel: preview, the editor page and the publisher all call it,
 * so what an editor sees is what followers get. The channel's UTM tags go on the item link here and
 * only here: the caller's item, which identity and dedup read, keeps its canonical URL. The item's source
 * template, when it has one, wins over the channel's text here and only here (compose/template-text.ts).
 */
export function composeForChannel(item: Item, channel: ComposeChannel): ComposedThread {
  const configured = channel.id === undefined ? undefined : channel;
  const kit = kitFor(channel);
  const tagged = configured?.utm ? withChannelUtm(item, configured) : item;
  const posted = kit.textMentionsNotify && item.sourceId !== EDITOR_SOURCE_ID ? withQuietMentions(tagged) : tagged;
  return { platform: channel.platform, parts: kit.compose(posted, templateFor(posted, channel.template), configured) };
}

/** A feed's words never make the channel's account mention anyone (compose/mentions.ts); the template's may. */
function withQuietMentions(item: Item): Item {
  const fields: Partial<Item> = {};
  for (const field of ['title', 'summary', 'attribution', 'author', 'outlet'] as const) {
    const text = item[field];
    if (text !== undefined) {
      const quiet = quietMentions(text);
      if (quiet !== text) fields[field] = quiet;
    }
  }
  return Object.keys(fields).length > 0 ? withFields(item, fields) : item;
}

/** Why one item could not become a thread on one platform, as data for a listing to show beside the rest. */
export interface ComposeFailure {
  platform: ChannelConfig['platform'];
  reason: string;
}

export type ComposeOutcome = { thread: ComposedThread; failure?: undefined } | { thread?: undefined; failure: ComposeFailure };

/**
 * composeForChannel for code that composes many items at once (preview, queue listings). Compose is pure,
 * so whatever it throws is about this item (or a compose bug this item exposes), never about the others:
 * the caller shows the failure in the item's place and goes on.
 */
export function tryComposeForChannel(item: Item, channel: ComposeChannel): ComposeOutcome {
  try {
    return { thread: composeForChannel(item, channel) };
  } catch (err) {
    return { failure: { platform: channel.platform, reason: describeError(err) } };
  }
}
