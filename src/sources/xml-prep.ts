/**
 * Making an XML feed safe and a little more forgiving before it is validated and parsed.
 *
 * - A byte-order mark and whitespace before the XML declaration are removed. XML 1.0 (§2.8) forbids anything before
 *   `<?xml`, but a blank first line is common in real feeds (a PHP template's newline), every feed reader accepts
 *   it, and fast-xml-parser refuses it ("XML declaration allowed only at the start of the document").
 * - The DOCTYPE is removed entirely: no external DTD or entity is ever fetched or read, and no declared entity is
 *   expanded (billion laughs, XXE). References to such entities stay as literal text (`&name;`).
 * - A bare `&` that starts no entity reference ("Tom & Jerry") is escaped, the most common fault in real feeds.
 *
 * `toOriginal` maps a position in the prepared text back to the input, so error positions point at the document
 * the operator can open.
 */
export interface PreparedXml {
  xml: string;
  /** The DOCTYPE declared entities (which are now ignored). */
  droppedEntities: boolean;
  /** Line and column (1-based) in the prepared text → the same place in the input. */
  toOriginal(line: number, col: number): { line: number; col: number };
}

/** The start of a CDATA section or a comment, or an ampersand that starts no entity or character reference. */
const SECTION_OR_BARE_AMP = /<!\[CDATA\[|<!--|&(?!(?:[A-Za-z_:][\w.:-]*|#\d+|#x[0-9A-Fa-f]+);)/g;

/**
 * Indexes of the bare ampersands outside CDATA sections and comments. Each section's end is found with indexOf,
 * and an unterminated one ends the scan (the validator refuses the document anyway): a lazy regex such as
 * <!\[CDATA\[[\s\S]*?\]\]> would rescan to the end of the text from every unterminated "<![CDATA[" or "<!--",
 * which is quadratic in a hostile document.
 */
function bareAmpersands(xml: string): number[] {
  const found: number[] = [];
  const token = new RegExp(SECTION_OR_BARE_AMP.source, 'g');
  for (let m = token.exec(xml); m; m = token.exec(xml)) {
    if (m[0] === '&') {
      found.push(m.index);
      continue;
    }
    const end = xml.indexOf(m[0] === '<!--' ? '-->' : ']]>', m.index + m[0].length);
    if (end === -1) break;
    token.lastIndex = end + 3;
  }
  return found;
}

export function prepareXml(input: string): PreparedXml {
  let xml = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  // Leading whitespace goes (whether or not a declaration follows; before a root element it is harmless anyway):
  // the lines and columns it took are added back to positions.
  const leading = /^\s*/.exec(xml)?.[0] ?? '';
  xml = xml.slice(leading.length);
  const leadingLines = leading.split('\n').length - 1;
  const leadingCols = leading.length - (leading.lastIndexOf('\n') + 1);
  let droppedEntities = false;

  const doctype = findDoctype(xml);
  // Column shifts caused by the DOCTYPE removal, only on the line where it ended: [line, shift].
  let doctypeShift: { line: number; fromCol: number; shift: number } | undefined;
  if (doctype) {
    const removed = xml.slice(doctype.start, doctype.end);
    droppedEntities = /<!ENTITY/i.test(removed);
    const newlines = removed.replace(/[^\n]/g, '');
    const before = xml.slice(0, doctype.start);
    const lineOfEnd = before.split('\n').length + newlines.length;
    const lastLineLen = removed.length - (removed.lastIndexOf('\n') + 1);
    const startCol = before.length - (before.lastIndexOf('\n') + 1);
    xml = before + newlines + xml.slice(doctype.end);
    doctypeShift = { line: lineOfEnd, fromCol: newlines.length ? 1 : startCol + 1, shift: newlines.length ? lastLineLen : removed.length };
  }

  // Bare ampersands outside CDATA sections and comments: remember where each insertion happened, per line.
  const inserted = new Map<number, number[]>();
  let line = 1;
  let lineStart = 0; // index of the current line's first character
  // The first newline not yet counted: each is looked for once, so a long line with many "&" stays linear.
  let nextNewline = xml.indexOf('\n');
  let copied = 0;
  let out = '';
  for (const idx of bareAmpersands(xml)) {
    while (nextNewline !== -1 && nextNewline < idx) {
      line++;
      lineStart = nextNewline + 1;
      nextNewline = xml.indexOf('\n', lineStart);
    }
    out += `${xml.slice(copied, idx)}&amp;`;
    copied = idx + 1;
    const list = inserted.get(line) ?? [];
    list.push(idx - lineStart + 1);
    inserted.set(line, list);
  }
  out += xml.slice(copied);

  return {
    xml: out,
    droppedEntities,
    toOriginal(l: number, col: number): { line: number; col: number } {
      let c = col;
      // Undo the "&" → "&amp;" insertions before this column (each added 4 characters).
      const list = inserted.get(l) ?? [];
      let shift = 0;
      for (const ampCol of list) if (ampCol + shift < c) shift += 4;
      c -= shift;
      if (doctypeShift && l === doctypeShift.line && c >= doctypeShift.fromCol) c += doctypeShift.shift;
      return { line: l + leadingLines, col: l === 1 ? c + leadingCols : c };
    },
  };
}

/** The DOCTYPE declaration in the prolog, with its internal subset, honouring quotes and comments. */
export function findDoctype(xml: string): { start: number; end: number } | undefined {
  const m = /<!DOCTYPE\b/i.exec(xml.slice(0, 4096));
  if (!m) return undefined;
  const firstElement = /<[A-Za-z_]/.exec(xml);
  if (firstElement && firstElement.index < m.index) return undefined; // not in the prolog
  let i = m.index + m[0].length;
  let depth = 0;
  while (i < xml.length) {
    const ch = xml[i];
    if (ch === '"' || ch === "'") {
      const close = xml.indexOf(ch, i + 1);
      if (close < 0) return { start: m.index, end: xml.length };
      i = close + 1;
      continue;
    }
    if (xml.startsWith('<!--', i)) {
      const close = xml.indexOf('-->', i + 4);
      if (close < 0) return { start: m.index, end: xml.length };
      i = close + 3;
      continue;
    }
    if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    else if (ch === '>' && depth === 0) return { start: m.index, end: i + 1 };
    i++;
  }
  return { start: m.index, end: xml.length };
}

/**
 * Whether the document nests elements more than `limit` deep: a linear scan of the tags that skips comments,
 * CDATA sections, processing instructions and declarations, honours quoted attribute values (which may hold ">"
 * and "/>"), and stops at the first element past the limit. Exact for a well-formed document; one it counts
 * short (stray end tags) is not well-formed, and the validator that runs next refuses it.
 */
export function nestsDeeperThan(xml: string, limit: number): boolean {
  return elementStructure(xml, limit) === 'too-deep';
}

/**
 * The scan of nestsDeeperThan, to its end: 'too-deep' as soon as an element is more than `limit` deep; else
 * 'unbalanced' when an end tag does not name the element it closes, or the document ends with elements open or
 * inside a tag (fast-xml-parser reads past all three without a word); else 'balanced'. Every XML feed passes here
 * before it is read, so the open elements are kept as where their names start and how long they are, not as copies.
 */
export function elementStructure(xml: string, limit: number): 'too-deep' | 'unbalanced' | 'balanced' {
  const nameStarts: number[] = [];
  const nameLengths: number[] = [];
  let balanced = true;
  let verdict: 'too-deep' | 'unbalanced' | undefined;
  walkTags(xml, (kind, index, end) => {
    if (end === -1) {
      verdict = 'unbalanced';
      return false;
    }
    if (kind === END_TAG) {
      const start = nameStarts.pop();
      const length = nameLengths.pop();
      if (balanced && (start === undefined || !closes(xml, index, end, start, length!))) balanced = false;
    } else if (kind === START_TAG && xml.charCodeAt(end - 1) !== SLASH) {
      if (nameStarts.length >= limit) {
        verdict = 'too-deep';
        return false;
      }
      nameStarts.push(index + 1);
      nameLengths.push(nameLength(xml, index + 1));
    }
    return true;
  });
  return verdict ?? (balanced && nameStarts.length === 0 ? 'balanced' : 'unbalanced');
}

/** How long the name is that starts at `from`: up to white space, "/", ">" or the end. */
function nameLength(xml: string, from: number): number {
  let j = from;
  while (j < xml.length && !isNameEnd(xml.charCodeAt(j))) j++;
  return j - from;
}

/** Whether the end tag at `index` (its ">" at `end`) names the element whose name is at `nameStart`. */
function closes(xml: string, index: number, end: number, nameStart: number, nameLen: number): boolean {
  const from = index + 2;
  if (from + nameLen > xml.length) return false;
  for (let k = 0; k < nameLen; k++) if (xml.charCodeAt(from + k) !== xml.charCodeAt(nameStart + k)) return false;
  const after = from + nameLen;
  return after === end || isNameEnd(xml.charCodeAt(after));
}

const SLASH = 0x2f;
const GT = 0x3e;
const BANG = 0x21;
const QUESTION = 0x3f;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

/** Space, tab, LF, CR, "/" or ">". */
const isNameEnd = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === SLASH || c === GT;

const START_TAG = 0;
const END_TAG = 1;
const OTHER_TAG = 2;
type TagKind = typeof START_TAG | typeof END_TAG | typeof OTHER_TAG;

/**
 * The document's tags in order, in one linear pass, each given to `visit` with the index of its "<" and of where it
 * ends (-1: the document ends inside it, and the walk stops there) until `visit` returns false: comments, CDATA
 * sections, processing instructions and declarations are "other" and skipped whole; quoted attribute values may
 * hold ">" and "/>". A start tag ending "/>" closes itself.
 */
function walkTags(xml: string, visit: (kind: TagKind, index: number, end: number) => boolean): void {
  let i = xml.indexOf('<');
  while (i !== -1) {
    const next = xml.charCodeAt(i + 1);
    let kind: TagKind;
    let end: number;
    if (next === SLASH) {
      kind = END_TAG;
      end = xml.indexOf('>', i);
    } else if (next === BANG || next === QUESTION) {
      kind = OTHER_TAG;
      const close = xml.startsWith('<!--', i) ? '-->' : xml.startsWith('<![CDATA[', i) ? ']]>' : next === QUESTION ? '?>' : '>';
      end = xml.indexOf(close, i);
    } else {
      kind = START_TAG;
      end = startTagEnd(xml, i + 1);
    }
    if (!visit(kind, i, end) || end === -1) return;
    i = xml.indexOf('<', end + 1);
  }
}

/** Index of the ">" that closes the start tag whose name begins at `from`, or -1. */
function startTagEnd(xml: string, from: number): number {
  const gt = xml.indexOf('>', from);
  if (gt === -1) return -1;
  // Most tags hold no quote before their ">": then that ">" is the end.
  let j = from;
  while (j < gt) {
    const c = xml.charCodeAt(j);
    if (c === DOUBLE_QUOTE || c === SINGLE_QUOTE) break;
    j++;
  }
  if (j === gt) return gt;
  for (let quote = 0; j < xml.length; j++) {
    const c = xml.charCodeAt(j);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === DOUBLE_QUOTE || c === SINGLE_QUOTE) quote = c;
    else if (c === GT) return j;
  }
  return -1;
}

export interface OpenElement {
  name: string;
  /** Index of its "<" in the scanned text. */
  index: number;
}

/**
 * The elements a document leaves open at its end, outermost first: what a truncated download looks like. A linear
 * scan with the skipping rules of nestsDeeperThan; an end tag closes the innermost open element whatever its name
 * (the validator reports mismatches itself).
 */
export function openElementsAtEnd(xml: string): OpenElement[] {
  const open: OpenElement[] = [];
  walkTags(xml, (kind, index, end) => {
    if (kind === END_TAG) open.pop();
    else if (kind === START_TAG && !(end !== -1 && xml.charCodeAt(end - 1) === SLASH)) {
      const name = /^[^\s/>]+/.exec(xml.slice(index + 1, index + 201))?.[0];
      if (name) open.push({ name, index });
    }
    return true;
  });
  return open;
}

/** Whether the document holds nothing but processing instructions (the XML declaration), comments and whitespace. */
export function hasNoContent(xml: string): boolean {
  let i = 0;
  for (;;) {
    while (i < xml.length && /\s/.test(xml[i]!)) i++;
    if (i === xml.length) return true;
    const close = xml.startsWith('<?', i) ? '?>' : xml.startsWith('<!--', i) ? '-->' : undefined;
    const end = close ? xml.indexOf(close, i + 2) : -1;
    if (end === -1) return false;
    i = end + close!.length;
  }
}
