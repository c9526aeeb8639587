import { paragraphText, sliceParagraph, tidyParagraph, wordsOf, type Word } from './runs.js';
import type { BodyParagraph } from './types.js';

/**
 * The body's own repeat of the item's title, at its start or its end, as text or as a link: "… the boats are back.
 * Ferry timetable changes from July", a closing paragraph that is the title linked, a heading that repeats it.
 * The post shows the title already. Compared word by word, ignoring case, punctuation and quote styles.
 *
 * A whole paragraph that is the title always goes. Inside a paragraph the title must be set apart by a sentence end
 * or a separator, and be at least MIN_PARTIAL_WORDS words, so that a title that is also a natural phrase of the text
 * ("Max schaukelt" in "Max schaukelt mit …") keeps its words.
 */
export const MIN_PARTIAL_WORDS = 3;

const BOUNDARY_AFTER = /^["'”’»)]*\s*(?:[.!?…:;|·•\-–—]+["'”’»)]*(?:\s|$)|$)/u;
const BOUNDARY_BEFORE = /(?:^|[.!?…。！？]["'”’»)\]]*\s+|\s[|·•\-–—]+\s+)$/u;

export function removeTitleEcho(paragraphs: readonly BodyParagraph[], title: string | undefined): BodyParagraph[] {
  const titleWords = title ? wordsOf(title).map((w) => w.word) : [];
  if (titleWords.length === 0) return [...paragraphs];
  const out = [...paragraphs];
  for (let guard = 0; guard < 10 && out.length > 0; guard++) {
    let changed = false;
    const first = trimStart(out[0]!, titleWords, title!.length);
    if (first !== out[0]) {
      replaceOrDrop(out, 0, first);
      changed = true;
    }
    const i = out.length - 1;
    if (i >= 0) {
      const last = trimEnd(out[i]!, titleWords, title!.length);
      if (last !== out[i]) {
        replaceOrDrop(out, i, last);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return out;
}

function replaceOrDrop(out: BodyParagraph[], i: number, p: BodyParagraph): void {
  if (p.length === 0) out.splice(i, 1);
  else out[i] = p;
}

/** The paragraph without the title at its start, or the same paragraph object when it does not start with it. */
function trimStart(p: BodyParagraph, titleWords: string[], titleLength: number): BodyParagraph {
  const text = paragraphText(p);
  // A list whose first item is the story itself (Google News: "1. Title Outlet\n2. …"): that line goes.
  const listItem = /^(?:•|\d{1,3}\.)\s+([^\n]*)(?:\n|$)/u.exec(text);
  if (listItem && titleWords.length >= MIN_PARTIAL_WORDS && sameWords(wordsOf(listItem[1]!), titleWords)) return tidyParagraph(sliceParagraph(p, listItem[0].length));
  // Only the start can hold the title: words are read from a window a little longer than the title.
  const window = text.length > 3 * titleLength + 64 ? text.slice(0, 3 * titleLength + 64) : text;
  if (!mayHold(window, titleWords[0]!)) return p;
  const words = wordsOf(window);
  if (!startsWithWords(words, titleWords, 0)) return p;
  const last = words[titleWords.length - 1]!;
  const whole = window === text && words.length === titleWords.length;
  if (!whole && titleWords.length < MIN_PARTIAL_WORDS) return p;
  const after = BOUNDARY_AFTER.exec(text.slice(last.end));
  if (!after) return p;
  // Only punctuation before the title (an opening quote) goes with it.
  if (/[\p{L}\p{N}]/u.test(text.slice(0, words[0]!.start))) return p;
  return tidyParagraph(sliceParagraph(p, last.end + after[0].length));
}

/** The paragraph without the title at its end, or the same paragraph object when it does not end with it. */
function trimEnd(p: BodyParagraph, titleWords: string[], titleLength: number): BodyParagraph {
  const text = paragraphText(p);
  // Only the end can hold the title: words are read from a window a little longer than the title, cut at a space.
  let offset = 0;
  if (text.length > 3 * titleLength + 64) {
    const space = text.slice(0, text.length - 3 * titleLength - 64).lastIndexOf(' ');
    offset = space < 0 ? 0 : space + 1;
  }
  if (!mayHold(text.slice(offset), titleWords[titleWords.length - 1]!)) return p;
  const words = wordsOf(text.slice(offset)).map((w) => ({ ...w, start: w.start + offset, end: w.end + offset }));
  const from = words.length - titleWords.length;
  if (from < 0 || !startsWithWords(words, titleWords, from)) return p;
  const whole = from === 0 && offset === 0;
  if (!whole && titleWords.length < MIN_PARTIAL_WORDS) return p;
  const first = words[from]!;
  const end = words[words.length - 1]!.end;
  // After the title only closing punctuation; before it a sentence end or a separator.
  if (/[\p{L}\p{N}]/u.test(text.slice(end))) return p;
  const head = text.slice(0, first.start).replace(/["'“‘«(\[]+$/u, '');
  if (!whole && !BOUNDARY_BEFORE.test(head)) return p;
  const keep = head.replace(/\s[|·•\-–—]+\s+$/u, '').trimEnd();
  return tidyParagraph(sliceParagraph(p, 0, keep.length));
}

/** A quick test before splitting into words: most bodies do not hold the title at all. */
function mayHold(text: string, word: string): boolean {
  return !/^[\x00-\x7f]*$/.test(word) || text.toLowerCase().includes(word);
}

function sameWords(words: Word[], titleWords: string[]): boolean {
  return words.length === titleWords.length && startsWithWords(words, titleWords, 0);
}

function startsWithWords(words: Word[], titleWords: string[], from: number): boolean {
  if (words.length - from < titleWords.length) return false;
  return titleWords.every((w, i) => words[from + i]!.word === w);
}
