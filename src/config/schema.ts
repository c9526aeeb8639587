import { z } from 'zod';
import { AlertsSchema } from './alerts-schema.js';
import { PollingSchema } from './polling-schema.js';
import { isCron, ScheduleSchema } from './schedule-schema.js';
import { MatchRulesSchema, MaxAgeSchema } from './rules-schema.js';
import { secret } from './secrets.js';
import { SourceTemplateSchema, TemplateSchema } from './template-schema.js';
import { UtmSchema } from './utm-schema.js';

/**
 * The one source of truth for configuration. Types come from here (`Config`, `ChannelConfig`…);
 * the README's config reference is checked against it by a test. Every object is strict so a typo
 * is an error with a line number, never a silently ignored key.
 */

const Id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, 'use letters, digits, "-" and "_" (at most 63), starting with a letter or digit');

/** Credentials come from the environment; an unset variable leaves the field out, which means dry-run. */
export const FromEnv = z.string().min(1);
/** A credential: the loader warns when the file writes it instead of `${VAR}` (see secrets.ts). */
export const Secret = () => secret(z.string().min(1));

const CronExpression = z
  .string()
  .refine(isCron, 'not a valid cron expression; use 5 or 6 fields, e.g. "*/5 * * * *"');

/** Entries read from one poll of a feed when its source does not say (sources[].maxItems). */
export const DEFAULT_MAX_ITEMS = 5_000;

/** The source id of announcements queued by editors. */
export const EDITOR_SOURCE_ID = 'editor';

export const SourceSchema = z
  .object({
    id: Id.describe('Stable name of the source; part of every item key, so do not rename it.'),
    feed: z.string().min(1).describe('An http(s) URL or a local file path (relative to the working directory) of an RSS, Atom, RDF or JSON feed.'),
    backlog: z
      .union([z.enum(['none', 'all']), z.number().int().min(0)])
      .default(1)
      .describe('On the first sight of this source by a channel: queue none, all, or the newest N of the items already in the feed.'),
    pollEvery: CronExpression.default('*/5 * * * *').describe('When `threadcast run` polls this feed (cron, in the server timezone).'),
    channels: z.array(Id).optional().describe('Channel ids that publish this source; all channels when left out.'),
    review: z.boolean().default(false).describe("Hold this source's new items until an editor approves them (`threadcast queue approve`)."),
    onUpdate: z
      .enum(['ignore', 'reply'])
      .default('ignore')
      .describe('When a seen item changes (same id, new content): ignore it, or reply under its published thread with an update note (a queued one is simply refreshed).'),
    language: z.string().optional().describe("BCP 47 language for items that do not say their own (overrides the feed's)."),
    timeoutMs: z.number().int().min(100).max(120_000).default(15_000).describe('Whole-request timeout for fetching the feed.'),
    maxBytes: z.number().int().min(1024).max(100 * 1024 * 1024).default(5 * 1024 * 1024).describe('Largest feed body accepted.'),
    maxRedirects: z.number().int().min(0).max(20).default(5).describe('Redirects followed at most.'),
    maxItems: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(DEFAULT_MAX_ITEMS)
      .describe('Most entries read from one poll of this feed: the newest, by the feed\'s own order. A feed with more says how many were left out. Reading takes some tens of microseconds an entry, during which nothing else runs.'),
    include: MatchRulesSchema.optional().describe('Take only items that match at least one of these (README, "Source rules"); all items when left out.'),
    exclude: MatchRulesSchema.optional().describe('Skip items that match any of these, even when they match `include`.'),
    maxAge: MaxAgeSchema.optional().describe('Skip items dated longer ago than this ("48h", "7d", "2w"); items without a date are kept.'),
    template: SourceTemplateSchema.optional().describe("This source's own text template: wins over the channel's `template.text`."),
  })
  .strict();

/**
 * The fields every channel has, whatever its network. A platform kit (src/platforms/<name>/kit.ts) spreads
 * them into its own strict channel schema beside `platform: z.literal(name)` and its own fields.
 */
export const channelFields = {
  id: Id.describe('Stable name of the channel; part of every delivery key.'),
  template: TemplateSchema.default(TemplateSchema.parse({})).describe('How items become threads on this channel.'),
  utm: UtmSchema.optional().describe(
    "Tag the item link in this channel's posts with utm_source, utm_medium and utm_campaign; `{channel}` is the channel id, `{source}` the item's source id. Items keep their untagged canonical URL, so tags never change which items are new.",
  ),
  dryRun: z.boolean().default(false).describe('Compose and record, but never send. Also on when credentials are missing.'),
  schedule: ScheduleSchema.default(ScheduleSchema.parse({})).describe('When the channel posts: slots, spacing, caps, quiet hours.'),
  dedup: z
    .enum(['article', 'per-source'])
    .default('article')
    .describe('`article`: each article once on this channel, whichever sources carry it (the first to bring it wins; the others are recorded as "also in"). `per-source`: once per source, as if no other source existed.'),
};

/** A channel as the layers that do not know its network see it: the shared fields and which network. */
const NeutralChannelSchema = z.object({ ...channelFields, platform: z.string() });
export type ChannelConfig = z.output<typeof NeutralChannelSchema>;

/**
 * The config schema around a channel schema. config/ sits below the platforms, so it cannot name them: the
 * platform registry (src/platforms/config-schema.ts) builds the discriminated union of the kits' channel
 * schemas and assembles the one ConfigSchema with this.
 */
export function configSchemaFor<C extends ChannelConfig>(channel: z.ZodType<C>) {
  return z
    .object({
      store: secret(
        z.string().regex(/^(sqlite:.+|rediss?:\/\/.+)$/, 'use "sqlite:PATH" (e.g. sqlite:data/threadcast.sqlite), "sqlite::memory:" or "redis://host:6379"'),
        'url-password',
      )
        .default('sqlite:data/threadcast.sqlite')
        .describe('Where state lives: deliveries, seen items, feed caches, leases. `sqlite:PATH` for one instance; `redis://[user:password@]host:port[/db]` (or `rediss://`) for several sharing one Redis (put the password in the environment: `redis://:${REDIS_PASSWORD}@host:6379`).'),
      dryRun: z.boolean().default(false).describe('Dry-run every channel: compose and record, never send.'),
      secretKey: secret(z.string().min(16))
        .optional()
        .describe('Seals tokens kept in the store when no credential can (OAuth 2.0 public clients have no client secret); from the environment, e.g. ${THREADCAST_SECRET_KEY}.'),
      log: z
        .object({
          level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info').describe('Lowest level logged.'),
          format: z.enum(['auto', 'json', 'pretty']).default('auto').describe('json for machines; pretty for people; auto picks pretty on a terminal.'),
        })
        .strict()
        .default({ level: 'info', format: 'auto' })
        .describe('Logging (pino, to stderr).'),
      links: z
        .object({
          trackingParams: z
            .array(z.string().min(1).transform((v) => v.toLowerCase()))
            .default([])
            .describe('Query parameters that only track a click, removed from item links (and so from identity) besides the default list: `utm_*`, fbclid, gclid, dclid, msclkid, yclid, mc_cid, mc_eid, igshid, ref, ref_src, ref_url, spm, _hsenc, _hsmi, _ga, _gl and kin (README, "Identity").'),
        })
        .strict()
        .default({ trackingParams: [] })
        .describe('How item links are made canonical.'),
      web: z
        .object({
          timeoutMs: z.number().int().min(100).max(60_000).default(8_000).describe('Timeout for fetching a link-card page or an image.'),
          maxPageBytes: z.number().int().min(1024).default(2 * 1024 * 1024).describe('Largest page read for a link card.'),
          maxImageBytes: z.number().int().min(1024).default(20 * 1024 * 1024).describe('Largest image downloaded before re-encoding.'),
          allowPrivateHosts: z.array(z.string()).default([]).describe('Hosts or IPs that may resolve to private, loopback or link-local addresses (intranets, tests): link-card pages, images, and hops a feed redirects to. Everything else is refused; a feed\'s own configured host is always fetched.'),
        })
        .strict()
        .default({ timeoutMs: 8_000, maxPageBytes: 2 * 1024 * 1024, maxImageBytes: 20 * 1024 * 1024, allowPrivateHosts: [] })
        .describe('Fetching link-card pages, images and feed redirects: the guard against server-side request forgery.'),
      server: z
        .object({
          enabled: z.boolean().default(true).describe('Serve /healthz, /readyz, /metrics, the editor page and its API while `threadcast run` runs.'),
          host: z.string().min(1).default('127.0.0.1').describe('Address to listen on. Keep 127.0.0.1 behind a reverse proxy. The editor API takes THREADCAST_API_TOKEN; without it, a loopback server makes up a one-time token and logs a sign-in URL, and any other address refuses the API.'),
          port: z.number().int().min(0).max(65_535).default(8787).describe('Port to listen on; 0 picks a free one (printed at start).'),
          allowedHosts: z
            .array(z.string().trim().min(1).regex(/^\.?[^\s:/@[\]]+$/, 'a host name without scheme, port or path, e.g. "threadcast.example.org" or ".example.org"'))
            .default([])
            .describe('Host names the server answers to besides IP addresses, localhost and the name in server.host (a leading dot takes every name under it): the name a reverse proxy passes on, or a scraper calls it by. Any other Host header gets 403, so a web page cannot read the server through DNS rebinding.'),
          readyWithinMinutes: z
            .number()
            .min(0.1)
            .default(60)
            .describe('/readyz fails when a source was not polled, or a channel did not finish a publish round without failure, for this long.'),
        })
        .strict()
        .default({ enabled: true, host: '127.0.0.1', port: 8787, allowedHosts: [], readyWithinMinutes: 60 })
        .describe('The HTTP server of `threadcast run`: health, metrics, the editor page and its JSON API. The API token comes from the environment (THREADCAST_API_TOKEN), never from this file.'),
      leaderLeaseSeconds: z
        .number()
        .int()
        .min(3)
        .max(600)
        .default(30)
        .describe('With several instances on one store, one leader polls and publishes; when it stops renewing its lease, another takes over after at most this long.'),
      polling: PollingSchema,
      alerts: AlertsSchema,
      publishEvery: CronExpression.default('* * * * *').describe('How often `threadcast run` looks for due deliveries (cron).'),
      retry: z
        .object({
          maxAttempts: z.number().int().min(1).max(100).default(8).describe('Attempts before a delivery is dead.'),
          baseDelayMs: z.number().int().min(100).default(60_000).describe('First retry delay; doubles each attempt, with jitter.'),
          maxDelayMs: z.number().int().min(1000).default(3_600_000).describe('Longest retry delay.'),
          maxAgeHours: z.number().min(0).default(48).describe('A delivery still failing this long after it was queued is dead: old news is not worth posting late.'),
        })
        .strict()
        .default({ maxAttempts: 8, baseDelayMs: 60_000, maxDelayMs: 3_600_000, maxAgeHours: 48 })
        .describe('Retries of retryable failures.'),
      editor: z
        .object({
          review: z.boolean().default(false).describe('Hold announcements until approved, as for a source in review mode.'),
          folder: z.string().optional().describe('A folder polled for Markdown announcements with front matter (at, channels, url, image, alt); each file is queued once.'),
          priority: z.number().int().default(10).describe('Announcements go before feed items of lower priority (feed items have 0).'),
          uploadsMaxMiB: z
            .number()
            .int()
            .min(1)
            .default(1024)
            .describe("Most the uploads folder may hold, in MiB: editors' uploaded images and the copies of drop files' images. Past it a new image is refused (HTTP 507) until old ones go; those no delivery names go by themselves after a week."),
        })
        .strict()
        .default({ review: false, priority: 10, uploadsMaxMiB: 1024 })
        .describe('Announcements queued by editors.'),
      sources: z.array(SourceSchema).default([]).describe('Feeds to announce.'),
      channels: z.array(channel).default([]).describe('Accounts to publish to.'),
    })
    .strict()
    .superRefine((config, ctx) => {
      const seen = new Map<string, number>();
      config.sources.forEach((s, i) => {
        if (s.id === EDITOR_SOURCE_ID) ctx.addIssue({ code: 'custom', path: ['sources', i, 'id'], message: `"${EDITOR_SOURCE_ID}" is reserved for announcements` });
        if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'id'], message: `duplicate source id "${s.id}"` });
        seen.set(s.id, i);
      });
      const channelIds = new Set<string>();
      config.channels.forEach((c, i) => {
        if (channelIds.has(c.id)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'id'], message: `duplicate channel id "${c.id}"` });
        channelIds.add(c.id);
      });
      config.sources.forEach((s, i) =>
        s.channels?.forEach((id, j) => {
          if (!channelIds.has(id)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'channels', j], message: `no channel has the id "${id}"` });
        }),
      );
    });
}

/** The config as the layers that do not know any network see it; a kit's own fields are typed in its kit. */
export type Config = z.output<ReturnType<typeof configSchemaFor<ChannelConfig>>>;
export type SourceConfig = z.infer<typeof SourceSchema>;
