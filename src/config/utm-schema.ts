import { z } from 'zod';

/**
 * A channel's UTM tags for the item link. Part of the config schema (src/config/schema.ts); kept in its own
 * module, like template-schema.ts, so the pure compose code (src/compose/utm.ts) can import it.
 */

/** What a tag value may name: `{channel}` is the channel id, `{source}` the item's source id. */
export const UTM_PLACEHOLDERS = ['channel', 'source'] as const;
export type UtmPlaceholder = (typeof UTM_PLACEHOLDERS)[number];

const KNOWN = new Set<string>(UTM_PLACEHOLDERS);
const ANY_PLACEHOLDER = /\{([^{}]*)\}/g;
const USE = UTM_PLACEHOLDERS.map((p) => `{${p}}`).join(' or ');

/**
 * One tag value. A misspelt placeholder would otherwise be posted literally ("{chanel}") on every link for
 * months before anyone read the analytics, so anything in braces that is not a known placeholder is an error.
 */
const TagValue = z
  // Only utm.source can be missing: the other two are optional.
  .string({ error: (issue) => (issue.input === undefined ? 'required: utm_source says who sends the visitor, e.g. "{channel}"' : undefined) })
  .superRefine((value, ctx) => {
    // Config errors are printed after the key's path (`channels[0].utm.campaign: …`), which names the field.
    if (value.trim() === '') {
      ctx.addIssue({ code: 'custom', message: 'empty; a tag needs a value (utm.medium and utm.campaign may be left out)' });
      return;
    }
    for (const [whole, name] of value.matchAll(ANY_PLACEHOLDER)) {
      if (!KNOWN.has(name!)) ctx.addIssue({ code: 'custom', message: `unknown placeholder "${whole}"; use ${USE}` });
    }
    if (/[{}]/.test(value.replace(ANY_PLACEHOLDER, ''))) {
      ctx.addIssue({ code: 'custom', message: `a "{" or "}" without its pair; the placeholders are ${USE}` });
    }
  });

export const UtmSchema = z
  .object({
    source: TagValue.describe('utm_source: who sends the visitor, e.g. "bluesky" or "{channel}".'),
    medium: TagValue.optional().describe('utm_medium, e.g. "social".'),
    campaign: TagValue.optional().describe('utm_campaign, e.g. "{source}".'),
  })
  .strict();

export type UtmTags = z.infer<typeof UtmSchema>;
