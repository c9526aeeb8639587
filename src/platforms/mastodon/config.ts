import { z } from 'zod';
import { channelFields, Secret } from '../../config/schema.js';
import { MASTODON_DEFAULT_LIMITS } from './limits.js';

/** The scopes the access token needs, each for one call (docs/mastodon.md, "Setup"). */
export const MASTODON_SCOPES = ['write:statuses', 'write:media', 'read:accounts', 'read:statuses'] as const;

export const MASTODON_VISIBILITIES = ['public', 'unlisted', 'private', 'direct'] as const;

/** A Mastodon channel: the shared channel fields, then the instance, the account's token and how it posts. */
export const MastodonChannelSchema = z
  .object({
    ...channelFields,
    platform: z.literal('mastodon').describe('Which network the channel posts to.'),
    instance: z
      .string()
      .url()
      .refine((u) => ['http:', 'https:'].includes(new URL(u).protocol), 'use the http(s) address of the instance, e.g. https://mastodon.social')
      .describe('Address of the Mastodon server the account lives on, e.g. https://mastodon.social.'),
    accessToken: Secret()
      .optional()
      .describe(`Access token of an application of the account (Preferences → Development), with the scopes ${MASTODON_SCOPES.join(', ')}.`),
    visibility: z.enum(MASTODON_VISIBILITIES).default('public').describe('Who sees the posts: public, unlisted (not in public timelines), private (followers only) or direct.'),
    language: z
      .string()
      .regex(/^[a-z]{2,3}$/i, 'use an ISO 639 language code, e.g. "en"')
      .optional()
      .describe("ISO 639 language of the posts when the item does not say its own (the item's BCP 47 tag is cut to its language, e.g. en-GB → en)."),
    spoilerText: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Content warning shown before every post of the thread; Mastodon counts it toward the character limit.'),
    maxCharacters: z
      .number()
      .int()
      .min(50)
      .optional()
      .describe(
        `Character limit threads are composed for (default ${MASTODON_DEFAULT_LIMITS.maxCharacters}, a stock instance's): set it to the instance's own, which \`threadcast doctor\` shows. A larger limit than the instance's is never used: the thread is composed again for the instance's before it is posted.`,
      ),
  })
  .strict();

export type MastodonChannelConfig = z.infer<typeof MastodonChannelSchema>;
