import { z } from 'zod';

/**
 * How feeds are fetched: how many at once, how many per host, and how scheduled polls are spread out. Part of the
 * config schema (src/config/schema.ts); kept apart, like schedule-schema.ts, so the polling code reads it alone.
 */
export const PollingSchema = z
  .object({
    concurrency: z.number().int().min(1).max(256).default(16).describe('Feeds fetched at the same time, across all hosts.'),
    perHost: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(4)
      .describe('Feeds fetched at the same time from one host (as written in the feed URL, port included), so many feeds on one site never crowd it.'),
    jitterSeconds: z
      .number()
      .min(0)
      .max(3600)
      .default(10)
      .describe(
        'Each scheduled poll in `threadcast run` starts up to this many seconds (at random) after its cron time, so feeds and installations on the same schedule do not all knock at the same second. Keep it well below `pollEvery`; `threadcast once` and the first round after a start or reload start at once.',
      ),
  })
  .strict()
  .default({ concurrency: 16, perHost: 4, jitterSeconds: 10 })
  .describe('Fetching feeds: a slow or hanging feed holds one of `concurrency` slots until its `timeoutMs`, never the others.');

export type Polling = z.infer<typeof PollingSchema>;
