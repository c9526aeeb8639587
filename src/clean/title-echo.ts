import { coversLink, lastSentenceStart, paragraphText, sliceParagraph, tidyParagraph, firstWordOf, lastWordOf, wordsOf, type Word } from './runs.js';
import { isBylineName } from './source-line.js';
import type { BodyParagraph } from './types.js';

/**
 * The body's own repeat of the item's title, at its start or its end, as text or as a link: "… the boats are back.
 * Ferry timetable changes from July", a closing paragraph that is the title linked (with the sentence that
 * introduced the link), a heading that repeats it anywhere, the title clipped by the feed ("… Webtic by Th…"), the title
 * after a name and a colon ("Dr. Larry Kalish: Douching the Nose": the name stays, it says who speaks). The
 * post shows the title already. Compared word by word, ignoring case, punctuation and quote styles. A body that is
 * the title "by" someone keeps the byline, for the source line to read.
 *
 * A whole paragraph that is the title always goes. Inside a paragraph the title must be set apart by a sentence end
 * or a separator, and be at least MIN_PARTIAL_WORDS words, so that a title that is also a natural phrase of the text
 * ("Max schaukelt" in "Max schaukelt mit …") keeps its words.
 */
export const MIN_PARTIAL_WORDS = 3;
/** The longest lead-in ("From my latest column:") removed with the title link it introduces. */
const MAX_LEAD_IN = 100;

/** What may follow the title in a paragraph the feed clipped: a few words without a sentence end, then "…". */
const CLIPPED_REST = /^[^\n.!?。！？]{0,40}(?:…|\.{3})$/u;
const BOUNDARY_AFTER = /^["'”’»)]*\s*(?:[.!?…:;|·•\-–—]+["'”’»)]*(?:\s|$)|$)/u;
/** A name and a colon, the whole paragraph before the title: two to six capitalised words ("Prof. Rodney Schlosser:"). */
const NAME_THEN_COLON = /^(?:\p{Lu}[\p{L}'’-]*\.?\s+){1,5}\p{Lu}[\p{L}'’-]*\s*:\s*$/u;
const BOUNDARY_BEFORE = /(?:^|[.!?…。！？]["'”’»)\]]*\s+|\s[|·•\-–—]+\s+)$/u;

export function removeTitleEcho(paragraphs: readonly BodyParagraph[], title: string | undefined): BodyParagraph[] {
  const titleWords = title ? wordsOf(title).map((w) => w.word) : [];
  if (titleWords.length === 0) return [...paragraphs];
  const out = titleWords.length >= MIN_PARTIAL_WORDS ? withoutTitleParagraphs(paragraphs, titleWords) : [...paragraphs];
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
        const linkGone = last.length === 0 && out[i]!.some((r) => r.href !== undefined);
        replaceOrDrop(out, i, last);
        if (linkGone) dropLeadIn(out);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return out;
}

/**
 * Paragraphs that are the title, wherever they stand: the story's own heading, or a link to it, and then with the
 * sentence that introduced the link ("This story is now unlocked and available to all of our readers:").
 */
function withoutTitleParagraphs(paragraphs: readonly BodyParagraph[], titleWords: string[]): BodyParagraph[] {
  const out: BodyParagraph[] = [];
  for (const p of paragraphs) {
    if (!isTitleOnly(p, titleWords)) out.push(p);
    else if (p.some((r) => r.href !== undefined)) dropLeadIn(out);
  }
  return out;
}

/** The sentence that introduced a title link ("…available to all of our readers:"), now that it is gone. */
function dropLeadIn(out: BodyParagraph[]): void {
  const i = out.length - 1;
  const text = i >= 0 ? paragraphText(out[i]!) : '';
  if (!/:\s*$/u.test(text)) return;
  const start = lastSentenceStart(text);
  if (text.length - start <= MAX_LEAD_IN) replaceOrDrop(out, i, tidyParagraph(sliceParagraph(out[i]!, 0, start)));
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
  // Whatever is removed starts with the title's first word: most paragraphs start otherwise, and are not split further.
  if (firstWordOf(window) !== titleWords[0]) return p;
  const words = wordsOf(window);
  if (window === text && isCutTitle(text, words, titleWords)) return [];
  if (!startsWithWords(words, titleWords, 0)) return p;
  const last = words[titleWords.length - 1]!;
  const whole = window === text && words.length === titleWords.length;
  // The title and only signs around it ("★★★Title★★★"): a decorated heading.
  if (whole) return [];
  if (titleWords.length < MIN_PARTIAL_WORDS) return p;
  // The title and a few words the feed clipped ("… Webtic by Th…", an itunes:subtitle cut at 50 characters).
  if (window === text && CLIPPED_REST.test(text.slice(last.end))) return [];
  const byline = titleThenByline(p, text, last.end);
  if (byline) return byline;
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
  // Only a paragraph whose last word is the title's can end with it.
  if (lastWordOf(text.slice(offset)) !== titleWords[titleWords.length - 1]) return p;
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
  if (!whole && /:\s*$/u.test(head) && coversLink(p, first.start, end)) {
    // "From my latest Inc. column: <title linked>": the lead-in goes with the link it introduces.
    const clause = lastSentenceStart(head);
    if (head.length - clause <= MAX_LEAD_IN) return tidyParagraph(sliceParagraph(p, 0, clause));
  }
  // "Prof. Rodney Schlosser: <title>": who speaks, then the title as the talk's name. The name stays.
  if (!whole && NAME_THEN_COLON.test(head)) return tidyParagraph(sliceParagraph(p, 0, head.replace(/\s*:\s*$/u, '').length));
  if (!whole && !BOUNDARY_BEFORE.test(head)) return p;
  const keep = head.replace(/\s[|·•\-–—]+\s+$/u, '').trimEnd();
  return tidyParagraph(sliceParagraph(p, 0, keep.length));
}

/**
 * The title, then "by" and who made it, and nothing else: "Podcast Interview With Paul Jongsma, Webtic by The Neo4j
 * Graph Database Community". The title goes and the byline stays as its own paragraph, where it is read as the
 * source line.
 */
function titleThenByline(p: BodyParagraph, text: string, titleEnd: number): BodyParagraph | undefined {
  const m = /^\s+(by\s+)([^\n.!?:;…]{1,80})$/iu.exec(text.slice(titleEnd));
  if (!m || !isBylineName(m[2]!.trim())) return undefined;
  return tidyParagraph(sliceParagraph(p, titleEnd + m[0].indexOf(m[1]!)));
}

/**
 * The title cut short by the feed, with its "…" ("Podcast Summary - part 1 - the best thing about N…", an
 * itunes:subtitle clipped to 50 characters): the start of the title and nothing else.
 */
function isCutTitle(text: string, words: Word[], titleWords: string[]): boolean {
  if (!/(?:…|\.{3})$/u.test(text) || words.length < MIN_PARTIAL_WORDS || words.length > titleWords.length) return false;
  const lastAt = words.length - 1;
  if (!titleWords.slice(0, lastAt).every((w, i) => words[i]!.word === w)) return false;
  return titleWords[lastAt]!.startsWith(words[lastAt]!.word) && !/[\p{L}\p{N}]/u.test(text.slice(words[lastAt]!.end));
}

/** A paragraph whose words are the title's, nothing more. */
function isTitleOnly(p: BodyParagraph, titleWords: string[]): boolean {
  const text = paragraphText(p);
  if (text.length > 4 * titleWords.join(' ').length + 16 || !mayHold(text, titleWords[0]!) || firstWordOf(text) !== titleWords[0]) return false;
  return sameWords(wordsOf(text), titleWords);
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
