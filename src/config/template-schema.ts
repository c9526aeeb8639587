import { z } from 'zod';

/**
 * How an item becomes a thread on one channel. Part of the config schema (src/config/schema.ts);
 * kept in its own module so the pure compose code can import it without the rest of config.
 */
export const TemplateSchema = z
  .object({
    maxParts: z.number().int().min(1).max(25).default(3)
      .describe('Most parts a thread may have. Longer text is shortened by whole sentences from the end, so the thread ends on a full sentence.'),
    numbering: z.boolean().default(true)
      .describe('Append " 1/3"-style counters to each part when the thread has two or more parts.'),
    link: z.enum(['first', 'last', 'every', 'none']).default('first')
      .describe('Which parts carry the item link. On X every post with a URL costs more, so once is the default.'),
    attribution: z.boolean().default(true)
      .describe('Keep the source line ("Author, Outlet, date") after the title when the item has one.'),
    hashtags: z.number().int().min(0).max(10).default(0)
      .describe("Add up to this many of the item's categories as hashtags at the end of the thread, when they fit."),
    title: z.boolean().default(true).describe('Lead the first part with the item title.'),
  })
  .strict();

export type Template = z.infer<typeof TemplateSchema>;
export const defaultTemplate: Template = TemplateSchema.parse({});
