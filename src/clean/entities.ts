import { Parser } from 'htmlparser2';

/**
 * Text that was escaped twice by its feed: after the one decoding that is right (see src/sources/plain-text.ts)
 * it still shows `&#769;`, `&quot;` or `&laquo;`. Those are decoded once more. `&lt;`, `&gt;` and `&amp;` on their
 * own are no evidence: writers about markup mean them literally ("Use &lt;b&gt; for bold"). So a text is decoded
 * only when it holds a real entity other than those three, and then wholly, the three included.
 */
const ENTITY = /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g;
const MARKUP_ENTITY = /^&(?:lt|gt|amp);$/i;
/** The controls and bidi overrides src/sources/plain-text.ts strips (stripControls), and U+FFFD for a bad number. */
// eslint-disable-next-line no-control-regex
const UNWANTED = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffd]/;

/** How many entity-like strings are tried before a text is taken for escaped once: enough for any real feed. */
const MAX_CANDIDATES = 200;

export function looksDoubleEscaped(text: string): boolean {
  let tried = 0;
  for (const m of text.matchAll(ENTITY)) {
    if (MARKUP_ENTITY.test(m[0])) continue;
    if (decodeOne(m[0]) !== m[0]) return true;
    if (++tried >= MAX_CANDIDATES) return false;
  }
  return false;
}

/**
 * Every entity in `text` decoded once, by the same HTML parser that did the first decoding; the rest kept as is.
 * An entity that decodes to a control character is dropped (a whitespace one becomes a space): what sources strip
 * must not come back through a second decoding (`&amp;#27;[2J`).
 */
export function decodeEntitiesOnce(text: string): string {
  return text.replace(ENTITY, (entity) => {
    const out = decodeOne(entity);
    if (/^[\t\n\v\f\r]$/.test(out)) return ' ';
    return UNWANTED.test(out) ? '' : out;
  });
}

/** Decoded entities, remembered: a double-escaped text repeats the same few thousands of times. */
const decoded = new Map<string, string>();

function decodeOne(entity: string): string {
  const known = decoded.get(entity);
  if (known !== undefined) return known;
  const out = parseEntity(entity);
  if (decoded.size < 5_000) decoded.set(entity, out);
  return out;
}

function parseEntity(entity: string): string {
  let out = '';
  const parser = new Parser({
    ontext(t) {
      out += t;
    },
  });
  parser.write(entity);
  parser.end();
  return out;
}
