/**
 * Text clean-up shared by every platform. Feeds hand us BOMs, control characters, CRLF and odd
 * normalisation; posting them would either fail validation (twitter-text rejects U+FEFF/U+FFFE/U+FFFF)
 * or make X's NFC count disagree with Bluesky's grapheme count.
 *
 * This runs on the whole of an item's text before compose reads only a bounded prefix of it, so it must
 * stay linear with a small constant. Global RegExp replace and split are not, on hostile text: a replace
 * costs a fraction of a microsecond per match even natively (a million NULs take 0.3 s), and twitter-text
 * loads core-js polyfills that make split(regex) try a match at every offset of the string.
 */

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

// C0 except \t \n (and \r, turned into \n), DEL, C1, BOM and the two noncharacters twitter-text refuses.
const isUnwanted = (c: number): boolean =>
  c <= 0x08 || c === 0x0b || c === 0x0c || (c >= 0x0e && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) ||
  c === 0xfeff || c === 0xfffe || c === 0xffff;

/** The code units out[0..n) as a string, a few thousand at a time (an argument list has a size limit). */
function fromCodeUnits(out: Uint16Array, n: number): string {
  const chunks: string[] = [];
  for (let at = 0; at < n; at += 8192) chunks.push(String.fromCharCode(...out.subarray(at, Math.min(n, at + 8192))));
  return chunks.join('');
}

/**
 * Lone surrogates become U+FFFD, CRLF and lone CR become LF, unwanted control characters and
 * noncharacters are dropped, and the result is NFC. Text that needs none of it is not copied; text that
 * does is rewritten into one buffer, never into a string per change (a million changes would cost seconds).
 */
export function cleanText(raw: string): string {
  let out: Uint16Array | undefined;
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    let width = 1;
    let replacement: number | undefined; // undefined: keep; -1: drop
    if (isHigh(c) && isLow(raw.charCodeAt(i + 1))) {
      width = 2; // a well-formed pair, kept
    } else if (isHigh(c) || isLow(c)) {
      replacement = 0xfffd;
    } else if (c === 0x0d) {
      replacement = 0x0a;
      if (raw.charCodeAt(i + 1) === 0x0a) width = 2;
    } else if (isUnwanted(c)) {
      replacement = -1;
    }
    if (replacement !== undefined && !out) {
      out = new Uint16Array(raw.length);
      for (let j = 0; j < i; j++) out[j] = raw.charCodeAt(j);
      n = i;
    }
    if (out) {
      if (replacement === undefined) for (let k = 0; k < width; k++) out[n++] = raw.charCodeAt(i + k);
      else if (replacement >= 0) out[n++] = replacement;
    }
    i += width - 1;
  }
  return (out ? fromCodeUnits(out, n) : raw).normalize('NFC');
}

/** All whitespace (incl. NBSP, ideographic space, line breaks) to single spaces, trimmed. */
export function collapseWhitespace(text: string): string {
  return Array.from(text.matchAll(/\S+/gu), (m) => m[0]).join(' ');
}

/**
 * Paragraphs are separated by a blank line; a single line break inside a paragraph starts a line of its own
 * (sources keep only the breaks the author made: list items, <br>; see src/compose/tokens.ts). Whitespace
 * inside them is left for the reader to collapse (a paragraph reads as its \S+ words joined by single
 * spaces, see collapseWhitespace): compose collapses only as much of a long text as it reads, and stops
 * asking for paragraphs once it has read enough.
 */
export function* paragraphs(summary: string): Generator<string, void, undefined> {
  const text = cleanText(summary);
  let from = 0;
  for (const m of text.matchAll(/\n[^\S\n]*\n/gu)) {
    yield text.slice(from, m.index);
    from = m.index + m[0].length;
  }
  yield text.slice(from);
}

export function singleLine(text: string): string {
  return collapseWhitespace(cleanText(text));
}
