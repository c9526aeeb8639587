/**
 * Durations as editors write them: a number and a unit, `30m`, `48h`, `7d`, `2w`. Written out here rather than
 * taken from a library: the common one (`ms`) reads a bare number as milliseconds and accepts years, neither of
 * which an item's maximum age should mean.
 */
const DURATION = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Milliseconds, or undefined when `text` is not a duration of this form. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 && Number.isFinite(ms) ? ms : undefined;
}
