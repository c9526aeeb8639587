/**
 * Turns an item into the flat token stream the packer consumes: blocks (title, attribution, paragraphs)
 * → sentences → words. A token is the smallest thing the packer may move to another part without cutting
 * it; only the grapheme fallback in the packer ever goes below a token.
 */
import type { Item } from '../core/item.js';
import type { Template } from '../config/template-schema.js';
import { isAbbreviation, openersLength } from './abbreviations.js';
import { cleanText, paragraphs } from './normalize.js';
import { graphemeFloor, segmentsOf } from './segment.js';
import { templateBlocks } from './template-text.js';
import { findUrls, type LinkSpan } from './urls.js';

/** What goes between this token and the previous one when both land in the same part. */
export type Sep = '' | ' ' | '\n' | '\n\n';

/** Which block of the item a token comes from: the packer keeps the lede in part 1 and counts body words. */
export type TokenRole = 'title' | 'attribution' | 'body';

export interface Token {
  text: string;
  role: TokenRole;
  sep: Sep;
  /** Tokens with the same id form one sentence: the unit the packer keeps together when it can. */
  sentence: number;
  /** Links inside `text` (UTF-16 offsets): never cut, and on Bluesky they become #link facets. */
  links: LinkSpan[];
}

interface Block {
  /** Cleaned text, whitespace not yet collapsed: it reads as its \S+ words joined by single spaces. */
  text: string;
  role: TokenRole;
  /** The attribution's leading dash must not be stranded at the end of a part. */
  glueFirstWord: boolean;
}

const hasWords = (text: string): boolean => /\S/u.test(text);

/** Title, attribution and paragraphs (or the template text's paragraphs), in order, produced as they are asked for. */
export function* itemBlocks(item: Item, template: Template): Generator<Block, void, undefined> {
  if (template.text !== undefined) {
    for (const block of templateBlocks(template.text, item)) yield { ...block, glueFirstWord: false };
    return;
  }
  const title = item.title === undefined ? '' : cleanText(item.title);
  if (template.title && hasWords(title)) yield { text: title, role: 'title', glueFirstWord: false };
  const attribution = item.attribution === undefined ? '' : cleanText(item.attribution);
  if (template.attribution && hasWords(attribution)) yield { text: `\u2014 ${attribution}`, role: 'attribution', glueFirstWord: true };
  for (const p of paragraphs(item.summary)) if (hasWords(p)) yield { text: p, role: 'body', glueFirstWord: false };
}

// Scripts written without spaces between words: a whitespace "word" there can be a whole sentence.
const NO_SPACE_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
// Mentions and hashtags must stay whole even when they are written in CJK (#東京タワー).
const HANDLE_OR_TAG = /[@＠#＃]/u;
const OPENING_PUNCT = /^[\p{Ps}\p{Pi}]+$/u;
// A list item's number or bullet, as sources write them (src/sources/plain-text.ts).
const LIST_MARKER = /^(?:\d{1,3}[.)]|•)$/u;

/** Budget for one part: more than the 3000 bytes a Bluesky part or the 280 weighted characters an X part holds. */
const PART_BUDGET = 4096;

/**
 * twitter-text accepts no URL longer than 4096 characters; a word longer than that plus some brackets and
 * punctuation is not a link someone wrote, and is not searched for one.
 */
export const MAX_LINKED_WORD = 4096 + 256;

interface Chunk {
  start: number;
  end: number;
  links: LinkSpan[];
  /** May be split between words by the word segmenter (no-space script, no URL/mention/hashtag). */
  splittable: boolean;
  /** Where the word starts once its opening brackets and quotes are skipped (for abbreviations). */
  coreStart: number;
  /** The word starts a line of its own inside the paragraph (a list item, a line after <br>). */
  lineStart: boolean;
}

function chunkOf(word: string, start: number, links: LinkSpan[], lineStart: boolean): Chunk {
  const splittable = links.length === 0 && !HANDLE_OR_TAG.test(word) && NO_SPACE_SCRIPT.test(word);
  return { start, end: start + word.length, links, splittable, coreStart: start + openersLength(word), lineStart };
}

// What a link costs against the budget (see textBudget): a part's worth divided by the most links a part can
// show (X counts each as 23 of its 280; Bluesky shows each in at most 40 graphemes of its 300).
const LINK_SIZE = Math.floor(PART_BUDGET / 12);

/** How much of a part a word can take up at most: its length, with each link counted as LINK_SIZE at most. */
function shownSize(word: string, links: LinkSpan[]): number {
  return links.reduce((size, l) => size - (l.end - l.start) + Math.min(l.end - l.start, LINK_SIZE), word.length);
}

/**
 * The block's text with whitespace collapsed, as far as its words' shown sizes (plus one for the break
 * before each) fit `budget`, and its words as chunks. A word without links that crosses the budget is kept
 * up to a grapheme boundary. Words past the budget are never looked at; `more` says there were some.
 */
function wordsWithin(raw: string, budget: number): { text: string; chunks: Chunk[]; spent: number; more: boolean } {
  const chunks: Chunk[] = [];
  let text = '';
  let spent = 0;
  // The first line break at or after the end of the previous word; found once per break, so reading stays linear.
  let wordEnd = 0;
  let nextBreak = -1;
  for (const m of raw.matchAll(/\S+/gu)) {
    let word = m[0];
    if (nextBreak < wordEnd) {
      const at = raw.indexOf('\n', wordEnd);
      nextBreak = at === -1 ? Infinity : at;
    }
    const lineStart = text !== '' && nextBreak < m.index;
    wordEnd = m.index + word.length;
    const links = word.length <= MAX_LINKED_WORD ? findUrls(word) : [];
    const size = shownSize(word, links) + 1;
    const over = spent + size > budget;
    // A word cut short keeps what the whole word is (splittable or not), so more text cannot change that.
    const whole = chunkOf(word, text ? text.length + 1 : 0, over ? [] : links, lineStart);
    if (over) word = word.slice(0, links.length === 0 ? graphemeFloor(word, budget - spent - 1) : 0);
    if (word) {
      text = text ? `${text} ${word}` : word;
      chunks.push({ ...whole, end: whole.start + word.length });
    }
    if (over) return { text, chunks, spent: budget, more: true };
    spent += size;
  }
  return { text, chunks, spent, more: false };
}

/** Index of the last chunk starting at or before `offset`, or -1. */
function chunkAt(chunks: Chunk[], offset: number): number {
  let lo = 0;
  let hi = chunks.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (chunks[mid]!.start <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * Sentence starts (UTF-16 offsets > 0, ascending). ICU breaks are kept only where they fall between
 * whitespace words, or inside a no-space-script word (CJK "。" has no space after it), and never after an
 * abbreviation; and at every line start.
 */
function sentenceStarts(text: string, chunks: Chunk[], locale: string): number[] {
  const starts = new Set<number>();
  for (const seg of segmentsOf(text, locale, 'sentence')) {
    let b = seg.index;
    // UAX #29 counts opening brackets as "Close", so "。「" breaks after the bracket; move the break
    // before it, or a part could end with a dangling "「".
    while (b > 0 && OPENING_PUNCT.test(text.charAt(b - 1))) b--;
    if (b === 0) continue;
    const i = chunkAt(chunks, b);
    const chunk = chunks[i];
    if (!chunk) continue;
    // The word the break would follow: the previous whole word, or the head of a no-space-script word.
    let core: string;
    if (chunk.start === b) {
      const previous = chunks[i - 1];
      if (!previous) continue;
      // "3." opening a list item ("…Sudinfo.be\n3. La Belgique…") numbers the line; it ends nothing.
      if ((i === 1 || previous.lineStart) && LIST_MARKER.test(text.slice(previous.start, previous.end))) continue;
      core = text.slice(Math.min(previous.coreStart, previous.end), previous.end);
    } else if (chunk.splittable && b < chunk.end) {
      core = text.slice(Math.min(chunk.coreStart, b), b);
    } else {
      continue;
    }
    if (isAbbreviation(core)) continue;
    starts.add(b);
  }
  // A line of its own (a list item, a line after <br>) is a unit like a sentence, punctuated or not.
  for (const chunk of chunks) if (chunk.lineStart) starts.add(chunk.start);
  return [...starts].sort((x, y) => x - y);
}

/**
 * Word tokens of a no-space-script run, which joined again give the run. Punctuation and emoji are not
 * "words" to ICU; they are glued to the word before (closing marks, "。") or after (opening brackets) so no
 * part starts with "。" or ends with "「".
 */
function wordsOf(text: string, locale: string): string[] {
  const words: string[] = [];
  let pending = '';
  for (const seg of segmentsOf(text, locale, 'word')) {
    if (seg.isWordLike) {
      words.push(pending + seg.segment);
      pending = '';
    } else if (words.length === 0 || pending || OPENING_PUNCT.test(seg.segment)) {
      // Once an opening mark waits for the next word, what follows it waits too: glued to the word before,
      // "（！）" would come out as "！）（".
      pending += seg.segment;
    } else {
      words[words.length - 1] += seg.segment;
    }
  }
  if (pending) {
    if (words.length > 0 && !OPENING_PUNCT.test(pending)) words[words.length - 1] += pending;
    else words.push(pending);
  }
  return words;
}

/** A position in a token stream: token index and UTF-16 offset into that token. */
export interface TokenPosition {
  tok: number;
  off: number;
}

/**
 * Tokens of one block, made of `chunks` (see wordsWithin); sentence ids continue from `firstSentence`.
 * `settled` is the position of block offset `settleAt` in them (see TokenStream.settled).
 */
function tokenizeBlock(
  block: Block,
  chunks: Chunk[],
  locale: string,
  firstSentence: number,
  settleAt = Infinity,
): { tokens: Token[]; settled: TokenPosition } {
  const { text } = block;
  const starts = sentenceStarts(text, chunks, locale);
  const tokens: Token[] = [];
  let settled: TokenPosition | undefined;
  const push = (token: Token, start: number): void => {
    if (!settled && start + token.text.length > settleAt) settled = { tok: tokens.length, off: Math.max(0, settleAt - start) };
    tokens.push(token);
  };
  let sentence = firstSentence;
  let next = 0; // first sentence start not yet passed: starts and chunks both ascend

  for (const chunk of chunks) {
    while (next < starts.length && starts[next]! < chunk.start) next++;
    if (starts[next] === chunk.start) {
      sentence++;
      next++;
    }
    const sep: Sep = chunk.lineStart ? '\n' : ' ';
    if (!chunk.splittable) {
      push({ text: text.slice(chunk.start, chunk.end), role: block.role, sep, sentence, links: chunk.links }, chunk.start);
      continue;
    }
    const bounds = [chunk.start];
    for (; next < starts.length && starts[next]! < chunk.end; next++) bounds.push(starts[next]!);
    bounds.push(chunk.end);
    for (let i = 0; i + 1 < bounds.length; i++) {
      if (i > 0) sentence++;
      let at = bounds[i]!; // the words of a run put back together are the run
      wordsOf(text.slice(bounds[i], bounds[i + 1]), locale).forEach((w, j) => {
        push({ text: w, role: block.role, sep: i === 0 && j === 0 ? sep : '', sentence, links: [] }, at);
        at += w.length;
      });
    }
  }
  settled ??= { tok: tokens.length, off: 0 };

  if (block.glueFirstWord && tokens.length >= 2) {
    const [a, b] = tokens as [Token, Token, ...Token[]];
    const shift = a.text.length + 1;
    const glued: Token = {
      text: `${a.text} ${b.text}`,
      role: a.role,
      sep: a.sep,
      sentence: a.sentence,
      links: [...a.links, ...b.links.map((l) => ({ ...l, start: l.start + shift, end: l.end + shift }))],
    };
    tokens.splice(0, 2, glued);
    if (settled.tok === 1) settled = { tok: 0, off: settled.off + shift };
    else if (settled.tok > 1) settled = { tok: settled.tok - 1, off: settled.off };
  }
  const first = tokens[0];
  if (first) first.sep = '\n\n';
  return { tokens, settled };
}

/**
 * The most of an item's text compose reads, counted as the parts would show it: a link counts LINK_SIZE at
 * most however long it is, anything else its UTF-16 length. A thread shows at most maxParts parts, and a part
 * holds at most 3000 bytes (Bluesky) or 280 weighted characters (X), so this leaves every part more room than
 * it can use, and one part more. A thread that would go on past it ends with "…" there, as it does at maxParts.
 * Compose first reads an eighth of it (see firstTextBudget), which is all most threads need.
 */
export function textBudget(maxParts: number): number {
  return (maxParts + 1) * PART_BUDGET;
}

/** What compose reads first: a 1 MiB word then costs what a few KiB do. */
export function firstTextBudget(maxParts: number): number {
  return textBudget(maxParts) / 8;
}

// How close to where reading stopped text may still change with what follows: ICU decides a sentence or word
// break by looking ahead (see segmentsOf), and the word at the stop was cut short.
const SETTLE_MARGIN = 1024;

export interface TokenStream {
  tokens: Token[];
  /** Reading stopped before the end of the item's text: the thread must end with "…" even if every token fits. */
  more: boolean;
  /**
   * With `more`, the first position that the unread text could still change (closer than SETTLE_MARGIN to
   * where reading stopped). Tokens before it are exactly what the whole text would give; a thread that
   * takes text from there on must be composed again from more of the text.
   */
  settled: TokenPosition | undefined;
}

/** Tokens of as much of the item's text as `budget` (see textBudget) allows. */
export function tokenize(item: Item, template: Template, locale: string, budget: number): TokenStream {
  const tokens: Token[] = [];
  let left = budget;
  let sentence = 0;
  for (const block of itemBlocks(item, template)) {
    const { text, chunks, spent, more } = wordsWithin(block.text, left);
    left -= spent;
    const settleAt = more ? text.length - SETTLE_MARGIN : Infinity;
    const read = tokenizeBlock({ ...block, text }, chunks, locale, sentence + 1, settleAt);
    // Offsets into a token with links do not survive Bluesky's shortening of them: then the whole token is unsettled.
    const off = read.tokens[read.settled.tok]?.links.length ? 0 : read.settled.off;
    const settled = { tok: tokens.length + read.settled.tok, off };
    for (const t of read.tokens) tokens.push(t);
    sentence = read.tokens.at(-1)?.sentence ?? sentence;
    if (more) return { tokens, more: true, settled };
  }
  return { tokens, more: false, settled: undefined };
}
