/**
 * A feed date (RFC 822 from RSS, RFC 3339 from Atom/JSON, W3C-DTF from dc:date) → ISO 8601 in UTC,
 * or undefined when it cannot be read. Missing and unreadable dates are normal in feeds: never an error.
 */
const ZONES: Record<string, string> = {
  UT: '+0000', UTC: '+0000', GMT: '+0000', Z: '+0000',
  EST: '-0500', EDT: '-0400', CST: '-0600', CDT: '-0500', MST: '-0700', MDT: '-0600', PST: '-0800', PDT: '-0700',
  CET: '+0100', CEST: '+0200', BST: '+0100', IST: '+0530', JST: '+0900', AEST: '+1000', AEDT: '+1100',
};

export function toIsoDate(raw: unknown): string | undefined {
  if (raw instanceof Date) return finite(raw);
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (!text || text.length > 100) return undefined;
  // Date-only W3C-DTF forms: Date.parse reads "2019-06" and "2019-06-25" as UTC midnight, which is what we want.
  if (/^\d{4}(?:-\d{2}(?:-\d{2})?)?$/.test(text)) return finite(new Date(text));
  // Named zones that V8 does not know: rewrite to numeric offsets. Only a text that ends in a capital can name one
  // (most end in a digit or an offset), and the rewrite cost more than the parse.
  const last = text.charCodeAt(text.length - 1);
  const withZone = last >= 0x41 && last <= 0x5a ? text.replace(/\s([A-Z]{1,4})$/, (m, zone: string) => (ZONES[zone] ? ` ${ZONES[zone]}` : m)) : text;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms)) return undefined;
  return finite(new Date(ms));
}

/** The first instant of 1900 and of 3000, UTC: years outside are "0001-01-01" placeholders and typos. */
const EARLIEST = Date.UTC(1900, 0, 1);
const TOO_LATE = Date.UTC(3000, 0, 1);

function finite(d: Date): string | undefined {
  const ms = d.getTime();
  if (!Number.isFinite(ms) || ms < EARLIEST || ms >= TOO_LATE) return undefined;
  return d.toISOString();
}
