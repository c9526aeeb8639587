/**
 * A source's include/exclude rules and maximum age, applied to one item (README, "Source rules"). Pure: the verdict
 * depends only on the item, the rules and the time given.
 */
import { parseDuration } from '../config/duration.js';
import { RULE_REGEX_FLAGS, type MatchRules } from '../config/rules-schema.js';
import type { SourceConfig } from '../config/schema.js';
import type { Item } from '../core/item.js';

/** The rule of an include or exclude list that an item matched. */
interface Match {
  by: 'keyword' | 'category' | 'regex';
  value: string;
}

/** Why an item was not taken: the rule that dropped it, as data. */
export type DropRule =
  | { list: 'maxAge'; maxAge: string; publishedAt: string }
  | ({ list: 'exclude' } & Match)
  | { list: 'include'; by: 'none' };

/** Which of a source's rules dropped an item, or undefined when the item is taken. */
export type ItemFilter = (item: Item) => DropRule | undefined;

/**
 * Rule regexes see the title and the first this many characters of the summary. The config refuses nested
 * repetitions, the patterns that take exponential time; this bounds the ones that are merely polynomial
 * (`.*x.*y`), which on a feed's megabyte of text would take minutes.
 */
export const REGEX_TEXT_LIMIT = 10_000;

// A letter, mark, digit or "_": a keyword that starts or ends with one must not be part of a longer word there.
const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u;
// Scripts written without spaces between words: a keyword in them is found anywhere (東京 in 東京タワー).
const NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Whole words, any case, any run of whitespace between the keyword's own words; compared in NFC, as the text is. */
function keywordPattern(written: string): RegExp {
  const keyword = written.trim().normalize('NFC');
  const chars = [...keyword];
  const bounded = (c: string | undefined) => c !== undefined && WORD_CHAR.test(c) && !NO_SPACE_SCRIPT.test(c);
  const body = keyword.split(/\s+/u).map(escapeRegex).join('\\s+');
  const before = bounded(chars[0]) ? '(?<![\\p{L}\\p{M}\\p{N}_])' : '';
  const after = bounded(chars.at(-1)) ? '(?![\\p{L}\\p{M}\\p{N}_])' : '';
  return new RegExp(`${before}${body}${after}`, 'iu');
}

/** Categories compare whole, ignoring case but not accents ("café" is not "cafe"). */
const sameCategory = new Intl.Collator('und', { sensitivity: 'accent' });
const categoryKey = (text: string): string => text.trim().replace(/\s+/gu, ' ');

interface CompiledRules {
  keywords: Array<{ value: string; pattern: RegExp }>;
  categories: string[];
  regex: Array<{ value: string; pattern: RegExp }>;
}

/** The rules ready to match, or undefined when there are none. */
function compile(rules: MatchRules | undefined): CompiledRules | undefined {
  if (!rules || rules.keywords.length + rules.categories.length + rules.regex.length === 0) return undefined;
  return {
    keywords: rules.keywords.map((value) => ({ value, pattern: keywordPattern(value) })),
    categories: rules.categories.map(categoryKey),
    regex: rules.regex.map((value) => ({ value, pattern: new RegExp(value, RULE_REGEX_FLAGS) })),
  };
}

/** What the rules read of an item: its whole text for keywords, its start for regexes. */
function textsOf(item: Item): { full: string; start: string } {
  const full = `${item.title ?? ''}\n${item.summary}`.normalize('NFC');
  return { full, start: full.slice(0, (item.title?.length ?? 0) + 1 + REGEX_TEXT_LIMIT) };
}

/** The first rule of `rules` the item matches, in the order keywords, categories, regex. */
function firstMatch(rules: CompiledRules, item: Item, texts: () => { full: string; start: string }): Match | undefined {
  for (const k of rules.keywords) if (k.pattern.test(texts().full)) return { by: 'keyword', value: k.value };
  for (const c of rules.categories) {
    if (item.tags.some((tag) => sameCategory.compare(categoryKey(tag), c) === 0)) return { by: 'category', value: c };
  }
  for (const r of rules.regex) if (r.pattern.test(texts().start)) return { by: 'regex', value: r.value };
  return undefined;
}

/**
 * The filter of a source's rules at time `now`, or undefined when the source has none. Checked in order: maximum
 * age, exclude, include; an item with no date, or a date that cannot be read, is never too old.
 */
export function itemFilterFor(source: Pick<SourceConfig, 'include' | 'exclude' | 'maxAge'>, now: number): ItemFilter | undefined {
  const include = compile(source.include);
  const exclude = compile(source.exclude);
  const maxAgeMs = source.maxAge === undefined ? undefined : parseDuration(source.maxAge);
  if (!include && !exclude && maxAgeMs === undefined) return undefined;
  return (item) => {
    if (maxAgeMs !== undefined && item.publishedAt !== undefined) {
      const at = Date.parse(item.publishedAt);
      if (now - at > maxAgeMs) return { list: 'maxAge', maxAge: source.maxAge!, publishedAt: item.publishedAt };
    }
    let texts: { full: string; start: string } | undefined;
    const read = () => (texts ??= textsOf(item));
    const excluded = exclude && firstMatch(exclude, item, read);
    if (excluded) return { list: 'exclude', ...excluded };
    if (include && !firstMatch(include, item, read)) return { list: 'include', by: 'none' };
    return undefined;
  };
}

/** The rule in words, for logs and preview: `exclude keyword "sponsored"`. */
export function describeDropRule(rule: DropRule): string {
  if (rule.list === 'maxAge') return `maxAge ${rule.maxAge} (published ${rule.publishedAt})`;
  if (rule.list === 'include') return 'include: matches none of the include rules';
  return `exclude ${rule.by} ${JSON.stringify(rule.value)}`;
}
