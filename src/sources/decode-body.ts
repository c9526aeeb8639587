import { TextDecoder } from 'node:util';

/**
 * Bytes → text. The charset comes from, in order: a byte-order mark, the Content-Type `charset` parameter,
 * the XML declaration's `encoding`, else UTF-8 (RFC 7303; JSON is UTF-8 anyway). Unknown charset labels fall back
 * to UTF-8; undecodable bytes become U+FFFD rather than failing the feed.
 */
export function decodeBody(bytes: Uint8Array, contentType?: string): string {
  const charset = sniffCharset(bytes, contentType);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
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

export function sniffCharset(bytes: Uint8Array, contentType?: string): string {
  const [b0, b1, b2] = [bytes[0], bytes[1], bytes[2]];
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return 'utf-8';
  if (b0 === 0xfe && b1 === 0xff) return 'utf-16be';
  if (b0 === 0xff && b1 === 0xfe) return 'utf-16le';
  const fromHeader = contentType ? /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1] : undefined;
  if (fromHeader && isKnown(fromHeader)) return fromHeader.toLowerCase();
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  const fromDecl = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  if (fromDecl && isKnown(fromDecl)) return fromDecl.toLowerCase();
  return 'utf-8';
}

function isKnown(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}
