import safeRegex from 'safe-regex2';
import { z } from 'zod';
import { parseDuration } from './duration.js';

/**
 * A source's rules: which items it lets through (include/exclude, maximum age). Part of the config schema
 * (src/config/schema.ts); src/sources/item-filter.ts applies them.
 */

/**
 * The flags every rule regex runs with: case-insensitive like keywords, and Unicode so `\p{L}` and astral
 * characters work in any language.
 */
export const RULE_REGEX_FLAGS = 'iu';

/**
 * A regex is checked when the config loads, so a typo is an error with its line rather than a source that drops
 * everything. One whose repetitions nest (`(a+)+`, `(\w+\s?)*`) can take exponential time on a short text and is
 * refused (safe-regex2 reads it; what it cannot read, such as lookbehind, is refused too rather than guessed safe).
 * The matcher also sees only the start of a long text (src/sources/item-filter.ts), which bounds the patterns that
 * are merely slow.
 */
const RulePattern = z.string().min(1).superRefine((pattern, ctx) => {
  try {
    new RegExp(pattern, RULE_REGEX_FLAGS);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
    return;
  }
  if (!safeRegex(pattern)) {
    ctx.addIssue({
      code: 'custom',
      message: 'refused: a repetition inside a repetition (e.g. "(a+)+") can take exponential time, or the pattern uses syntax the safety check cannot read (lookbehind); rewrite it without nesting',
    });
  }
});

const Keyword = z.string().refine((k) => /\S/u.test(k), 'empty keyword');

export const MatchRulesSchema = z
  .object({
    keywords: z.array(Keyword).default([]).describe('Words or phrases found in the title or summary: whole words, any case, any language ("rust" does not match "trust"; in Chinese, Japanese or Thai, written without spaces, anywhere).'),
    categories: z.array(z.string().min(1)).default([]).describe("The item's feed categories (tags), compared whole and in any case."),
    regex: z.array(RulePattern).default([]).describe('JavaScript regular expressions matched case-insensitively (flags "iu") against the title and the start of the summary (its first 10,000 characters).'),
  })
  .strict();

export const MaxAgeSchema = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, 'not a duration; use a number and a unit: "30m", "48h", "7d" or "2w"');

export type MatchRules = z.output<typeof MatchRulesSchema>;
