import { z } from 'zod';
import { secret } from './secrets.js';

/**
 * Alerts: an error-level log line, and a POST to `webhook` when set, when a delivery becomes dead or uncertain or a
 * source fails `sourceFailures` times in a row. Part of the config schema (src/config/schema.ts); kept apart, like
 * polling-schema.ts, so src/app/alerts.ts reads it alone.
 */
export const AlertsSchema = z
  .object({
    webhook: secret(z.string().url().refine((u) => /^https?:$/.test(new URL(u).protocol), 'use an http(s) URL'))
      .optional()
      .describe(
        'Where alerts are POSTed as JSON (`{ event, at, text, delivery | source }`), retried with backoff when the receiver fails or cannot be reached. A URL that carries a token (most chat webhooks do) is a secret: give it from the environment, e.g. `${THREADCAST_ALERTS_WEBHOOK}`; logs name only its host. Reached through the same guard as link cards: a private or loopback receiver must be listed in `web.allowPrivateHosts`.',
      ),
    sourceFailures: z.number().int().min(1).max(1000).default(3).describe('A source that fails this many polls in a row raises one alert (again only after it has succeeded once).'),
  })
  .strict()
  .default({ sourceFailures: 3 })
  .describe('Alerts when a delivery becomes dead or uncertain, or a source keeps failing: an error-level log line, and a webhook when set.');

export type AlertsConfig = z.infer<typeof AlertsSchema>;
