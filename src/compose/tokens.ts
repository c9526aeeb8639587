/**
 * Turns an item into the flat token stream the packer consumes: blocks (title, attribution, paragraphs)
 * → sentences → words. A token is the smallest thing the packer may move to another part without cutting
 * it; only the grapheme fallback in the packer ever goes below a token.
 */
import type { Item } from '../core/item.js';
import type { Template } from '../config/template-schema.js';
import { endsWithAbbreviation } from './abbreviations.js';
import { paragraphs, singleLine } from './normalize.js';
import { segmenter } from './segment.js';
import { findUrls, type LinkSpan } from './urls.js';

/** What goes between this token and the previous one when both land in the same part. */
export type Sep = '' | ' ' | '\n\n';

export interface Token {
  text: string;
  sep: Sep;
  /** Tokens with the same id form one sentence: the unit the packer keeps together when it can. */
  sentence: number;
  /** Links inside `text` (UTF-16 offsets): never cut, and on Bluesky they become #link facets. */
  links: LinkSpan[];
}

interface Block {
  text: string;
  /** The attribution's leading dash must not be stranded at the end of a part. */
  glueFirstWord: boolean;
}

export function itemBlocks(item: Item, template: Template): Block[] {
  const blocks: Block[] = [];
  const title = item.title === undefined ? '' : singleLine(item.title);
  if (template.title && title) blocks.push({ text: title, glueFirstWord: false });
  const attribution = item.attribution === undefined ? '' : singleLine(item.attribution);
  if (template.attribution && attribution) blocks.push({ text: `\u2014 ${attribution}`, glueFirstWord: true });
  for (const p of paragraphs(item.summary)) blocks.push({ text: p, glueFirstWord: false });
  return blocks;
}

// Scripts written without spaces between words: a whitespace "word" there can be a whole sentence.
const NO_SPACE_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
// Mentions and hashtags must stay whole even when they are written in CJK (#東京タワー).
const HANDLE_OR_TAG = /[@＠#＃]/u;
const OPENING_PUNCT = /^[\p{Ps}\p{Pi}]+$/u;

interface Chunk {
  start: number;
  end: number;
  links: LinkSpan[];
  /** May be split between words by the word segmenter (no-space script, no URL/mention/hashtag). */
  splittable: boolean;
}

function chunksOf(text: string): Chunk[] {
  const out: Chunk[] = [];
  for (const m of text.matchAll(/\S+/gu)) {
    const word = m[0];
    const links = findUrls(word);
    const splittable = links.length === 0 && !HANDLE_OR_TAG.test(word) && NO_SPACE_SCRIPT.test(word);
    out.push({ start: m.index, end: m.index + word.length, links, splittable });
  }
  return out;
}

/**
 * Sentence starts (UTF-16 offsets > 0). ICU breaks are kept only where they fall between whitespace
 * words, or inside a no-space-script word (CJK "。" has no space after it), and never after an
 * abbreviation.
 */
function sentenceStarts(text: string, chunks: Chunk[], locale: string): Set<number> {
  const chunkStarts = new Set(chunks.map((c) => c.start));
  const starts = new Set<number>();
  for (const seg of segmenter(locale, 'sentence').segment(text)) {
    let b = seg.index;
    // UAX #29 counts opening brackets as "Close", so "。「" breaks after the bracket; move the break
    // before it, or a part could end with a dangling "「".
    while (b > 0 && OPENING_PUNCT.test(text.charAt(b - 1))) b--;
    if (b === 0) continue;
    const between = chunkStarts.has(b);
    const insideSplittable = chunks.some((c) => c.splittable && c.start < b && b < c.end);
    if (!between && !insideSplittable) continue;
    if (endsWithAbbreviation(text.slice(0, b))) continue;
    starts.add(b);
  }
  return starts;
}

/**
 * Word tokens of a no-space-script run. Punctuation and emoji are not "words" to ICU; they are glued to
 * the word before (closing marks, "。") or after (opening brackets) so no part starts with "。" or
 * ends with "「".
 */
function wordsOf(text: string, locale: string): string[] {
  const words: string[] = [];
  let pending = '';
  for (const seg of segmenter(locale, 'word').segment(text)) {
    if (seg.isWordLike) {
      words.push(pending + seg.segment);
      pending = '';
    } else if (words.length === 0 || OPENING_PUNCT.test(seg.segment)) {
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

/** Tokens of one block; sentence ids continue from `firstSentence`. */
function tokenizeBlock(block: Block, locale: string, firstSentence: number): Token[] {
  const { text } = block;
  const chunks = chunksOf(text);
  const starts = sentenceStarts(text, chunks, locale);
  const tokens: Token[] = [];
  let sentence = firstSentence;

  for (const chunk of chunks) {
    if (starts.has(chunk.start)) sentence++;
    if (!chunk.splittable) {
      tokens.push({ text: text.slice(chunk.start, chunk.end), sep: ' ', sentence, links: chunk.links });
      continue;
    }
    const cuts = [...starts].filter((b) => chunk.start < b && b < chunk.end).sort((a, b) => a - b);
    const bounds = [chunk.start, ...cuts, chunk.end];
    for (let i = 0; i + 1 < bounds.length; i++) {
      if (i > 0) sentence++;
      const words = wordsOf(text.slice(bounds[i], bounds[i + 1]), locale);
      words.forEach((w, j) => {
        tokens.push({ text: w, sep: i === 0 && j === 0 ? ' ' : '', sentence, links: [] });
      });
    }
  }

  if (block.glueFirstWord && tokens.length >= 2) {
    const [a, b] = tokens as [Token, Token, ...Token[]];
    const shift = a.text.length + 1;
    const glued: Token = {
      text: `${a.text} ${b.text}`,
      sep: a.sep,
      sentence: a.sentence,
      links: [...a.links, ...b.links.map((l) => ({ ...l, start: l.start + shift, end: l.end + shift }))],
    };
    tokens.splice(0, 2, glued);
  }
  const first = tokens[0];
  if (first) first.sep = '\n\n';
  return tokens;
}

export function tokenize(item: Item, template: Template, locale: string): Token[] {
  const out: Token[] = [];
  let sentence = 0;
  for (const block of itemBlocks(item, template)) {
    const tokens = tokenizeBlock(block, locale, sentence + 1);
    out.push(...tokens);
    sentence = tokens.at(-1)?.sentence ?? sentence;
  }
  return out;
}
