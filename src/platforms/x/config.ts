import { z } from 'zod';
import { channelFields, FromEnv, Secret } from '../../config/schema.js';

/** An X channel: the shared channel fields, then the API, one of two ways to sign in, X's caps and prices. */
export const XChannelSchema = z
  .object({
    ...channelFields,
    platform: z.literal('x').describe('Which network the channel posts to.'),
    apiBase: z.string().url().default('https://api.x.com').describe('Base URL of the X API; change it for API gateways and test servers.'),
    auth: z.enum(['oauth1', 'oauth2']).default('oauth1').describe('OAuth 1.0a user context (four keys, never expire) or OAuth 2.0 user tokens (refreshed and rotated).'),
    appKey: Secret().optional().describe('OAuth 1.0a consumer key (API key).'),
    appSecret: Secret().optional().describe('OAuth 1.0a consumer secret (API key secret).'),
    accessToken: Secret().optional().describe('OAuth 1.0a access token of the posting account.'),
    accessSecret: Secret().optional().describe('OAuth 1.0a access token secret of the posting account.'),
    clientId: FromEnv.optional().describe('OAuth 2.0 client id.'),
    clientSecret: Secret().optional().describe('OAuth 2.0 client secret (confidential clients).'),
    refreshToken: Secret().optional().describe('OAuth 2.0 refresh token for the first start; later ones rotate and are kept (sealed) in the store. A new value here replaces them.'),
    readAccess: z.boolean().default(false).describe("The account's API access may read its own recent posts: an unknown outcome is then settled by reading (each post read is billed)."),
    limits: z
      .object({
        postsPer15Minutes: z.number().int().min(1).default(100).describe('Posts per 15 minutes per user (X: 100).'),
        postsPer24Hours: z.number().int().min(1).default(10_000).describe('Posts per 24 hours (X: 10,000 per app; some older tiers allow 17 per user).'),
      })
      .strict()
      .default({ postsPer15Minutes: 100, postsPer24Hours: 10_000 })
      .describe("Caps kept by Threadcast itself, on top of the windows X's headers announce."),
    prices: z
      .object({
        postUsd: z.number().min(0).default(0.015).describe('Price of a post without a URL.'),
        postWithUrlUsd: z.number().min(0).default(0.2).describe('Price of a post that contains a URL.'),
        readUsd: z.number().min(0).default(0.005).describe('Price of each post returned by a read.'),
      })
      .strict()
      .default({ postUsd: 0.015, postWithUrlUsd: 0.2, readUsd: 0.005 })
      .describe('Pay-per-use prices, used for the budget and for cost previews.'),
    monthlyBudgetUsd: z.number().min(0).optional().describe('Spend cap per calendar month (UTC); a delivery that would cross it waits with the reason "budget".'),
  })
  .strict();

export type XChannelConfig = z.infer<typeof XChannelSchema>;
