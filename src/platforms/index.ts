import type { ChannelConfig } from '../config/schema.js';
import { blueskyKit } from './bluesky/kit.js';
import type { AnyKit } from './kit.js';
import { mastodonKit } from './mastodon/kit.js';
import { xKit } from './x/kit.js';

/**
 * The one list of platforms. A network is its folder (src/platforms/<name>/, exporting a kit: kit.ts) and
 * one line here; nothing outside platforms/ names one. The order is the order `preview` shows them in.
 * Kits are light to import: each loads its publisher (and the network's client library) only when asked to.
 */
export const KITS = [xKit, blueskyKit, mastodonKit] as const satisfies readonly AnyKit[];

const byName = new Map<string, AnyKit>(KITS.map((kit) => [kit.name, kit]));

/** The kit of a platform name; the config schema admits no other, so an unknown one is a bug. */
export function kitOf(platform: string): AnyKit {
  const kit = byName.get(platform);
  if (!kit) throw new Error(`no platform kit is named "${platform}" (known: ${[...byName.keys()].join(', ')})`);
  return kit;
}

export function kitFor(channel: Pick<ChannelConfig, 'platform'>): AnyKit {
  return kitOf(channel.platform);
}

export type { AnyKit, ComposedPart, PartMeasure, PlatformKit } from './kit.js';
