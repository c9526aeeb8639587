/**
 * Where a JSON text stops being valid JSON (RFC 8259): the offset of the first character that cannot continue it,
 * or its length when it ends too soon; undefined when it is valid. JSON.parse says where only inside its message
 * text, which is not ours to read (facts travel as data), so a refused document is scanned once more here. One
 * linear pass with an explicit stack: a hostile document nested a million deep cannot overflow the call stack.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const open: Array<'{' | '['> = [];
  let i = 0;
  let expect: 'value' | 'key' | 'after' = 'value';
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  for (;;) {
    skipSpace();
    const c = text[i];
    if (expect === 'key') {
      if (c !== '"') return i;
      const end = stringEnd(text, i);
      if (end.bad !== undefined) return end.bad;
      i = end.next;
      skipSpace();
      if (text[i] !== ':') return i;
      i++;
      expect = 'value';
      continue;
    }
    if (expect === 'after') {
      const top = open[open.length - 1];
      if (top === undefined) return i === text.length ? undefined : i;
      if (c === ',') {
        i++;
        expect = top === '{' ? 'key' : 'value';
      } else if ((top === '{' && c === '}') || (top === '[' && c === ']')) {
        open.pop();
        i++;
      } else return i;
      continue;
    }
    // A value.
    if (c === '{' || c === '[') {
      open.push(c);
      i++;
      skipSpace();
      if (text[i] === (c === '{' ? '}' : ']')) {
        open.pop();
        i++;
        expect = 'after';
      } else expect = c === '{' ? 'key' : 'value';
      continue;
    }
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end.bad !== undefined) return end.bad;
      i = end.next;
    } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) return c === '-' ? i + 1 : i;
      i += m[0].length;
    } else {
      const word = c === 't' ? 'true' : c === 'f' ? 'false' : c === 'n' ? 'null' : undefined;
      if (word === undefined) return i;
      for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) return i;
    }
    expect = 'after';
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPED = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX = /^[0-9A-Fa-f]{4}$/;

/** The string starting at `start` (its opening quote): the offset after it, or the first bad character's. */
function stringEnd(text: string, start: number): { next: number; bad?: undefined } | { next?: undefined; bad: number } {
  let i = start + 1;
  for (;;) {
    if (i >= text.length) return { bad: text.length };
    const c = text.charCodeAt(i);
    if (c === 0x22) return { next: i + 1 };
    if (c < 0x20) return { bad: i };
    if (c !== 0x5c) {
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) return { bad: text.length };
    if (e === 'u') {
      if (!HEX.test(text.slice(i + 2, i + 6))) return { bad: i + 1 };
      i += 6;
    } else if (ESCAPED.has(e)) i += 2;
    else return { bad: i + 1 };
  }
}
