import { decodeHTML } from 'entities';

/**
 * feedsmith's rules for the text of a leaf field, which are not XML's: xml-feed-reader.ts keeps a leaf's raw markup
 * instead of letting htmlparser2 decode it, so that these rules alone decide the bytes extract.ts gets, and they give
 * the same value feedsmith's parser would.
 * - Comments are removed (even inside CDATA), CDATA sections kept literally, everything else HTML-entity-decoded
 *   (`&nbsp;` too, and only when a ";" follows the "&"), then trimmed; attribute values the same way. Line ends are
 *   LF (the reader normalises them before reading).
 * - Atom xhtml text keeps its markup: one wrapping `<div>` is removed, with its prefix on the tags inside.
 */

/** A leaf's raw markup as feedsmith reads it: comments out, CDATA literal, entities decoded elsewhere, trimmed. */
export function leafText(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const text = withoutComments(raw);
  let out = '';
  let from = 0;
  for (;;) {
    const open = text.indexOf('<![CDATA[', from);
    if (open === -1) break;
    const close = text.indexOf(']]>', open + 9);
    // An unterminated section: the whole text is decoded as if there were none.
    if (close === -1) return decoded(text).trim() || undefined;
    out += decoded(text.slice(from, open)) + text.slice(open + 9, close);
    from = close + 3;
  }
  return (out + decoded(text.slice(from))).trim() || undefined;
}

function decoded(text: string): string {
  const amp = text.indexOf('&');
  return amp !== -1 && text.indexOf(';', amp) !== -1 ? decodeHTML(text) : text;
}

/** Comments removed; an unterminated one leaves the text as it was. */
function withoutComments(text: string): string {
  let open = text.indexOf('<!--');
  if (open === -1) return text;
  let out = '';
  let from = 0;
  while (open !== -1) {
    const close = text.indexOf('-->', open + 4);
    if (close === -1) return text;
    out += text.slice(from, open);
    from = close + 3;
    open = text.indexOf('<!--', from);
  }
  return out + text.slice(from);
}

const verbatim = (text: string | undefined): string | undefined => (text ? text.trim() || undefined : undefined);

/** CDATA sections of xhtml written out as escaped text, so that the markup around them can be kept verbatim. */
const escapeCdata = (text: string): string =>
  text.includes('<![CDATA[') ? text.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, c: string) => c.replace(/&/g, '&amp;').replace(/</g, '&lt;')) : text;

const XHTML_DIV_START = /^\s*<(?:([a-zA-Z][\w.-]*):)?div[\s/>]/;

export const isXhtmlType = (type: string | undefined): boolean => type === 'xhtml' || type === 'application/xhtml+xml';

/** Top-level content of an xhtml text construct, to tell whether it is one div and nothing else. */
export interface XhtmlWatch {
  divs: Array<{ raw: string; innerStart: number; innerEnd: number }>;
  other: boolean;
  open?: { raw: string; innerStart: number };
}

/** An xhtml text construct's inner markup with one wrapping div removed; no value when it is not just that div. */
export interface UnwrappedDiv {
  value: string | undefined;
  prefix: string | undefined;
}

/** What is inside the div that is all of an xhtml text construct (`inner`, within `xml`), or undefined if it does not start with a div. */
export function unwrapDiv(xml: string, inner: string, watch: XhtmlWatch): UnwrappedDiv | undefined {
  const escaped = escapeCdata(inner);
  const match = XHTML_DIV_START.exec(escaped);
  if (!match) return undefined;
  const div = watch.divs[0];
  const localName = (raw: string) => raw.slice(raw.indexOf(':') + 1);
  if (watch.other || watch.divs.length !== 1 || !div || localName(div.raw) !== 'div') return { value: undefined, prefix: undefined };
  return { value: escapeCdata(xml.slice(div.innerStart, div.innerEnd)), prefix: match[1] };
}

/** An xhtml text construct's value, once it has been unwrapped: verbatim markup, the div's prefix taken off its tags. */
export function xhtmlText(inner: string | undefined, unwrapped: UnwrappedDiv): string | undefined {
  if (unwrapped.value === undefined) return verbatim(escapeCdata(inner ?? ''));
  let value = unwrapped.value;
  if (value === '') return undefined;
  if (unwrapped.prefix) value = value.replace(new RegExp(`(</?)${unwrapped.prefix.replace(/\./g, '\\.')}:`, 'g'), '$1');
  return verbatim(value);
}
