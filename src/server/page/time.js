// Times as the editor reads them: always with their zone, since channels schedule in their own.

const pad = (n) => String(n).padStart(2, '0');

/** The browser's IANA zone, e.g. "Europe/Paris". */
export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

const formats = new Map();
function format(zone) {
  const key = zone ?? '';
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', ...(zone ? { timeZone: zone } : {}) });
    formats.set(key, f);
  }
  return f;
}

export const clockFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/**
 * An ISO instant as date and time with its zone: in the reader's zone, and also in `channelZone` when that
 * differs (a channel in Europe/Berlin read from New York shows both). Null for no time.
 */
export function zonedDateTime(iso, channelZone) {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  const mine = browserZone();
  const local = `${format(mine).format(date)} (${mine})`;
  if (!channelZone || channelZone === mine) return local;
  return `${local} · ${format(channelZone).format(date)} (${channelZone})`;
}

/**
 * A datetime-local value ("2026-12-01T09:00") → ISO 8601 with the browser's offset for that date
 * ("2026-12-01T09:00:00+01:00"), which the API requires. Built from the Date's own local fields, so a time
 * in a DST gap is moved the way the browser moves it instead of naming a wall time that does not exist.
 */
export function localInputToIso(value) {
  if (!value) return null;
  const date = new Date(value); // a date-time without offset is local time
  if (Number.isNaN(date.getTime())) return null;
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** An ISO instant → a datetime-local value in the browser's zone ('' when absent). */
export function isoToLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A publish time already gone (a minute of slack for the time it takes to press the button). */
export const isPast = (iso, now = Date.now()) => Date.parse(iso) < now - 60_000;
