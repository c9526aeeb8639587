/**
 * Making an XML feed safe and a little more forgiving before it is validated and parsed.
 *
 * - The DOCTYPE is removed entirely: no external DTD or entity is ever fetched or read, and no declared entity is
 *   expanded (billion laughs, XXE). References to such entities stay as literal text (`&name;`).
 * - A bare `&` that starts no entity reference ("Tom & Jerry") is escaped, the most common fault in real feeds.
 *
 * Both keep line numbers unchanged, and `toOriginalColumn` maps a column in the prepared text back to the input,
 * so error positions point at the document the operator can open.
 */
export interface PreparedXml {
  xml: string;
  /** The DOCTYPE declared entities (which are now ignored). */
  droppedEntities: boolean;
  /** Column in the prepared text (1-based) → column in the original, for a given line (1-based). */
  toOriginalColumn(line: number, col: number): number;
}

const SKIP_OR_BARE_AMP = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|&(?!(?:[A-Za-z_:][\w.:-]*|#\d+|#x[0-9A-Fa-f]+);)/g;

export function prepareXml(input: string): PreparedXml {
  let xml = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
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
  let scanned = 0; // newlines before this index are counted
  let copied = 0;
  let out = '';
  for (const m of xml.matchAll(SKIP_OR_BARE_AMP)) {
    if (m[0] !== '&') continue;
    const idx = m.index;
    for (let i = xml.indexOf('\n', scanned); i !== -1 && i < idx; i = xml.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    scanned = idx;
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
    toOriginalColumn(l: number, col: number): number {
      let c = col;
      // Undo the "&" → "&amp;" insertions before this column (each added 4 characters).
      const list = inserted.get(l) ?? [];
      let shift = 0;
      for (const ampCol of list) if (ampCol + shift < c) shift += 4;
      c -= shift;
      if (doctypeShift && l === doctypeShift.line && c >= doctypeShift.fromCol) c += doctypeShift.shift;
      return c;
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
