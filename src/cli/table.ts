import stringWidth from 'string-width';

/**
 * Columns for a terminal, lined up by display width rather than by string length: a CJK character or an emoji
 * takes two cells, a combining accent none, so `padEnd` alone would push every later column of such a row.
 * Cells are printed as given: callers make outside text safe first (terminalLine), since escapes change widths.
 */

export interface Column {
  header: string;
  /** Longer cells are cut at a grapheme boundary and end in "…", so one long title cannot push the rest. */
  maxWidth?: number;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `text` cut to at most `width` cells, never inside a grapheme (a flag, a family emoji, an accented letter). */
export function fitWidth(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    kept += segment;
    used += w;
  }
  return `${kept}…`;
}

function padCells(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stringWidth(text)));
}

/** A header line and one line per row, two spaces between columns; the last column is not padded. */
export function renderColumns(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>): string[] {
  const cells = rows.map((row) => columns.map((c, i) => (c.maxWidth === undefined ? (row[i] ?? '') : fitWidth(row[i] ?? '', c.maxWidth))));
  const widths = columns.map((c, i) => Math.max(stringWidth(c.header), ...cells.map((row) => stringWidth(row[i]!))));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : padCells(cell, widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)];
}
