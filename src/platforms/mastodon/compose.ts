/**
 * Mastodon's compose rules for the shared packer (src/compose/pipeline.ts): a part fits when Mastodon's own count
 * (limits.ts) is within the limit, and links are shown whole, since any URL counts the same. Pure: the limits
 * come from the channel (`maxCharacters`, else a stock instance's 500), so preview and publisher compose the
 * same bytes; the publisher composes again only when the instance turns out to allow less (publisher.ts).
 */
import { composeParts, type PlatformRules } from '../../compose/pipeline.js';
import type { Template } from '../../config/template-schema.js';
import type { Item } from '../../core/item.js';
import type { MastodonChannelConfig } from './config.js';
import { countMastodon, fitsMastodon, MASTODON_DEFAULT_LIMITS, type MastodonLimits } from './limits.js';

export type MastodonPart = {
  text: string;
  /** Mastodon's count of the text plus the content warning. */
  characters: number;
  /** The character limit this part was composed for: a publisher that finds the instance allows less composes again. */
  limit: number;
  /** What a URL counted when this part was composed. */
  urlWeight: number;
};

export type ComposeLimits = Pick<MastodonLimits, 'maxCharacters' | 'charactersReservedPerUrl'>;

/** What a channel composes for: its maxCharacters, else a stock instance's; a URL counts as on a stock instance. */
export function channelComposeLimits(channel: Pick<MastodonChannelConfig, 'maxCharacters'> | undefined): ComposeLimits {
  return {
    maxCharacters: channel?.maxCharacters ?? MASTODON_DEFAULT_LIMITS.maxCharacters,
    charactersReservedPerUrl: MASTODON_DEFAULT_LIMITS.charactersReservedPerUrl,
  };
}

function mastodonRules(limits: ComposeLimits, spoilerText: string | undefined): PlatformRules {
  return {
    name: 'mastodon',
    fits: (text) => fitsMastodon(text, limits, spoilerText),
    linkDisplay: (uri) => uri,
    adaptToken: (token) => token,
  };
}

/** The item (UTM tags already on its link) as parts within `limits`, the content warning counted with each. */
export function composeWithLimits(item: Item, template: Template, limits: ComposeLimits, spoilerText: string | undefined): MastodonPart[] {
  return composeParts(item, template, mastodonRules(limits, spoilerText)).map(({ text }) => ({
    text,
    characters: countMastodon(text, limits, spoilerText),
    limit: limits.maxCharacters,
    urlWeight: limits.charactersReservedPerUrl,
  }));
}

/** The kit's compose: for the channel's limits and content warning (none configured: a stock instance, no warning). */
export function composeForMastodon(item: Item, template: Template, channel: MastodonChannelConfig | undefined): MastodonPart[] {
  return composeWithLimits(item, template, channelComposeLimits(channel), channel?.spoilerText);
}

/** Whether a stored part is within the limits it was composed for; its count already holds the content warning. */
export function partFits(part: MastodonPart): boolean {
  return part.text.trim().length > 0 && part.characters <= part.limit;
}
