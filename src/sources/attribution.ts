/**
 * A source line at the start of an excerpt: `Jane Doe, Example Times, June 25 2019:… text`.
 * Conservative on purpose: author and outlet (at least two comma-separated parts before the date), a last part
 * that is a date, then a colon, all within the first 200 characters and on the first line.
 */
const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';
const DAY = '\\d{1,2}(?:st|nd|rd|th)?';
const DATE = [
  `${MONTH}\\s+${DAY},?\\s+\\d{4}`, // June 25 2019, June 25, 2019
  `${DAY}\\.?\\s+${MONTH},?\\s+\\d{4}`, // 25 June 2019
  `${MONTH},?\\s+\\d{4}`, // June 2019
  '\\d{4}-\\d{2}-\\d{2}', // 2019-06-25
  '\\d{1,2}[./]\\d{1,2}[./]\\d{4}', // 25.06.2019, 06/25/2019
  '\\d{4}/\\d{1,2}/\\d{1,2}', // 2019/06/25
].join('|');
const DATE_AT_END = new RegExp(`,\\s*(${DATE})\\s*$`);
const LEADING_ELLIPSIS = /^\s*(?:…|\.\.\.)?\s*/;

export interface Attribution {
  attribution: string;
  rest: string;
}

/** Procedural rather than one big regular expression, so that no input can make it backtrack for long. */
export function extractAttribution(text: string): Attribution | undefined {
  const colon = text.indexOf(':');
  if (colon < 0 || colon >= 200) return undefined;
  const prefix = text.slice(0, colon);
  if (prefix.includes('\n')) return undefined;
  const date = DATE_AT_END.exec(prefix);
  if (!date?.[1]) return undefined;
  const parts = prefix.slice(0, date.index).split(',').map((p) => p.trim());
  if (parts.length < 2 || !parts.every(isNameLike)) return undefined;
  const rest = text.slice(colon + 1).replace(LEADING_ELLIPSIS, '');
  if (!rest.trim()) return undefined; // a source line with nothing after it is not an excerpt
  return { attribution: `${parts.join(', ')}, ${date[1].replace(/\s+/g, ' ')}`, rest };
}

/** An author or outlet: short, no sentence punctuation (initials and short abbreviations like "A." or "St." are fine). */
function isNameLike(part: string): boolean {
  if (!part || part.length > 80) return false;
  return /^[^.!?;"“”]+$/.test(part.replace(/\b[A-Z][a-z]?\./g, 'X'));
}
