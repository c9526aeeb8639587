import { z } from 'zod';
import { channelFields, FromEnv, Secret } from '../../config/schema.js';

/** A Bluesky channel: the shared channel fields, then the PDS and the account's app password. */
export const BlueskyChannelSchema = z
  .object({
    ...channelFields,
    platform: z.literal('bluesky').describe('Which network the channel posts to.'),
    langs: z.array(z.string()).max(3).optional().describe('Languages to tag posts with when the item has none (`langs`, at most 3).'),
    cards: z.boolean().default(true).describe("Attach a link card (the page's og:title, og:description, og:image) to the first post when the item has no images."),
    service: z.string().url().default('https://bsky.social').describe('The PDS (or entryway) to log in to.'),
    identifier: FromEnv.optional().describe('Handle or DID of the account.'),
    password: Secret().optional().describe('An app password (Settings → App passwords), never the account password.'),
  })
  .strict();

export type BlueskyChannelConfig = z.infer<typeof BlueskyChannelSchema>;
