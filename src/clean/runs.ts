import type { BodyParagraph, BodyRun } from './types.js';

/** Helpers for paragraphs held as runs of text (see types.ts): cutting them by text offset keeps the links. */

export function paragraphText(p: BodyParagraph): string {
  return p.map((r) => r.text).join('');
}

export function textParagraph(text: string): BodyParagraph {
  return text ? [{ text }] : [];
}

/** The runs covering text offsets [start, end) of the paragraph. */
export function sliceParagraph(p: BodyParagraph, start: number, end = Infinity): BodyParagraph {
  const out: BodyRun[] = [];
  let at = 0;
  for (const run of p) {
    const from = Math.max(start, at);
    const to = Math.min(end, at + run.text.length);
    if (to > from) out.push({ ...run, text: run.text.slice(from - at, to - at) });
    at += run.text.length;
  }
  return out;
}

/** Whether some link's text overlaps text offsets [start, end) of the paragraph. */
export function coversLink(p: BodyParagraph, start: number, end: number): boolean {
  let at = 0;
  for (const run of p) {
    const runEnd = at + run.text.length;
    if (run.href !== undefined && runEnd > start && at < end) return true;
    at = runEnd;
  }
  return false;
}

/**
 * Where the last sentence of `text` starts: after the last line break, or sentence end followed by a space and a
 * capital ("Inc. column" goes on), else 0.
 */
export function lastSentenceStart(text: string): number {
  let start = 0;
  for (const m of text.matchAll(/[.!?…。！？]["'”’)]*\s+(?=["'“‘(]?\p{Lu})|\n/gu)) start = m.index + m[0].length;
  return start;
}

/**
 * Spaces collapsed across runs ("word " + " link" → "word link"), the paragraph's ends trimmed, empty runs dropped
 * and neighbouring runs with the same link merged.
 */
export function tidyParagraph(p: BodyParagraph): BodyParagraph {
  // Most paragraphs come here tidy already (converted HTML, every later step's output): they are only copied.
  if (isTidy(p)) return p.map((run) => ({ ...run }));
  const collapsed: BodyRun[] = [];
  let afterSpace = true;
  for (const run of p) {
    let text = run.text.replace(/[ \t]{2,}/g, ' ');
    if (afterSpace) text = text.replace(/^[ \t]+/, '');
    if (text) afterSpace = /\s$/.test(text);
    collapsed.push({ ...run, text });
  }
  const text = paragraphText(collapsed);
  const start = text.length - text.trimStart().length;
  const end = text.trimEnd().length;
  const out: BodyRun[] = [];
  for (const run of sliceParagraph(collapsed, start, end)) {
    if (!run.text) continue;
    const last = out[out.length - 1];
    if (last && last.href === run.href) last.text += run.text;
    else out.push({ ...run });
  }
  return out;
}

/**
 * Whether tidyParagraph would give back the same runs: none empty, no two neighbours with the same link, no two spaces
 * or tabs in a row, none after a run that ends with whitespace, and no whitespace at either end.
 */
function isTidy(p: BodyParagraph): boolean {
  for (let i = 0; i < p.length; i++) {
    const text = p[i]!.text;
    if (!text || /[ \t]{2}/.test(text)) return false;
    const prev = p[i - 1];
    if (prev ? prev.href === p[i]!.href || (/^[ \t]/.test(text) && /\s$/.test(prev.text)) : /^\s/.test(text)) return false;
  }
  return p.length === 0 || !/\s$/.test(p[p.length - 1]!.text);
}

/** Each run's text mapped (within the run), then the paragraph tidied. */
export function mapRuns(p: BodyParagraph, map: (text: string) => string): BodyParagraph {
  return tidyParagraph(p.map((run) => ({ ...run, text: map(run.text) })));
}

/** Letters-and-digits words, lower-cased: for comparing texts regardless of punctuation, quotes and case. */
export interface Word {
  word: string;
  start: number;
  end: number;
}

export function wordsOf(text: string): Word[] {
  const out: Word[] = [];
  // ASCII text lower-cases letter for letter, offsets unchanged: once for the whole text rather than word by word.
  if (/^[\x00-\x7f]*$/.test(text)) {
    for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}\p{M}]+/gu)) out.push({ word: m[0], start: m.index, end: m.index + m[0].length });
    return out;
  }
  for (const m of text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) out.push({ word: comparable(m[0]), start: m.index, end: m.index + m[0].length });
  return out;
}

function comparable(word: string): string {
  return /^[\x00-\x7f]*$/.test(word) ? word.toLowerCase() : word.normalize('NFKC').toLowerCase();
}

/** The first of wordsOf(text)'s words, the rest left unread; undefined when it has none. */
export function firstWordOf(text: string): string | undefined {
  const m = /[\p{L}\p{N}\p{M}]+/u.exec(text);
  return m ? comparable(m[0]) : undefined;
}

const WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u;

/** The last of wordsOf(text)'s words, read back from the end (code point by code point, as /u matching steps). */
export function lastWordOf(text: string): string | undefined {
  let end = text.length;
  while (end > 0 && !WORD_CHAR.test(codePointBefore(text, end))) end -= codePointBefore(text, end).length;
  let start = end;
  while (start > 0 && WORD_CHAR.test(codePointBefore(text, start))) start -= codePointBefore(text, start).length;
  return start < end ? comparable(text.slice(start, end)) : undefined;
}

function codePointBefore(text: string, i: number): string {
  const pair = i >= 2 && /^[\ud800-\udbff][\udc00-\udfff]$/.test(text.slice(i - 2, i));
  return text.slice(pair ? i - 2 : i - 1, i);
}

export function wordKey(text: string): string {
  return wordsOf(text)
    .map((w) => w.word)
    .join(' ');
}
