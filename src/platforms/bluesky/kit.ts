import { redactUrl } from '../../http/redact-url.js';
import { refuseUnnamedParts, type KitDeps, type PlatformKit } from '../kit.js';
import { BLUESKY_MAX_GRAPHEMES, CARD_THUMB_MAX_BYTES, composeForBluesky, fitsBluesky } from './compose.js';
import { BlueskyChannelSchema, type BlueskyChannelConfig } from './config.js';
import type { BlueskyPart } from './parts.js';
import type { BlueskyPublisher } from './publisher.js';

/** Bluesky: 300 graphemes and 3000 bytes a post, links and tags as facets, a link card with its own thumb. */
export const blueskyKit: PlatformKit<BlueskyChannelConfig, BlueskyPart> = {
  name: 'bluesky',
  title: 'Bluesky',
  channelSchema: BlueskyChannelSchema,

  // A mention needs a facet with the account's DID, and compose writes none: @name is only text.
  textMentionsNotify: false,
  compose: composeForBluesky,
  measure: (part) => ({ length: part.graphemes, limit: BLUESKY_MAX_GRAPHEMES, unit: 'graphemes', valid: fitsBluesky(part.text) }),
  counters: (part) => `${part.graphemes}/${BLUESKY_MAX_GRAPHEMES} graphemes, ${part.bytes} bytes`,
  // As the publisher attaches it: a card only when the item has no images to show instead.
  showsLinkCard: (item, _parts, channel) => channel.cards && item.images.length === 0,
  cardThumbMaxBytes: CARD_THUMB_MAX_BYTES,

  credentials: {
    required: () => ['identifier', 'password'],
    fields: () => ['identifier', 'password'],
    secrets: (channel) => [channel.password],
    identity: (channel) => [channel.service, channel.identifier, channel.password],
    fix: (channel) =>
      `create a new app password (Bluesky: Settings → Privacy and security → App passwords), set it as the password of channel ${channel.id} and check that identifier is the account's handle or DID on ${redactUrl(channel.service)}; the channel tries again as soon as the changed credentials are loaded (restart, or SIGHUP for run)`,
    envNames: { identifier: 'BLUESKY_IDENTIFIER', password: 'BLUESKY_APP_PASSWORD' },
  },
  serviceUrl: (channel) => channel.service,
  serviceName: () => 'the PDS',

  createPublisher: blueskyPublisher,
  retract: {
    // A post is its record's AT URI (at://did/app.bsky.feed.post/rkey); nothing else names a record to delete.
    refusal: refuseUnnamedParts(/^at:\/\/[^/]+\/app\.bsky\.feed\.post\/[^/]+$/, 'Bluesky record URI', 'in the app'),
    deletePosts: async (channel, posts, deps) => (await blueskyPublisher(channel, deps)).deletePosts(posts),
  },
};

/** The channel's publisher, its module loaded only now: the one construction publishing and retracting share. */
async function blueskyPublisher(channel: BlueskyChannelConfig, deps: KitDeps): Promise<BlueskyPublisher> {
  const { identifier, password } = channel;
  // Never reached without them: a channel missing a required credential runs in dry-run.
  if (!identifier || !password) throw new Error(`channel ${channel.id}: identifier and password are required to post`);
  const { BlueskyPublisher } = await import('./publisher.js');
  return new BlueskyPublisher({
    channel: { ...channel, identifier, password },
    web: deps.web,
    store: deps.store,
    log: deps.log,
    ...(deps.requestTimeoutMs ? { requestTimeoutMs: deps.requestTimeoutMs } : {}),
  });
}
