import { mapRuns, paragraphText, tidyParagraph } from './runs.js';
import type { BodyParagraph } from './types.js';

/**
 * Invisible characters that carry nothing in a post: zero-width space, word joiner, BOM / zero-width no-break
 * space, soft hyphen, Mongolian vowel separator, invisible math operators and the Hangul fillers used to pad
 * "blank" text. ZWJ and ZWNJ stay: emoji sequences and Persian, Urdu and Indic spelling need them. (Controls and
 * bidi overrides are already gone: sources strip them, see src/sources/plain-text.ts.)
 */
const INVISIBLE = /[\u200b\u2060\ufeff\u00ad\u180e\u2061-\u2064\u115f\u1160\u3164\uffa0]/g;
/** LRM, RLM, ALM: they only steer the direction of the characters next to them. */
const DIRECTION_MARK = /[\u200e\u200f\u061c]/g;
const DIRECTION_MARK_RUN = /([\u200e\u200f\u061c])[\u200e\u200f\u061c]+/g;
/** What normaliseSpace may change: an invisible character, a direction mark, whitespace other than a space or a line break. */
const TO_NORMALISE = new RegExp(`${INVISIBLE.source}|${DIRECTION_MARK.source}|[^\\S\\n ]`);
/** Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic and their presentation forms. */
const RIGHT_TO_LEFT = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]|[\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;

/**
 * Invisible characters removed; direction marks removed from paragraphs that hold no right-to-left script (there
 * they steer nothing, and are left over from copying), else runs of them reduced to one; every other kind of space made a plain
 * space and runs of them collapsed.
 */
export function normaliseSpace(p: BodyParagraph): BodyParagraph {
  // Most paragraphs hold nothing the replacements below change: they are only tidied, as mapRuns would.
  if (!TO_NORMALISE.test(paragraphText(p))) return tidyParagraph(p);
  const rtl = RIGHT_TO_LEFT.test(paragraphText(p));
  return mapRuns(p, (text) => {
    const visible = text.replace(INVISIBLE, '').replace(/[^\S\n]/g, ' ');
    return rtl ? visible.replace(DIRECTION_MARK_RUN, '$1') : visible.replace(DIRECTION_MARK, '');
  });
}
