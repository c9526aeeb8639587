import { lastSentenceStart, paragraphText, sliceParagraph, tidyParagraph } from './runs.js';
import type { BodyParagraph } from './types.js';

/**
 * A sentence that shows the reader a picture the text no longer holds: "…and get a result like this:" closing a
 * paragraph whose screenshot or chart was dropped with the markup. The next paragraph then comments on it ("$353 is
 * rather pricey…"), so the pointer points at nothing and goes, with its sentence.
 *
 * Only a phrase about looks ("looks like this:", "a result like this:", "sieht so aus:") at the very end of a
 * paragraph, before a one-line paragraph that starts a sentence (a capital, a digit or a price) or before nothing.
 * "It worked like this: most functions returned…" goes on in its own sentence; "It went like this:" before lyrics,
 * and a list, a quotation, a dialogue or code after the colon, are what the sentence shows.
 */
const POINTER_AT_END =
  /(?:\b(?:look(?:s|ed|ing)?|result|screen|page|window|dialog|chart|graph)\s+like this|\bsieht (?:dann |also )?so aus|\bressemble à ceci)\s*:\s*$/iu;
/** A paragraph of prose after the pointer: one line that starts a sentence with a capital, a digit or a price. */
const PROSE_START = /^(?:\p{Lu}|\p{N}|\p{Sc}\s?\p{N})[^\n]*$/u;

/**
 * V8 tries an end-anchored pattern at every start position of a paragraph; nearly every paragraph fails on its last
 * character already. POINTER_AT_END ends in a colon and then whitespace (`\s`, which is what trimEnd removes).
 */
function endsWithColon(text: string): boolean {
  return text.trimEnd().endsWith(':');
}

export function withoutOrphanPointers(paragraphs: readonly BodyParagraph[]): BodyParagraph[] {
  const out: BodyParagraph[] = [];
  paragraphs.forEach((p, i) => {
    const text = paragraphText(p);
    const next = paragraphs[i + 1];
    if (!endsWithColon(text) || !POINTER_AT_END.test(text) || (next && !PROSE_START.test(paragraphText(next).trim()))) {
      out.push(p);
      return;
    }
    const sentence = lastSentenceStart(text);
    const kept = tidyParagraph(sliceParagraph(p, 0, sentence));
    if (kept.length > 0) out.push(kept);
  });
  return out;
}
