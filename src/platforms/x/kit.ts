import { spendUsdGauge } from '../../core/metrics.js';
import { refuseUnnamedParts, type KitDeps, type PlatformKit } from '../kit.js';
import { composeForX, estimateXCostUsd, fitsX, X_MAX_WEIGHTED_LENGTH } from './compose.js';
import { XChannelSchema, type XChannelConfig } from './config.js';
import type { XPart } from './parts.js';
import { SpendLedger } from './spend-ledger.js';
import type { XPublisher } from './publisher.js';

const OAUTH1_FIELDS = ['appKey', 'appSecret', 'accessToken', 'accessSecret'] as const;
const OAUTH2_FIELDS = ['clientId', 'clientSecret', 'refreshToken'] as const;

/** X: weighted counting by twitter-text (280, any URL 23), pay-per-post pricing, OAuth 1.0a or 2.0. */
export const xKit: PlatformKit<XChannelConfig, XPart> = {
  name: 'x',
  title: 'X',
  channelSchema: XChannelSchema,

  // An @name in a post is a mention, with a notification (X's automation rules forbid unsolicited ones).
  textMentionsNotify: true,
  compose: composeForX,
  measure: (part) => ({ length: part.weightedLength, limit: X_MAX_WEIGHTED_LENGTH, unit: 'weighted characters', valid: fitsX(part.text) }),
  counters: (part) => `${part.weightedLength}/${X_MAX_WEIGHTED_LENGTH}`,
  costUsd: (parts, channel) => estimateXCostUsd(parts, channel?.prices),
  // X builds its own card from the page of the first URL a post carries.
  showsLinkCard: (_item, parts) => parts.some((p) => p.containsUrl),

  credentials: {
    required: (channel) => (channel.auth === 'oauth2' ? ['clientId'] : [...OAUTH1_FIELDS]),
    fields: (channel) => [...(channel.auth === 'oauth2' ? OAUTH2_FIELDS : OAUTH1_FIELDS)],
    secrets: (channel) => [...OAUTH1_FIELDS, ...OAUTH2_FIELDS].map((field) => channel[field]),
    identity: (channel) => [channel.apiBase, channel.auth, ...[...OAUTH1_FIELDS, ...OAUTH2_FIELDS].map((field) => channel[field])],
    fix: (channel) => {
      const fields = channel.auth === 'oauth2' ? 'clientId, clientSecret and refreshToken' : 'appKey, appSecret, accessToken and accessSecret';
      return `check the ${fields} of channel ${channel.id} in the X developer portal and set valid ones; the channel tries again as soon as the changed credentials are loaded (restart, or SIGHUP for run)`;
    },
    envNames: {
      appKey: 'X_API_KEY',
      appSecret: 'X_API_SECRET',
      accessToken: 'X_ACCESS_TOKEN',
      accessSecret: 'X_ACCESS_SECRET',
      clientId: 'X_OAUTH2_CLIENT_ID',
      clientSecret: 'X_OAUTH2_CLIENT_SECRET',
      refreshToken: 'X_OAUTH2_REFRESH_TOKEN',
    },
  },
  serviceUrl: (channel) => channel.apiBase,
  serviceName: () => 'X',

  createPublisher: xPublisher,
  retract: {
    // The id X answered is all digits; anything else (the proof of a part X refused as a duplicate) names no post.
    refusal: refuseUnnamedParts(/^\d+$/, 'X post id', 'on x.com'),
    deletePosts: async (channel, posts, deps) => (await xPublisher(channel, deps)).deletePosts(posts),
  },
  // Refreshing would rotate the refresh token, and a scratch store could not keep the new one: the channel would be locked out.
  needsStore: (channel) => (channel.auth === 'oauth2' ? 'OAuth 2.0 keeps its rotating refresh token there' : undefined),
  async scrapeMetrics(channel, store, now) {
    spendUsdGauge.set({ channel: channel.id }, await new SpendLedger(store, channel.id, channel.monthlyBudgetUsd, channel.id).spentUsd(now));
  },
};

/** The channel's publisher, its module loaded only now: the one construction publishing and retracting share. */
async function xPublisher(channel: XChannelConfig, deps: KitDeps): Promise<XPublisher> {
  const { XPublisher } = await import('./publisher.js');
  return new XPublisher({
    channel,
    web: deps.web,
    store: deps.store,
    log: deps.log,
    ...(deps.secretKey ? { secretKey: deps.secretKey } : {}),
    ...(deps.requestTimeoutMs ? { requestTimeoutMs: deps.requestTimeoutMs } : {}),
  });
}
