import { paragraphText, sliceParagraph, tidyParagraph, wordKey } from './runs.js';
import type { BodyParagraph, BodyRole, SourceLine } from './types.js';

/**
 * Choosing, among a feed entry's cleaned body fields, the one that makes the best summary (issue #14):
 *
 * 1. a real summary: a summary-like field with whole sentences that is not a stub or an automatic cut, nor a tagline of
 *    a few words beside a full content in prose (then that content's lead is taken). When there are
 *    several (description, itunes:summary, itunes:subtitle), anything says more than a tagline of a few words, prose
 *    comes before a list (show notes), of two with the same words the one that kept its paragraphs, and one that is
 *    not merely a copy of the full content before a copy;
 * 2. else the lead of the full content (its first paragraphs), so the thread can end on whole sentences;
 * 3. else a cut excerpt (it ends in "…"), else the longest stub: never nothing when any field has text.
 *
 * Whatever is chosen ends where its prose does: a list, a block of citations or code after the opening paragraphs is
 * not part of a summary (see proseLead).
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
 * stub: one word, shorter than the title (in code points), nothing but links ("Comments", a bare URL), or a teaser
 * that only points to the text ("Read on to preview next season’s maps."). cut: what software excerpted and cut short.
 * real: anything else.
 */
export function kindOf(f: CleanedField, title: string | undefined, language?: string): BodyKind {
  if (!f.text) return 'empty';
  if (isOnlyLinks(f.paragraphs) || /^\S+:\/\/\S+$/u.test(f.text)) return 'stub';
  if (!hasTwoWords(f.text, language)) return 'stub';
  if (title && shorterThan(f.text, title)) return 'stub';
  if (f.role === 'summary' && isTeaser(f.text)) return 'stub';
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

/** Closing quotes after a sentence's stop include “ and ‘, which close German quotations („…“). */
const SENTENCE_AT_END = /[.!?。！？]["'”’“‘»)\]」』）]*$/u;
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
  for (const m of text.matchAll(/[.!?。！？]["'”’“‘»)\]」』）]*(?=\s+["'“‘«(]?[\p{Lu}\p{N}]|[^\s.!?。！？"'”’“‘»)\]」』）])/gu)) {
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
  // A summary that is the start of another field, stopped inside a sentence, was cut by the feed (itunes:subtitle
  // holds 255 characters): it is no more than an excerpt.
  for (const f of summaries) {
    if (kind(f) === 'real' && summaries.some((o) => o !== f && isCutFrom(f, o))) kinds.set(f, 'cut');
  }
  const real = summaries.filter((f) => kind(f) === 'real');
  // A hand-written tagline ("Temperature and music.") beside the whole article tells less than the article's lede.
  if (real.length > 0 && real.every((f) => isTagline(f.text))) {
    const prose = contents().find((c) => kind(c) === 'real' && isProse(c));
    if (prose) return { chosen: prose, paragraphs: leadOf(prose, 'real') };
  }
  if (real.length === 1 && real[0]!.text.length <= LEAD_MAX_CHARS) return { chosen: real[0], paragraphs: proseLead(real[0]!.paragraphs) };
  if (real.length > 0) {
    const full = contents().filter((f) => f.text);
    // Lower is better; each reason outweighs all those after it.
    const rank = (f: CleanedField) =>
      (isTagline(f.text) ? 8 : 0) + (isListLike(f.paragraphs) ? 4 : 0) + (real.some((o) => isFlattened(f, o)) ? 2 : 0) + (full.some((c) => isCopyOf(f, c)) ? 1 : 0);
    const best = real.reduce((a, b) => (rank(b) < rank(a) ? b : a));
    // A long summary that copies the full content is the full content; when the content field kept more of the
    // paragraphs, its lead is taken.
    const copied =
      best.text.length > LEAD_MAX_CHARS ? full.find((c) => isCopyOf(best, c) && kind(c) === 'real' && c.paragraphs.length > best.paragraphs.length) : undefined;
    if (copied) return { chosen: copied, paragraphs: leadOf(copied, kind(copied)) };
    return { chosen: best, paragraphs: proseLead(best.paragraphs) };
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
 * The first paragraphs of a full content, up to LEAD_MAX_CHARS and no further than its prose goes (proseLead).
 * Short lines before the first sentence (a byline, a date, a label: "by Anthony Vallone", "updated: July 2016") are
 * skipped when prose follows. A first paragraph longer than LEAD_MAX_CHARS is cut after a sentence.
 */
/** An opening shorter than this (a third of the lead) says too little to end the lead on. */
const SHORT_OPENING = LEAD_MAX_CHARS / 3;
/** A byline line inside a content ("By Chris Lewis"): no section heading, so the lede goes on past it. */
const BYLINE = /^(?:by|von|par|por)\s/iu;

export function lead(paragraphs: BodyParagraph[]): BodyParagraph[] {
  const firstProse = paragraphs.findIndex((p) => !isLabel(paragraphText(p)));
  const from = firstProse > 0 && firstProse < paragraphs.length ? paragraphs.slice(firstProse) : paragraphs;
  const out: BodyParagraph[] = [];
  let total = 0;
  let next: BodyParagraph | undefined;
  let headings = 0;
  for (const p of from) {
    const text = paragraphText(p);
    if (out.length > 0 && isLabel(text) && !BYLINE.test(text)) {
      // A heading after an opening that says enough starts the article's next section: the lede ends before it.
      // After a line or two it is left out and the lede goes on.
      if (total >= SHORT_OPENING || ++headings > 2) {
        next = p;
        break;
      }
      continue;
    }
    if (out.length > 0 && total + text.length > LEAD_MAX_CHARS) {
      next = p;
      break;
    }
    out.push(p);
    total += text.length + 2;
  }
  const led = proseLead(next ? [...out, next] : out).slice(0, out.length);
  const nextText = next ? paragraphText(next) : '';
  // An opening of one paragraph too short to say much ("[Cross-posting from Reddit.]", "… begins with this story:")
  // before a long paragraph: that paragraph's first whole sentences come too.
  const nextEnd =
    next && led.length === 1 && out.length === 1 && total < SHORT_OPENING && !isLabel(nextText) && !isNotProse(nextText) ? lastSentenceEnd(nextText, LEAD_MAX_CHARS - total) : undefined;
  if (nextEnd !== undefined && !/(?:\.\.|…)$/u.test(nextText.slice(0, nextEnd))) led.push(tidyParagraph(sliceParagraph(next!, 0, nextEnd)));
  else if (led.length === out.length && next && /:\s*$/u.test(paragraphText(led.at(-1)!))) {
    // Cut for length after a paragraph that introduces what follows ("It said this:"): that paragraph goes too, or,
    // when it is the only one, its words after its last whole sentence.
    const last = led.at(-1)!;
    const end = lastSentenceEndIn(paragraphText(last));
    if (led.length > 1) led.pop();
    else if (end !== undefined) led[0] = tidyParagraph(sliceParagraph(last, 0, end));
  }
  const first = led[0];
  if (led.length === 1 && first) {
    const end = lastSentenceEnd(paragraphText(first), LEAD_MAX_CHARS);
    if (end !== undefined) led[0] = tidyParagraph(sliceParagraph(first, 0, end));
  }
  return led;
}

/**
 * The paragraphs up to the first one that is not prose (a list, citations, code), once some prose came before it.
 * A last paragraph that introduced what went ("…here is how:") goes too, or, when it is the only one, its words
 * after its last whole sentence.
 */
export function proseLead(paragraphs: BodyParagraph[]): BodyParagraph[] {
  const out = proseOnly(paragraphs);
  // What is left may end like a cut ("We'll see..." before the citations): then on its last whole sentence.
  return out.length < paragraphs.length && /(?<![.!?])(?:…|\.{3})$/u.test(paragraphText(out.at(-1)!)) ? wholeSentences(out) : out;
}

function proseOnly(paragraphs: BodyParagraph[]): BodyParagraph[] {
  const stop = paragraphs.findIndex((p, i) => i > 0 && isNotProse(paragraphText(p)));
  if (stop < 0) return paragraphs;
  let out = paragraphs.slice(0, stop);
  const last = out.at(-1)!;
  const lastText = paragraphText(last);
  if (/:\s*$/u.test(lastText)) {
    const end = lastSentenceEndIn(lastText);
    if (out.length > 1) out = out.slice(0, -1);
    else if (end !== undefined) out = [tidyParagraph(sliceParagraph(last, 0, end))];
  }
  // A few words before a list ("We're live from WWDC 2018!", "In 2023, I did:") say less than the list: it stays.
  return isTagline(out.map(paragraphText).join(' ')) ? paragraphs : out;
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

/** Letters and digits only: texts compared whatever their spacing (a copy whose markup was dropped glues words). */
function letterKey(text: string): string {
  return wordKey(text).replace(/ /g, '');
}

/** A summary field that only repeats the full content (a podcast's description next to its content:encoded). */
function isCopyOf(summary: CleanedField, content: CleanedField): boolean {
  const ratio = summary.text.length / content.text.length;
  if (ratio < 0.7 || ratio > 1.4) return false; // far apart in length: no need to compare words
  const s = letterKey(summary.text);
  const c = letterKey(content.text);
  return s === c || (c.startsWith(s) && s.length >= 0.9 * c.length);
}

/**
 * `f` has the words of `other`, or their start, in fewer paragraphs: software dropped the breaks and glued what they
 * separated ("…going here:Episode 37 Show Notes"), and maybe cut it short (itunes:summary beside the description).
 */
function isFlattened(f: CleanedField, other: CleanedField): boolean {
  if (other.paragraphs.length <= f.paragraphs.length) return false;
  const s = letterKey(f.text);
  // It runs on past where as many of the other's paragraphs end: one summary that is the other's first paragraph is not it.
  const head = letterKey(other.paragraphs.slice(0, f.paragraphs.length).map(paragraphText).join(' '));
  return s.length > head.length && letterKey(other.text).startsWith(s);
}

/** `f` is the start of `other`, stopped inside a sentence ("…The first Design Details epi"). */
function isCutFrom(f: CleanedField, other: CleanedField): boolean {
  if (other.text.length <= f.text.length || SENTENCE_AT_END.test(f.text)) return false;
  const s = letterKey(f.text);
  const o = letterKey(other.text);
  return s.length > 0 && o.length > s.length && o.startsWith(s);
}

/** A teaser that only sends the reader to the text: one short sentence opening with "Read on", "Click here"…. */
function isTeaser(text: string): boolean {
  return /^(?:read on|keep reading|continue reading|click (?:here|through)|learn more)\b/iu.test(text) && text.split(/\s+/u).length <= 12 && !/[.!?]\s+\S/u.test(text);
}

/**
 * A tagline: fewer than TAGLINE_WORDS words, links aside ("Pour Some Sugar on Me", "Iterators, Observers, and Chains, Oh My!").
 * Podcasts put one in itunes:subtitle next to a description that says what the episode is about.
 */
const TAGLINE_WORDS = 8;
function isTagline(text: string): boolean {
  // Called on whole contents: the count stops at TAGLINE_WORDS, and the URL pattern (which V8 tries at every word
  // start) runs only on text that has the "://" every URL it matches contains.
  const words = text.includes('://') ? text.replace(URL_IN_TEXT, ' ') : text;
  let count = 0;
  for (const m of words.matchAll(/\S+/gu)) if (/[\p{L}\p{N}]/u.test(m[0]) && ++count >= TAGLINE_WORDS) return false;
  return true;
}

/** A line that is a list item: a bullet, a number ("3." "3)"), or a timestamp ("(0:41)", "12:30 -"). */
const LIST_ITEM = /^\s*(?:[•·▪‣◦●○■□*–—-]\s|\d{1,3}[.)]\s|\(?\d{1,2}:\d{2}(?::\d{2})?\)?\s)/u;
const TIMESTAMP = /\(\d{1,2}:\d{2}(?::\d{2})?\)/gu;
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/\S+/giu;

/** A field that says something in sentences: more words than a tagline, a sentence end among them, not a list. */
function isProse(f: CleanedField): boolean {
  return !isTagline(f.text) && /[.!?。！？]/u.test(f.text) && !isListLike(f.paragraphs);
}

/** Show notes: most lines of the field are list items. */
function isListLike(paragraphs: BodyParagraph[]): boolean {
  const lines = paragraphs.flatMap((p) => paragraphText(p).split('\n')).filter((l) => l.trim());
  const items = lines.filter((l) => LIST_ITEM.test(l)).length;
  return items >= 3 && items * 2 >= lines.length;
}

/**
 * Not prose: a list (most of its lines are items), citations (timestamps or links one after another), code (its text
 * is thick with brackets, semicolons and equals signs), or what follows a thematic break ("---", "* * *": a commit's
 * trailers, a signature).
 */
const THEMATIC_BREAK = /^(?:-{3,}|_{3,}|\*{3,}|\*(?: \*){2,})[^\S\n]*(?:\n|$)/u;
function isNotProse(text: string): boolean {
  if (isListLike([[{ text }]]) || THEMATIC_BREAK.test(text)) return true;
  if ((text.match(TIMESTAMP)?.length ?? 0) >= 2 || (text.includes('://') && (text.match(URL_IN_TEXT)?.length ?? 0) >= 3)) return true;
  const code = text.match(/[{}<>;=]/gu)?.length ?? 0;
  return code >= 10 && code >= text.length / 25;
}

/**
 * A short line with no sentence in it: a byline, a date, a label. Not one that ends in ":": that introduces what
 * follows ("Matt Birchler:" before a quote) and says whose words they are.
 */
function isLabel(text: string): boolean {
  return text.length <= 60 && !/[.!?。！？]["'”’»)\]]*(?:\s|$)/u.test(text) && !/:\s*$/u.test(text);
}

function isOnlyLinks(paragraphs: BodyParagraph[]): boolean {
  return paragraphs.some((p) => p.some((r) => r.href !== undefined)) && paragraphs.every((p) => p.every((r) => r.href !== undefined || !/[\p{L}\p{N}]/u.test(r.text)));
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
