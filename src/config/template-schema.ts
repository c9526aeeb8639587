import { z } from 'zod';

/**
 * How an item becomes a thread on one channel. Part of the config schema (src/config/schema.ts);
 * kept in its own module so the pure compose code can import it without the rest of config.
 */

/** What a template's `text` may name (src/compose/template-text.ts says what each becomes). */
export const TEMPLATE_PLACEHOLDERS = ['title', 'summary', 'author', 'outlet', 'url', 'tags'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

/** `{name}`: a name in braces is a placeholder; any other brace is text. */
export const PLACEHOLDER = /\{([\p{L}\p{N}_-]+)\}/gu;

const KNOWN = new Set<string>(TEMPLATE_PLACEHOLDERS);
const USE = TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ');

/** Whether `text` names `{name}`: compose then places that value itself and does not add it again. */
export function placesPlaceholder(text: string, name: TemplatePlaceholder): boolean {
  return text.includes(`{${name}}`);
}

/**
 * A free-text template. A misspelt placeholder would be posted literally ("{titel}") on every thread, so a name in
 * braces that is not a placeholder is a config error naming it.
 */
export const TemplateText = z
  .string()
  .max(2000)
  .superRefine((value, ctx) => {
    for (const [whole, name] of value.matchAll(PLACEHOLDER)) {
      if (!KNOWN.has(name!)) ctx.addIssue({ code: 'custom', message: `unknown placeholder "${whole}"; use ${USE}` });
    }
    if (!value.match(PLACEHOLDER)) ctx.addIssue({ code: 'custom', message: `no placeholder: every item would read the same; use ${USE}` });
  });

const TEXT_MEANING =
  'Free text with placeholders {title}, {summary}, {author}, {outlet}, {url} and {tags} (README, "Templates"); replaces the default layout (title, attribution, summary), so `title` and `attribution` no longer apply. A source\'s text wins over its channel\'s; announcements are posted as written.';

export const TemplateSchema = z
  .object({
    maxParts: z.number().int().min(1).max(25).default(3)
      .describe('Most parts a thread may have. Longer text is shortened by whole sentences from the end, so the thread ends on a full sentence.'),
    numbering: z.boolean().default(true)
      .describe('Append " 1/3"-style counters to each part when the thread has two or more parts.'),
    link: z.enum(['first', 'last', 'every', 'none']).default('first')
      .describe('Which parts carry the item link. On X every post with a URL costs more, so once is the default. A `text` that places {url} puts it there instead.'),
    attribution: z.boolean().default(true)
      .describe('Keep the source line ("Author, Outlet, date") after the title when the item has one.'),
    hashtags: z.number().int().min(0).max(10).default(0)
      .describe("Add up to this many of the item's categories as hashtags at the end of the thread, when they fit. A `text` that places {tags} puts them there instead."),
    title: z.boolean().default(true).describe('Lead the first part with the item title.'),
    text: TemplateText.optional().describe(TEXT_MEANING),
  })
  .strict();

/** A source's template: only the text; how many parts and where the link goes stay the channel's. */
export const SourceTemplateSchema = z
  .object({ text: TemplateText.describe(TEXT_MEANING) })
  .strict();

export type Template = z.infer<typeof TemplateSchema>;
export const defaultTemplate: Template = TemplateSchema.parse({});
