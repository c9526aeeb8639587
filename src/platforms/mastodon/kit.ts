import { redactUrl } from '../../http/redact-url.js';
import { refuseUnnamedParts, type KitDeps, type PlatformKit } from '../kit.js';
import { composeForMastodon, partFits, type MastodonPart } from './compose.js';
import { MASTODON_SCOPES, MastodonChannelSchema, type MastodonChannelConfig } from './config.js';
import { holdsUrl } from './limits.js';
import type { MastodonPublisher } from './publisher.js';

/** Mastodon: the instance's character limit (500 on a stock one, any URL 23), threads by in_reply_to_id, one token. */
export const mastodonKit: PlatformKit<MastodonChannelConfig, MastodonPart> = {
  name: 'mastodon',
  title: 'Mastodon',
  channelSchema: MastodonChannelSchema,

  // An @name in a status is a mention; a bare one names an account on the posting instance.
  textMentionsNotify: true,
  compose: composeForMastodon,
  measure: (part) => ({ length: part.characters, limit: part.limit, unit: 'characters', valid: partFits(part) }),
  counters: (part) => `${part.characters}/${part.limit} characters`,
  // The instance builds a card from the first link of a status without media; images go on part 1 only.
  showsLinkCard: (item, parts) => parts.some((part, i) => holdsUrl(part.text) && (i > 0 || item.images.length === 0)),

  credentials: {
    required: () => ['accessToken'],
    fields: () => ['accessToken'],
    secrets: (channel) => [channel.accessToken],
    // Where and with what: a new token, or the same token on another instance, is a change worth trying.
    identity: (channel) => [channel.instance, channel.accessToken],
    fix: (channel) =>
      `create a new access token (${redactUrl(channel.instance)}: Preferences → Development → your application, scopes ${MASTODON_SCOPES.join(' ')}), set it as the accessToken of channel ${channel.id}; the channel tries again as soon as the changed credentials are loaded (restart, or SIGHUP for run)`,
    envNames: { accessToken: 'MASTODON_ACCESS_TOKEN' },
  },
  serviceUrl: (channel) => channel.instance,
  serviceName: () => 'the Mastodon instance',

  createPublisher: mastodonPublisher,
  retract: {
    // Status ids are digits; a part recorded without one names no status.
    refusal: refuseUnnamedParts(/^\d+$/, 'Mastodon status id', 'on the instance'),
    deletePosts: async (channel, posts, deps) => (await mastodonPublisher(channel, deps)).deletePosts(posts),
  },
};

/** The channel's publisher, its module loaded only now: the one construction publishing and retracting share. */
async function mastodonPublisher(channel: MastodonChannelConfig, deps: KitDeps): Promise<MastodonPublisher> {
  const { accessToken } = channel;
  // Never reached without it: a channel missing a required credential runs in dry-run.
  if (!accessToken) throw new Error(`channel ${channel.id}: accessToken is required to post`);
  const { MastodonPublisher } = await import('./publisher.js');
  return new MastodonPublisher({
    channel: { ...channel, accessToken },
    web: deps.web,
    store: deps.store,
    log: deps.log,
    ...(deps.requestTimeoutMs ? { requestTimeoutMs: deps.requestTimeoutMs } : {}),
  });
}
