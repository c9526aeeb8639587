import { TextDecoder } from 'node:util';

/**
 * Bytes → text, for feeds (and the HTML pages of media/link-preview.ts). The encoding is chosen in this order:
 *
 * 1. A byte-order mark. It is part of the bytes and cannot be wrong by accident, while a Content-Type charset is
 *    often a server-wide default that nobody checked against this file; so, as in browsers (WHATWG Encoding,
 *    "decode") and unlike RFC 7303's order, a BOM beats the header. A BOM contradicting the header is the strongest
 *    sign that the header is wrong.
 * 2. UTF-16 without a BOM, recognised by NUL bytes interleaved with ASCII at the start (XML 1.0 appendix F): no
 *    ASCII-compatible label can describe such bytes, so they win over every label.
 * 3. The Content-Type `charset` parameter, then
 * 4. the XML declaration's `encoding` (or, for an HTML page, its `<meta charset>`), then
 * 5. detection: UTF-8 when the bytes read as UTF-8, else windows-1252, the usual encoding of unlabelled legacy text.
 *
 * A label is skipped (the next step decides) when it is unknown, or when the bytes contradict it:
 * - a UTF-16 label on bytes that are neither (1) nor (2): the label was read from ASCII, so it is false;
 * - a UTF-8 label on bytes that do not read as UTF-8 (mostly invalid sequences): a feed in a legacy encoding whose
 *   server adds "charset=utf-8" to everything;
 * - a legacy label (windows-1251, iso-8859-1, gbk…) on bytes that are entirely valid UTF-8 with multi-byte
 *   characters: such text is practically never in a legacy encoding, while feeds moved to UTF-8 with the old
 *   declaration left in place are common. Read the other way, every such character would be mojibake ("Ã©").
 *
 * Every label Node's full-ICU TextDecoder knows is decoded (windows-125x, iso-8859-x, koi8-r/u, gbk/gb18030,
 * big5, shift_jis, euc-jp, iso-2022-jp, euc-kr…). Undecodable bytes become U+FFFD rather than failing the feed.
 */
export function decodeBody(bytes: Uint8Array, contentType?: string): string {
  const decoder = new TextDecoder(sniffCharset(bytes, contentType));
  const text = decoder.decode(bytes);
  return decoder.encoding === 'windows-1252' ? fixWindows1252(text) : text;
}

/**
 * Node 20's TextDecoder decodes windows-1252 (and its aliases iso-8859-1, latin1) as plain ISO-8859-1, leaving
 * 0x80–0x9F as C1 controls. The WHATWG table maps them to curly quotes, dashes, € and friends: apply it.
 */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
function fixWindows1252(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
}

/** The encoding `decodeBody` uses, as a TextDecoder encoding name (see there for the order). */
export function sniffCharset(bytes: Uint8Array, contentType?: string): string {
  const fromBytes = byteOrderMark(bytes) ?? utf16WithoutBom(bytes);
  if (fromBytes) return fromBytes;
  let evidence: Utf8Evidence | undefined;
  const utf8 = () => (evidence ??= utf8Evidence(bytes));
  for (const label of [headerCharset(contentType), documentCharset(bytes)]) {
    const encoding = label && encodingOf(label);
    if (!encoding || encoding.startsWith('utf-16')) continue;
    if (encoding === 'utf-8') {
      if (readsAsUtf8(utf8())) return encoding;
      continue;
    }
    const e = utf8();
    return e.multiByte > 0 && e.invalid === 0 ? 'utf-8' : encoding;
  }
  return readsAsUtf8(utf8()) ? 'utf-8' : 'windows-1252';
}

function byteOrderMark(b: Uint8Array): string | undefined {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  return undefined;
}

/** "<?" or whitespace as UTF-16: one ASCII byte and one NUL, in either order, twice. */
function utf16WithoutBom(b: Uint8Array): string | undefined {
  if (b.length < 4) return undefined;
  const [b0, b1, b2, b3] = [b[0], b[1], b[2], b[3]];
  if (b0 !== 0 && b0! < 0x80 && b1 === 0 && b2 !== 0 && b2! < 0x80 && b3 === 0) return 'utf-16le';
  if (b0 === 0 && b1 !== 0 && b1! < 0x80 && b2 === 0 && b3 !== 0 && b3! < 0x80) return 'utf-16be';
  return undefined;
}

function headerCharset(contentType: string | undefined): string | undefined {
  return contentType ? /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType)?.[1] : undefined;
}

/** The XML declaration's encoding; for an HTML page (an error message will say so) its meta charset. */
function documentCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  const decl = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']\s*([A-Za-z0-9._:-]+)\s*["']/.exec(head);
  if (decl) return decl[1];
  if (!/^\s*(?:<!--(?:[^-]|-(?!->))*-->\s*)*<(?:!doctype\s+html\b|html\b|head\b)/i.test(head)) return undefined;
  return /<meta\s[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head)?.[1];
}

/** The TextDecoder name for a label, or undefined when Node does not decode it. */
function encodingOf(label: string): string | undefined {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
}

interface Utf8Evidence {
  /** Well-formed sequences of two to four bytes. */
  multiByte: number;
  /** Bytes that start no well-formed sequence. */
  invalid: number;
}

/**
 * UTF-8 with a few broken bytes (a title cut mid-character) is still UTF-8: the broken bytes become U+FFFD. Text in
 * a legacy encoding is mostly invalid as UTF-8, since its letters (0xC0–0xFF) are seldom followed by 0x80–0xBF.
 */
function readsAsUtf8(e: Utf8Evidence): boolean {
  return e.invalid === 0 || e.multiByte > e.invalid;
}

function utf8Evidence(b: Uint8Array): Utf8Evidence {
  let multiByte = 0;
  let invalid = 0;
  let i = 0;
  while (i < b.length) {
    const lead = b[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // RFC 3629: the lead byte fixes the length and the range of the second byte (no overlongs, no surrogates).
    let length = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) lo = 0xa0;
      if (lead === 0xed) hi = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) lo = 0x90;
      if (lead === 0xf4) hi = 0x8f;
    }
    let ok = length > 0 && i + length <= b.length && b[i + 1]! >= lo && b[i + 1]! <= hi;
    for (let k = 2; ok && k < length; k++) ok = b[i + k]! >= 0x80 && b[i + k]! <= 0xbf;
    if (ok) {
      multiByte++;
      i += length;
    } else {
      invalid++;
      i++;
    }
  }
  return { multiByte, invalid };
}
