/**
 * Intl.Segmenter access: locale resolution, cached segmenters and grapheme helpers.
 * Everything that must never cut inside a user-perceived character goes through here.
 *
 * V8 spends time proportional to the whole string on every segment it hands out (and on every
 * containing() call), so segmenting a long string in one go is quadratic: 100 000 characters take
 * seconds. Text of unbounded length is therefore only ever segmented here, in bounded windows.
 */

type Granularity = 'grapheme' | 'word' | 'sentence';

const cache = new Map<string, Intl.Segmenter>();

/**
 * The item's BCP 47 tag when ICU knows it, else 'en'. Never the host default: that differs between
 * machines and would make compose output depend on where it runs.
 */
export function resolveLocale(language: string | undefined): string {
  if (language) {
    try {
      const [canonical] = Intl.getCanonicalLocales(language.replace(/_/g, '-'));
      if (canonical && Intl.Segmenter.supportedLocalesOf([canonical]).length > 0) return canonical;
    } catch {
      // malformed tag from a feed: fall through to the fixed default
    }
  }
  return 'en';
}

export function segmenter(locale: string, granularity: Granularity): Intl.Segmenter {
  const key = `${granularity}\u0000${locale}`;
  let s = cache.get(key);
  if (!s) {
    s = new Intl.Segmenter(locale, { granularity });
    cache.set(key, s);
  }
  return s;
}

// Grapheme clusters do not depend on locale (UAX #29 extended clusters), so one segmenter serves all.
const graphemeSegmenter = (): Intl.Segmenter => segmenter('en', 'grapheme');

// Windows start small (a caller may want only the first few clusters) and grow to a size where V8's cost
// per segment stays near its constant part.
const FIRST_GRAPHEME_WINDOW = 64;
const GRAPHEME_WINDOW = 1024;

/** `start + size`, clamped, and moved back so a window never ends between the halves of a surrogate pair. */
function windowEnd(text: string, start: number, size: number): number {
  const end = Math.min(text.length, start + size);
  const splitsPair =
    end < text.length &&
    end - 1 > start &&
    /[\uD800-\uDBFF]/.test(text.charAt(end - 1)) &&
    /[\uDC00-\uDFFF]/.test(text.charAt(end));
  return splitsPair ? end - 1 : end;
}

/**
 * Every grapheme-cluster boundary after `from` (which must itself be one), ascending, ending with
 * text.length. Segmentation restarts exactly at a boundary: UAX #29 decides a boundary from what lies
 * before it and the one code point after it. So each window starts at a known boundary, all boundaries
 * inside it are final, and only its last cluster, which may run on past the window, is segmented again.
 */
export function* graphemeBoundariesAfter(
  text: string,
  from = 0,
  window = GRAPHEME_WINDOW,
): Generator<number, void, undefined> {
  let start = from;
  let size = Math.min(FIRST_GRAPHEME_WINDOW, window);
  while (start < text.length) {
    const end = windowEnd(text, start, size);
    const found: number[] = [];
    for (const s of graphemeSegmenter().segment(text.slice(start, end))) {
      if (s.index > 0) found.push(start + s.index);
    }
    if (end === text.length) {
      yield* found;
      yield text.length;
      return;
    }
    const last = found.at(-1);
    if (last === undefined) {
      size *= 2; // one cluster fills the whole window (a letter under thousands of combining marks)
      continue;
    }
    yield* found;
    start = last;
    size = Math.min(2 * size, window);
  }
}

export function graphemeCount(text: string): number {
  let n = 0;
  for (const _ of graphemeBoundariesAfter(text)) n++;
  return n;
}

/** graphemeCount(text) <= max, without counting past max + 1. */
export function hasAtMostGraphemes(text: string, max: number): boolean {
  let n = 0;
  for (const _ of graphemeBoundariesAfter(text)) if (++n > max) return false;
  return true;
}

/** First `max` graphemes, or the whole text when it is shorter. */
export function takeGraphemes(text: string, max: number): string {
  if (max <= 0) return '';
  let n = 0;
  for (const b of graphemeBoundariesAfter(text)) if (++n === max) return text.slice(0, b);
  return text;
}

/**
 * The last grapheme boundary at or before `at`. Only text.slice(0, at + 2) is segmented: a boundary is
 * decided by what precedes it and the code point after it, so nothing further on can move this one.
 */
export function graphemeFloor(text: string, at: number): number {
  if (at >= text.length) return text.length;
  if (at <= 0) return 0;
  return graphemeSegmenter().segment(text.slice(0, at + 2)).containing(at)?.index ?? 0;
}

/**
 * The grapheme boundaries of one text, found only as far as they are asked for, so cutting a prefix off
 * a long text costs what the prefix costs.
 */
export class GraphemeBoundaries {
  private readonly known: number[] = [0];
  private readonly rest: Iterator<number, void>;

  constructor(readonly text: string) {
    this.rest = graphemeBoundariesAfter(text);
  }

  /** The i-th boundary (the 0th is 0), or undefined past text.length. */
  at(i: number): number | undefined {
    while (this.known.length <= i) if (!this.extend()) return undefined;
    return this.known[i];
  }

  /** Index of the first boundary at or after `offset` (an offset past the end gives the index of text.length). */
  indexFrom(offset: number): number {
    while (this.known.at(-1)! < offset) if (!this.extend()) break;
    let lo = 0;
    let hi = this.known.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.known[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private extend(): boolean {
    const next = this.rest.next();
    if (next.done) return false;
    this.known.push(next.value);
    return true;
  }
}

export interface TextSegment {
  index: number;
  segment: string;
  /** Word granularity only. */
  isWordLike?: boolean | undefined;
}

// Word and sentence rules look further ahead than grapheme rules (a break after "etc." depends on whether a
// lower-case word follows), so windows overlap: a segment is kept only when it ends SEGMENT_MARGIN before its
// window does. Texts up to SEGMENT_WINDOW are segmented whole, exactly as one segment() call would.
const SEGMENT_WINDOW = 4096;
const SEGMENT_MARGIN = 512;

/** Word or sentence segments of `text`, in order, in time linear in its length. */
export function* segmentsOf(
  text: string,
  locale: string,
  granularity: 'word' | 'sentence',
  window = SEGMENT_WINDOW,
  margin = SEGMENT_MARGIN,
): Generator<TextSegment, void, undefined> {
  const s = segmenter(locale, granularity);
  if (text.length <= window) {
    yield* s.segment(text);
    return;
  }
  const of = (x: Intl.SegmentData, start: number): TextSegment => ({
    index: start + x.index,
    segment: x.segment,
    isWordLike: x.isWordLike,
  });
  let start = 0;
  let size = window;
  while (start < text.length) {
    const end = windowEnd(text, start, size);
    const kept: TextSegment[] = [];
    for (const x of s.segment(text.slice(start, end))) {
      if (end < text.length && start + x.index + x.segment.length > end - margin) break;
      kept.push(of(x, start));
    }
    if (end === text.length) {
      yield* kept;
      return;
    }
    const last = kept.at(-1);
    if (last === undefined) {
      size *= 2; // one segment longer than the window
      continue;
    }
    yield* kept;
    start = last.index + last.segment.length;
    size = window;
  }
}

/** Bytes of `text` in UTF-8, as TextEncoder writes it (a lone surrogate as U+FFFD), without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
