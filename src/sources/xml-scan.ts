/**
 * One pass over an XML feed that both checks its element structure and reports its tags to a reader.
 *
 * It replaces two passes: a structure scan (depth and balance) and htmlparser2's tokenizer, which fed the streaming
 * reader (xml-feed-reader.ts) and on a large feed took twice as long as the scan (`npm run bench`, ingest). Text
 * between tags is skipped with indexOf, not read character by character.
 *
 * What it reports is what htmlparser2 10 reports in xmlMode without entity decoding, which the reader was written
 * against (tests/sources/xml-feed-reader.test.ts compares the reader with feedsmith on every fixture):
 * - a start tag's name ends at whitespace, "/" or ">"; attributes are read as htmlparser2 reads them (white space
 *   around "=", values in either quote, unquoted values up to white space or ">", names without a value), raw;
 * - comments end at the first "-->" (`<!-->` is one), CDATA sections at the first "]]>", and their text is text;
 *   other declarations end at the first ">" and are reported as processing instructions, as htmlparser2 does.
 * - Except for processing instructions, which end at "?>" as in XML (and feedsmith), not at the first ">".
 *
 * Where htmlparser2 would read past a fault, this scan calls the document unbalanced instead, and the caller reads
 * it the slow way, as before (parse-feed.ts): an end tag that does not name the innermost open element, one with
 * white space before its name, a "<" that starts no tag, a document that ends inside a tag or with elements open.
 */

export type XmlStructure = 'too-deep' | 'unbalanced' | 'balanced';

export interface XmlSink {
  /** `quote` is the quote character, or undefined for an attribute without a value or with an unquoted one. */
  attribute(name: string, value: string, quote: '"' | "'" | undefined): void;
  /** After its attributes; `tagEnd` is the index of the start tag's ">". */
  open(name: string, tagEnd: number): void;
  /** `closeStart` is the index of the end tag's "<", or -1 for an element that closed itself (`<x/>`). */
  close(closeStart: number): void;
  /** Text between tags or inside a CDATA section, as indexes; never empty. */
  text(start: number, end: number): void;
  comment(): void;
  /** A processing instruction or a declaration. */
  instruction(): void;
}

const LT = 60;
const GT = 62;
const SLASH = 47;
const EQ = 61;
const BANG = 33;
const QUESTION = 63;
const DQ = 34;
const SQ = 39;

/** XML's white space as htmlparser2 reads it: space, tab, line feed, form feed, carriage return. */
const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 12 || c === 13;
const endsName = (c: number): boolean => isSpace(c) || c === SLASH || c === GT;

/**
 * Scans `xml`: 'too-deep' as soon as an element opens with `limit` elements open (the sink hears nothing more),
 * 'unbalanced' for the faults above (the sink may have heard part of the document), else 'balanced'.
 */
export function scanXml(xml: string, limit: number, sink: XmlSink): XmlStructure {
  const open: string[] = [];
  const length = xml.length;
  let balanced = true;
  let i = 0;
  while (i < length) {
    const lt = xml.indexOf('<', i);
    if (lt === -1) {
      sink.text(i, length);
      break;
    }
    if (lt > i) sink.text(i, lt);
    const c = xml.charCodeAt(lt + 1);
    if (c === SLASH) {
      // An end tag: its name, then anything up to ">".
      let j = lt + 2;
      while (j < length && !endsName(xml.charCodeAt(j))) j++;
      const end = xml.indexOf('>', j);
      if (end === -1) return 'unbalanced';
      const name = open.pop();
      if (name === undefined || j - (lt + 2) !== name.length || !xml.startsWith(name, lt + 2)) balanced = false;
      else sink.close(lt);
      i = end + 1;
      continue;
    }
    if (c === BANG) {
      if (xml.startsWith('<!--', lt)) {
        const end = xml.indexOf('-->', lt + 2);
        if (end === -1) return 'unbalanced';
        sink.comment();
        i = end + 3;
      } else if (xml.startsWith('<![CDATA[', lt)) {
        const end = xml.indexOf(']]>', lt + 9);
        if (end === -1) return 'unbalanced';
        if (end > lt + 9) sink.text(lt + 9, end);
        i = end + 3;
      } else {
        // A declaration: htmlparser2 reports it as a processing instruction.
        const end = xml.indexOf('>', lt + 2);
        if (end === -1) return 'unbalanced';
        sink.instruction();
        i = end + 1;
      }
      continue;
    }
    if (c === QUESTION) {
      // Up to "?>", as XML and fast-xml-parser (under feedsmith) have it; htmlparser2 stops at the first ">".
      const end = xml.indexOf('?>', lt + 1);
      if (end === -1) return 'unbalanced';
      sink.instruction();
      i = end + 2;
      continue;
    }
    if (lt + 1 >= length) return 'unbalanced';
    if (endsName(c)) {
      // A "<" that starts no tag: text to htmlparser2, a fault here. The scan goes on, for the depth.
      balanced = false;
      i = lt + 1;
      continue;
    }
    // A start tag: its name, its attributes, then ">" or "/>".
    let j = lt + 1;
    while (j < length && !endsName(xml.charCodeAt(j))) j++;
    const name = xml.slice(lt + 1, j);
    const tag = startTagRest(xml, j, sink);
    if (tag === -1) return 'unbalanced';
    const selfClosing = tag < 0;
    const tagEnd = selfClosing ? -tag - 2 : tag;
    if (!selfClosing && open.length >= limit) return 'too-deep';
    sink.open(name, tagEnd);
    if (selfClosing) sink.close(-1);
    else open.push(name);
    i = tagEnd + 1;
  }
  return balanced && open.length === 0 ? 'balanced' : 'unbalanced';
}

/**
 * Reads a start tag's attributes from `from` (just past its name) to its ">", reporting each. Returns the index of
 * ">", or -(index + 2) when the tag closes itself, or -1 when the document ends first.
 */
function startTagRest(xml: string, from: number, sink: XmlSink): number {
  const length = xml.length;
  let j = from;
  for (;;) {
    while (j < length && isSpace(xml.charCodeAt(j))) j++;
    if (j >= length) return -1;
    const c = xml.charCodeAt(j);
    if (c === GT) return j;
    if (c === SLASH) {
      // "/" then white space then ">" closes the tag; a "/" followed by anything else is ignored.
      let k = j + 1;
      while (k < length && isSpace(xml.charCodeAt(k))) k++;
      if (k >= length) return -1;
      if (xml.charCodeAt(k) === GT) return -(k + 2);
      j = k;
      continue;
    }
    // An attribute name runs to "=", white space, "/" or ">".
    const nameStart = j;
    while (j < length) {
      const d = xml.charCodeAt(j);
      if (d === EQ || endsName(d)) break;
      j++;
    }
    const name = xml.slice(nameStart, j);
    while (j < length && isSpace(xml.charCodeAt(j))) j++;
    if (j >= length) return -1;
    if (xml.charCodeAt(j) !== EQ) {
      sink.attribute(name, '', undefined);
      continue;
    }
    j++;
    while (j < length && isSpace(xml.charCodeAt(j))) j++;
    if (j >= length) return -1;
    const q = xml.charCodeAt(j);
    if (q === DQ || q === SQ) {
      const close = xml.indexOf(q === DQ ? '"' : "'", j + 1);
      if (close === -1) return -1;
      sink.attribute(name, xml.slice(j + 1, close), q === DQ ? '"' : "'");
      j = close + 1;
      continue;
    }
    // Unquoted: up to white space or ">" ("/" included, so `a=b/>` does not close the tag).
    const valueStart = j;
    while (j < length) {
      const d = xml.charCodeAt(j);
      if (isSpace(d) || d === GT) break;
      j++;
    }
    sink.attribute(name, xml.slice(valueStart, j), undefined);
  }
}

const NO_SINK: XmlSink = { attribute() {}, open() {}, close() {}, text() {}, comment() {}, instruction() {} };

/** Whether the document nests elements more than `limit` deep: the scan alone, stopped at the first element past it. */
export function nestsDeeperThan(xml: string, limit: number): boolean {
  return scanXml(xml, limit, NO_SINK) === 'too-deep';
}
