/**
 * Intl.Segmenter access: locale resolution, cached segmenters and grapheme helpers.
 * Everything that must never cut inside a user-perceived character goes through here.
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

export function graphemeCount(text: string): number {
  let n = 0;
  for (const _ of graphemeSegmenter().segment(text)) n++;
  return n;
}

/** UTF-16 offsets where a cut is allowed: 0, every cluster start, and text.length. */
export function graphemeBoundaries(text: string): number[] {
  const out: number[] = [];
  for (const s of graphemeSegmenter().segment(text)) out.push(s.index);
  out.push(text.length);
  return out;
}

/** First `max` graphemes, or the whole text when it is shorter. */
export function takeGraphemes(text: string, max: number): string {
  let n = 0;
  for (const s of graphemeSegmenter().segment(text)) {
    if (n === max) return text.slice(0, s.index);
    n++;
  }
  return text;
}

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}
