/**
 * Text clean-up shared by every platform. Feeds hand us BOMs, control characters, CRLF and odd
 * normalisation; posting them would either fail validation (twitter-text rejects U+FEFF/U+FFFE/U+FFFF)
 * or make X's NFC count disagree with Bluesky's grapheme count.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// C0 except \t \n, DEL, C1, BOM and the two noncharacters twitter-text refuses.
// eslint-disable-next-line no-control-regex
const UNWANTED = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFEFF\uFFFE\uFFFF]/g;

export function cleanText(raw: string): string {
  return raw
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/\r\n?/g, '\n')
    .replace(UNWANTED, '')
    .normalize('NFC');
}

/** All whitespace (incl. NBSP, ideographic space, line breaks) to single spaces, trimmed. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

/** Paragraphs are separated by a blank line; single line breaks inside a paragraph are soft. */
export function paragraphs(summary: string): string[] {
  return cleanText(summary)
    .split(/\n[^\S\n]*\n/u)
    .map(collapseWhitespace)
    .filter((p) => p.length > 0);
}

export function singleLine(text: string): string {
  return collapseWhitespace(cleanText(text));
}
