/**
 * The tags of an XML feed as htmlparser2 10 reports them in xmlMode without entity decoding, in one pass of our own.
 *
 * The streaming reader (xml-feed-reader.ts) was written against htmlparser2's events and is checked against
 * feedsmith on every fixture; htmlparser2's tokenizer reads the document a character at a time, about a third of
 * the reader's time on a large feed (`npm run bench`, ingest). This pass gives the reader the same events, index for
 * index, and skips text with indexOf. It reads what htmlparser2 reads, faults included: a "<" that starts no tag is
 * text; `<!x…` is a declaration to the ">" after the character that follows "<!" (`<!-x`: after that one), reported
 * as a processing instruction, as are `<?…>` instructions, which end at the first ">"; an attribute name takes its
 * first character whatever it is, even "="; an end tag's name runs to white space or ">", and closes the innermost
 * open element of that name and every element inside it (those as implied), or nothing when none is open; what is
 * open at the end closes as implied. The structure check (xml-prep.ts) decides beforehand which documents the reader
 * reads at all; tests/sources/xml-scan.test.ts compares this pass with htmlparser2 on every one it lets through.
 */

export interface XmlSink {
  /** `quote` is the quote character, or undefined for an attribute without a value or with an unquoted one. */
  attribute(name: string, value: string, quote: '"' | "'" | undefined): void;
  /** After its attributes; `tagEnd` is the index of the start tag's ">". */
  open(name: string, tagEnd: number): void;
  /** `closeStart` is the index of the end tag's "<", or -1 for an element closed by itself (`<x/>`) or as implied. */
  close(closeStart: number): void;
  /** Text between tags or inside a CDATA section, as indexes; never empty. */
  text(start: number, end: number): void;
  comment(): void;
  /** A processing instruction or a declaration. */
  instruction(): void;
}

const GT = 62;
const SLASH = 47;
const EQ = 61;
const BANG = 33;
const QUESTION = 63;
const DQ = 34;
const SQ = 39;
const DASH = 45;
const BRACKET = 91;

/** White space as htmlparser2 reads it: space, tab, line feed, form feed, carriage return. */
const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 12 || c === 13;
const endsName = (c: number): boolean => isSpace(c) || c === SLASH || c === GT;

/**
 * The open elements, innermost last, with a count of each name: an end tag that names no open element is passed
 * over without a search of them all. Many such tags over many open elements (`<a></a/>` repeated: the structure
 * check takes `</a/>` for `</a>`, htmlparser2 for an end tag named "a/") made the scan quadratic, as htmlparser2's own
 * search is: seconds for a few hundred kilobytes.
 */
class OpenElements {
  readonly names: string[] = [];
  private readonly counts = new Map<string, number>();

  push(name: string): void {
    this.names.push(name);
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  pop(): void {
    const name = this.names.pop()!;
    this.counts.set(name, this.counts.get(name)! - 1);
  }

  /** Index of the innermost open element named `name`, or -1. */
  innermost(name: string): number {
    return (this.counts.get(name) ?? 0) > 0 ? this.names.lastIndexOf(name) : -1;
  }
}

export function scanXml(xml: string, sink: XmlSink): void {
  const length = xml.length;
  const open = new OpenElements();
  let textStart = 0;
  let i = xml.indexOf('<');
  const flushText = (end: number) => {
    if (end > textStart) sink.text(textStart, end);
  };
  while (i !== -1 && i + 1 < length) {
    const lt = i;
    const c = xml.charCodeAt(lt + 1);
    let next: number;
    if (c === SLASH) {
      let j = lt + 2;
      while (j < length && isSpace(xml.charCodeAt(j))) j++;
      if (j < length && xml.charCodeAt(j) === GT) {
        // `</>`: text.
        i = xml.indexOf('<', j + 1);
        continue;
      }
      flushText(lt);
      next = endTag(xml, lt, j, open, sink);
    } else if (c === BANG) {
      flushText(lt);
      next = bang(xml, lt, sink);
    } else if (c === QUESTION) {
      flushText(lt);
      next = declaration(xml, lt + 2, sink);
    } else if (endsName(c)) {
      // Not a tag: text, which goes on.
      i = xml.indexOf('<', lt + 1);
      continue;
    } else {
      flushText(lt);
      next = startTag(xml, lt, open, sink);
    }
    if (next === -1) {
      // The document ends inside a tag. htmlparser2 drops an unfinished tag (and may report what follows a "<!" or
      // "<?" as text); the structure check never lets such a document through to the reader.
      textStart = length;
      break;
    }
    textStart = next;
    i = xml.indexOf('<', next);
  }
  flushText(length);
  for (let k = open.names.length - 1; k >= 0; k--) sink.close(-1);
}

/** `</name …>`, its name starting at `j`; returns the index after it, or -1 at the end of the document inside it. */
function endTag(xml: string, lt: number, j: number, open: OpenElements, sink: XmlSink): number {
  const length = xml.length;
  if (j >= length) return -1;
  if (xml.charCodeAt(j) === SLASH) {
    // `<//…>`: a comment to htmlparser2.
    const end = xml.indexOf('>', j);
    if (end === -1) return -1;
    sink.comment();
    return end + 1;
  }
  const nameStart = j;
  while (j < length) {
    const d = xml.charCodeAt(j);
    if (d === GT || isSpace(d)) break;
    j++;
  }
  if (j >= length) return -1;
  const name = xml.slice(nameStart, j);
  const end = xml.charCodeAt(j) === GT ? j : xml.indexOf('>', j);
  const at = open.innermost(name);
  if (at !== -1) {
    while (open.names.length > at + 1) {
      open.pop();
      sink.close(-1);
    }
    open.pop();
    sink.close(lt);
  }
  return end === -1 ? length : end + 1;
}

/** `<!…`: a comment, a CDATA section or a declaration; returns the index after it. */
function bang(xml: string, lt: number, sink: XmlSink): number {
  const length = xml.length;
  const c = xml.charCodeAt(lt + 2);
  if (c === DASH) {
    if (xml.charCodeAt(lt + 3) === DASH) {
      // The opening's own dashes may end it: `<!-->` is a whole comment.
      const end = xml.indexOf('-->', lt + 2);
      sink.comment();
      return end === -1 ? length : end + 3;
    }
    // `<!-x`: a declaration from after the "x".
    return declaration(xml, lt + 4, sink);
  }
  if (c === BRACKET) {
    const sequence = 'CDATA[';
    let k = 0;
    while (k < sequence.length && xml.charCodeAt(lt + 3 + k) === sequence.charCodeAt(k)) k++;
    if (k < sequence.length) return declaration(xml, lt + 3 + k, sink);
    const start = lt + 9;
    const end = xml.indexOf(']]>', start);
    if (end === -1) {
      if (length > start) sink.text(start, length);
      return length;
    }
    if (end > start) sink.text(start, end);
    return end + 3;
  }
  // `<!x…`: the character after "<!" is taken whatever it is.
  return declaration(xml, lt + 3, sink);
}

function declaration(xml: string, from: number, sink: XmlSink): number {
  const end = xml.indexOf('>', from);
  if (end === -1) return -1;
  sink.instruction();
  return end + 1;
}

/** `<name attributes>` or `<name attributes/>`; returns the index after it, or -1 at the end inside it. */
function startTag(xml: string, lt: number, open: OpenElements, sink: XmlSink): number {
  const length = xml.length;
  let j = lt + 1;
  while (j < length && !endsName(xml.charCodeAt(j))) j++;
  const name = xml.slice(lt + 1, j);
  for (;;) {
    while (j < length && isSpace(xml.charCodeAt(j))) j++;
    if (j >= length) return -1;
    const c = xml.charCodeAt(j);
    if (c === GT) {
      sink.open(name, j);
      open.push(name);
      return j + 1;
    }
    if (c === SLASH) {
      // "/", white space, ">" closes the element at once; "/" before anything else is passed over.
      let k = j + 1;
      while (k < length && isSpace(xml.charCodeAt(k))) k++;
      if (k >= length) return -1;
      if (xml.charCodeAt(k) === GT) {
        sink.open(name, k);
        sink.close(-1);
        return k + 1;
      }
      j = k;
      continue;
    }
    // An attribute: its name takes this character, whatever it is, then runs to "=", white space, "/" or ">".
    const nameStart = j;
    j++;
    while (j < length) {
      const d = xml.charCodeAt(j);
      if (d === EQ || endsName(d)) break;
      j++;
    }
    const attribute = xml.slice(nameStart, j);
    while (j < length && isSpace(xml.charCodeAt(j))) j++;
    if (j >= length) return -1;
    if (xml.charCodeAt(j) !== EQ) {
      sink.attribute(attribute, '', undefined);
      continue;
    }
    j++;
    while (j < length && isSpace(xml.charCodeAt(j))) j++;
    if (j >= length) return -1;
    const q = xml.charCodeAt(j);
    if (q === DQ || q === SQ) {
      const close = xml.indexOf(q === DQ ? '"' : "'", j + 1);
      if (close === -1) return -1;
      sink.attribute(attribute, xml.slice(j + 1, close), q === DQ ? '"' : "'");
      j = close + 1;
      continue;
    }
    // Unquoted: up to white space or ">" ("/" included: `a=b/>` does not close the element).
    const valueStart = j;
    while (j < length) {
      const d = xml.charCodeAt(j);
      if (isSpace(d) || d === GT) break;
      j++;
    }
    sink.attribute(attribute, xml.slice(valueStart, j), undefined);
  }
}
