/**
 * One line of the benchmark table: our figure and its baseline's, measured in the same run, and the ratio
 * that says how many times better ours is (always > 1 when ours is better, whichever way the unit points).
 */
export interface BenchRow {
  /** e.g. "Ingest", "Store (SQLite)". */
  area: string;
  /** What is measured, e.g. "RSS 5,000 items: items/s". */
  metric: string;
  ours: number;
  /** What the baseline is, as its users use it, e.g. "rss-parser 3.13 parseString (parse only)". */
  baselineName: string;
  baseline: number;
  unit: string;
  /** Whether a larger figure is better (items/s) or a smaller one (ms, bytes, requests, dollars). */
  better: 'higher' | 'lower';
  note?: string;
}

export interface BenchContext {
  /** Smaller sizes for a quick check that every benchmark still runs (`npm run bench -- --quick`). */
  quick: boolean;
  /** Progress lines, to stderr, so the table on stdout stays clean. */
  log(line: string): void;
}

export type BenchSuite = (ctx: BenchContext) => Promise<BenchRow[]>;

/** How many times better ours is than the baseline. */
export function advantage(row: BenchRow): number {
  if (row.ours === 0 && row.baseline === 0) return 1;
  return row.better === 'higher' ? row.ours / row.baseline : row.baseline / row.ours;
}

function format(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  if (Math.abs(n) >= 0.01 || n === 0) return n.toFixed(3).replace(/\.?0+$/, '') || '0';
  return n.toPrecision(2);
}

export function markdownTable(rows: readonly BenchRow[]): string {
  const lines = [
    '| area | metric | Threadcast | baseline | baseline figure | unit | Threadcast vs baseline |',
    '| --- | --- | ---: | --- | ---: | --- | ---: |',
  ];
  for (const r of rows) {
    const ratio = advantage(r);
    // A zero on our side (no invalid parts, no bytes) makes the ratio infinite; say it in words.
    const verdict = !Number.isFinite(ratio) ? 'none at all' : ratio >= 1 ? `${format(ratio)}× better` : `${format(1 / ratio)}× worse`;
    lines.push(`| ${r.area} | ${r.metric}${r.note ? ` (${r.note})` : ''} | ${format(r.ours)} | ${r.baselineName} | ${format(r.baseline)} | ${r.unit} | ${verdict} |`);
  }
  return lines.join('\n');
}
