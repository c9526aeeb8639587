import { paragraphText, sliceParagraph, tidyParagraph, wordKey } from './runs.js';
import type { BodyParagraph, BodyRole, SourceLine } from './types.js';

/**
 * Choosing, among a feed entry's cleaned body fields, the one that makes the best summary (issue #14):
 *
 * 1. a real summary: a summary-like field with whole sentences that is not a stub or an automatic cut. When there are
 *    several (description and itunes:summary), one that is not merely a copy of the full content comes first;
 * 2. else the lead of the full content (its first paragraphs), so the thread can end on whole sentences;
 * 3. else a cut excerpt (it ends in "…"), else the longest stub: never nothing when any field has text.
 */

/**
 * How much of a full content is taken: whole paragraphs up to this many characters, so that with the default
 * template (four parts, title and link included) the thread usually ends where a paragraph does; a longer first
 * paragraph is cut after its last sentence that fits. Measured on the corpus with `npm run quality`: 1,000
 * characters left 7 more threads cut mid-sentence than 700; 500 did no better than 700.
 */
export const LEAD_MAX_CHARS = 700;

export type BodyKind = 'empty' | 'stub' | 'cut' | 'real';

export interface CleanedField {
  field: string;
  role: BodyRole;
  paragraphs: BodyParagraph[];
  text: string;
  /** An excerpt mark was removed, or the text ends in "…" without a sentence end before it. */
  cut: boolean;
  source?: SourceLine;
}

/**
 * stub: one word, shorter than the title (in code points), or nothing but links ("Comments", a bare URL). cut: what software
 * excerpted and cut short. real: anything else.
 */
export function kindOf(f: CleanedField, title: string | undefined, language?: string): BodyKind {
  if (!f.text) return 'empty';
  if (isOnlyLinks(f.paragraphs) || /^\S+:\/\/\S+$/u.test(f.text)) return 'stub';
  if (!hasTwoWords(f.text, language)) return 'stub';
  if (title && shorterThan(f.text, title)) return 'stub';
  if (f.cut || /(?<![.!?])(?:…|\.{3})$/u.test(f.text) || stopsUnpunctuated(f.text)) return 'cut';
  return 'real';
}

/**
 * Text in a script written without spaces that has whole sentences (。！？) and then stops on a letter: writers of
 * Chinese and Japanese end every sentence with a mark, so software cut it ("…实现中华民族伟大").
 */
function stopsUnpunctuated(text: string): boolean {
  const tail = text.slice(-200);
  return /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u.test(tail) && /[。！？]/u.test(tail);
}

const SENTENCE_AT_END = /[.!?。！？]["'”’»)\]」』）]*$/u;
const EXCERPT_END = /\s*(?:\[\s*(?:…|\.\.\.)\s*\]|\(\s*(?:…|\.\.\.)\s*\)|…|\.{3})\s*$/u;

/**
 * An excerpt software cut short, ending on its last whole sentence: the unfinished one at the end goes, and with it
 * the "…". When the last paragraph has no whole sentence, it goes if paragraphs before it remain; a text that is one
 * unfinished sentence stays as it is.
 */
export function wholeSentences(paragraphs: BodyParagraph[]): BodyParagraph[] {
  const last = paragraphs.at(-1);
  if (!last) return paragraphs;
  const text = paragraphText(last).replace(EXCERPT_END, '');
  // Software marked a cut right after a whole sentence ("… all charges. […]"): only the mark goes.
  if (SENTENCE_AT_END.test(text)) return [...paragraphs.slice(0, -1), tidyParagraph(sliceParagraph(last, 0, text.length))];
  const end = lastSentenceEndIn(text);
  if (end !== undefined) return [...paragraphs.slice(0, -1), tidyParagraph(sliceParagraph(last, 0, end))];
  return paragraphs.length > 1 ? paragraphs.slice(0, -1) : paragraphs;
}

/** The word before a full stop that does not end a sentence: a title, a Latin abbreviation, a single letter. */
const ABBREVIATION_BEFORE = /(?:^|[\s("'“‘])(?:\p{L}|Dr|Mr|Mrs|Ms|Mx|Prof|Sr|Jr|St|Mt|No|Nr|Vol|Inc|Ltd|Co|Corp|vs|etc|e\.g|i\.e|z\.B|bzw|ca|approx)$/u;

/** Where the last whole sentence of `text` ends, if the text goes on after it (see lastSentenceEnd for what counts). */
function lastSentenceEndIn(text: string): number | undefined {
  let end: number | undefined;
  for (const m of text.matchAll(/[.!?。！？]["'”’»)\]」』）]*(?=\s+["'“‘«(]?[\p{Lu}\p{N}]|[^\s.!?。！？"'”’»)\]」』）])/gu)) {
    const at = m.index + m[0].length;
    // A Latin full stop needs a space after it ("e.g.the" is no end), CJK marks do not; an abbreviation or an
    // initial ("Dr. Smith", "A. B. Okafor") ends no sentence.
    if (/^[.!?]/u.test(m[0]) && !/^\s/u.test(text.slice(at))) continue;
    if (m[0].startsWith('.') && ABBREVIATION_BEFORE.test(text.slice(Math.max(0, m.index - 12), m.index))) continue;
    end = at;
  }
  return end !== undefined && end < text.length ? end : undefined;
}

export interface Selection {
  chosen?: CleanedField;
  /** The chosen field's paragraphs, shortened to the lead when it is full content. */
  paragraphs: BodyParagraph[];
}

/**
 * `summaries` are cleaned up front; `contents` on demand, because full content is long and only needed when no
 * summary will do or several compete.
 */
export function selectBody(summaries: CleanedField[], contents: () => CleanedField[], title: string | undefined, language?: string): Selection {
  const kinds = new Map<CleanedField, BodyKind>();
  const kind = (f: CleanedField) => {
    let k = kinds.get(f);
    if (k === undefined) kinds.set(f, (k = kindOf(f, title, language)));
    return k;
  };
  const real = summaries.filter((f) => kind(f) === 'real');
  if (real.length === 1) return { chosen: real[0], paragraphs: real[0]!.paragraphs };
  if (real.length > 1) {
    const full = contents().filter((f) => f.text);
    const own = real.find((f) => !full.some((c) => isCopyOf(f, c))) ?? real[0]!;
    return { chosen: own, paragraphs: own.paragraphs };
  }
  const content = contents().find((f) => ['real', 'cut'].includes(kind(f)));
  if (content) return { chosen: content, paragraphs: leadOf(content, kind(content)) };
  const cut = summaries.find((f) => kind(f) === 'cut');
  if (cut) return { chosen: cut, paragraphs: wholeSentences(cut.paragraphs) };
  const stubs = [...summaries, ...contents()].filter((f) => f.text);
  const longest = stubs.reduce<CleanedField | undefined>((best, f) => (!best || f.text.length > best.text.length ? f : best), undefined);
  return longest ? { chosen: longest, paragraphs: longest.role === 'content' ? lead(longest.paragraphs) : longest.paragraphs } : { paragraphs: [] };
}

/** The lead of a full content; when the lead runs to where software cut the content, it ends on a whole sentence. */
function leadOf(content: CleanedField, kind: BodyKind): BodyParagraph[] {
  const led = lead(content.paragraphs);
  const reachesCut = kind === 'cut' && led.length === content.paragraphs.length && paragraphText(led.at(-1)!) === paragraphText(content.paragraphs.at(-1)!);
  return reachesCut ? wholeSentences(led) : led;
}

/**
 * The first paragraphs of a full content, up to LEAD_MAX_CHARS; a last paragraph that introduces what was cut
 * (ends in ":") goes too. A first paragraph longer than that is cut after a sentence.
 */
export function lead(paragraphs: BodyParagraph[]): BodyParagraph[] {
  const out: BodyParagraph[] = [];
  let total = 0;
  for (const p of paragraphs) {
    const length = paragraphText(p).length;
    if (out.length > 0 && total + length > LEAD_MAX_CHARS) break;
    out.push(p);
    total += length + 2;
  }
  if (out.length > 1 && out.length < paragraphs.length && /:\s*$/u.test(paragraphText(out[out.length - 1]!))) out.pop();
  const first = out[0];
  if (out.length === 1 && first) {
    const end = lastSentenceEnd(paragraphText(first), LEAD_MAX_CHARS);
    if (end !== undefined) out[0] = tidyParagraph(sliceParagraph(first, 0, end));
  }
  return out;
}

/**
 * Where the last sentence ending by `limit` ends, when the text is longer and one ends past a third of it. A sentence
 * end is a full stop, "!" or "?" (closing quotes after it) before a space and a capital, digit or quote, so "e.g. the"
 * is not taken for one.
 */
function lastSentenceEnd(text: string, limit: number): number | undefined {
  if (text.length <= limit) return undefined;
  let end: number | undefined;
  for (const m of text.slice(0, limit + 1).matchAll(/[.!?…。！？]["'”’»)\]]*(?=\s+["'“‘«(]?[\p{Lu}\p{N}])/gu)) {
    if (m.index + m[0].length >= limit / 3) end = m.index + m[0].length;
  }
  return end;
}

/** A summary field that only repeats the full content (a podcast's description next to its content:encoded). */
function isCopyOf(summary: CleanedField, content: CleanedField): boolean {
  const ratio = summary.text.length / content.text.length;
  if (ratio < 0.7 || ratio > 1.4) return false; // far apart in length: no need to compare words
  const s = wordKey(summary.text);
  const c = wordKey(content.text);
  return s === c || (c.startsWith(s) && s.length >= 0.9 * c.length);
}

function isOnlyLinks(paragraphs: BodyParagraph[]): boolean {
  const runs = paragraphs.flat();
  return runs.some((r) => r.href !== undefined) && runs.every((r) => r.href !== undefined || !/[\p{L}\p{N}]/u.test(r.text));
}

const wordSegmenters = new Map<string, Intl.Segmenter>();
/** More than one word: two words apart by a space, or, in scripts written without spaces, two word segments. */
function hasTwoWords(text: string, language = 'und'): boolean {
  if (/[\p{L}\p{N}][^\s]*\s+[^\s]*[\p{L}\p{N}]/u.test(text.slice(0, 200))) return true;
  let segmenter = wordSegmenters.get(language);
  if (!segmenter) {
    try {
      segmenter = new Intl.Segmenter(language, { granularity: 'word' });
    } catch {
      segmenter = new Intl.Segmenter('und', { granularity: 'word' });
    }
    wordSegmenters.set(language, segmenter);
  }
  let n = 0;
  for (const s of segmenter.segment(text.slice(0, 200))) if (s.isWordLike && ++n > 1) return true;
  return false;
}

/** Fewer characters (code points: near enough to what a reader counts) in `text` than in `other`. */
function shorterThan(text: string, other: string): boolean {
  if (text.length >= 2 * other.length) return false;
  return [...text].length < [...other].length;
}
