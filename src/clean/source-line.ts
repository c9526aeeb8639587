import type { SourceLine } from './types.js';

/**
 * A source line at the start of an excerpt, in the forms editors type:
 *
 *   Jane Doe, Example Times, June 25 2019:… text         author, outlet, date
 *   Example Times, June 22 2019:… text                   outlet, date
 *   Jane Doe Example Times, June 21 2019:… text          the comma between author and outlet missing
 *   A. B. Doe,, June 18 2019:… text                      a double comma (an empty outlet)
 *   Jane Doe, Example Times, Harbour Town, Norway, June 18 2019: text
 *   By Jane Doe, Example Times, 16/06/2019: text         "By", any common date form
 *   By Jane Doe, Example Times: text                     no date
 *   Example Times: Text as a sentence.                   no date, no author: the strictest form
 *   by Jane Doe                                          a paragraph that is only a byline, the text after it
 *
 * A date is strong evidence and the names before it need only be name-like. Without one, the prefix must look like
 * a name (capitalised words, no label such as "Warning" or "Update") and the text after it like a sentence, so that
 * "Warning: the road is closed" stays text. Procedural rather than one big regular expression, and bounded to the
 * first line's first 200 characters, so that no input makes it backtrack for long.
 */
export const MAX_SOURCE_LINE = 200;

const MONTH = [
  // English (and the German, Swedish, Dutch names they cover), then German, French, Spanish, Portuguese, Swedish.
  'jan(?:uary)?',
  'feb(?:ruary)?',
  'mar(?:ch)?',
  'apr(?:il)?',
  'may',
  'june?',
  'july?',
  'aug(?:ust)?',
  'sep(?:t(?:ember)?)?',
  'oct(?:ober)?',
  'nov(?:ember)?',
  'dec(?:ember)?',
  'januar',
  'jänner',
  'februar',
  'märz',
  'mai',
  'juni',
  'juli',
  'okt(?:ober)?',
  'dez(?:ember)?',
  'janv(?:ier)?',
  'févr(?:ier)?',
  'mars',
  'avr(?:il)?',
  'juin',
  'juil(?:let)?',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'déc(?:embre)?',
  'enero',
  'febrero',
  'marzo',
  'abril',
  'mayo',
  'junio',
  'julio',
  'agosto',
  's(?:e|ep)tiembre',
  'octubre',
  'noviembre',
  'diciembre',
  'janeiro',
  'fevereiro',
  'março',
  'maio',
  'junho',
  'julho',
  'setembro',
  'outubro',
  'novembro',
  'dezembro',
  'januari',
  'februari',
  'maj',
  'augusti',
].join('|');
const WEEKDAY =
  '(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|segunda(?:-feira)?|terça(?:-feira)?|quarta(?:-feira)?|quinta(?:-feira)?|sexta(?:-feira)?|måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag';
const M = `(?:${MONTH})\\.?`;
const DAY = '\\d{1,2}(?:st|nd|rd|th|er|º|ª)?';
const YEAR = '\\d{4}';
const DATE = [
  `${M}\\s+${DAY},?\\s+${YEAR}`, // June 25 2019, June 25, 2019
  `${DAY}\\.?\\s+(?:de\\s+)?${M},?\\s+(?:de\\s+)?${YEAR}`, // 25 June 2019, 25. Juni 2019, 25 de junio de 2019
  `${M},?\\s+${YEAR}`, // June 2019
  '\\d{4}-\\d{2}-\\d{2}', // 2019-06-25
  '\\d{1,2}[./-]\\d{1,2}[./-](?:\\d{4}|\\d{2})', // 25.06.2019, 06/25/2019, 16/06/19
  '\\d{4}/\\d{1,2}/\\d{1,2}', // 2019/06/25
].join('|');
const TIME = '(?:,?\\s+(?:at\\s+|um\\s+|à\\s+|kl\\.?\\s+)?\\d{1,2}[:.h]\\d{2}(?:\\s*[ap]\\.?m\\.?)?)';
/**
 * The date closing the prefix, set off by a comma or a space, with an optional time after it; a weekday before it
 * only after a comma or at the start ("The Sun, June 22 2019" names The Sun).
 */
const DATE_AT_END = new RegExp(
  `(?:(?:^|,)\\s*((?:${WEEKDAY}),?\\s+(?:${DATE})${TIME}?)|(?:^|,|\\s)\\s*((?:${DATE})${TIME}?))\\s*$`,
  'iu',
);
const BY = /^(?:by|von|par|por|av)\s+/iu;
const LEADING_ELLIPSIS = /^\s*(?:…|\.{3}|\[\s*(?:…|\.{3})\s*\])?\s*/u;

/** Lower-case words a name may hold: "Bank of England", "Folha de S.Paulo", "Ernst & Young". */
const PARTICLES = new Set(['of', 'the', 'de', 'du', 'des', 'la', 'le', 'les', 'del', 'della', 'di', 'da', 'do', 'dos', 'das', 'van', 'von', 'der', 'den', 'y', 'e', 'et', 'und', 'and', '&', 'for', 'für', 'am', 'im', 'och', 'i', 'för']);
/** Words that open a label or a sentence, never a name: "Update:", "Why It Matters:", "Our View:". */
const NOT_A_NAME_START = new Set(
  (
    `published posted written filed note notes warning caution attention important update updated updates correction editor editors editor's breaking exclusive watch listen video videos photo photos gallery live opinion analysis review interview podcast spoiler spoilers disclaimer reminder tip tips hint bonus pro question answer summary abstract background context conclusion result results quote fact facts source sources credit credits caption read see also today tonight tomorrow yesterday now then here there why how what when where who which however meanwhile my our your his her their this that these those its top key fun quick bottom hot good bad big step part day chapter episode season week round stage level phase lesson exhibit figure table in on at for from with after before during since until last next every each all some many most one two three first second third final re fwd subject title name date time location venue price cost tickets address contact q a faq tl;dr ps ` +
    `veröffentlicht aktualisiert stand achtung hinweis warnung eilmeldung kommentar anmerkung aktualisierung korrektur nachtrag tipp frage antwort zusammenfassung quelle fazit heute morgen gestern wichtig neu unser unsere mein meine wie was wann warum wo wer ` +
    `publié modifié avertissement mise info infos vidéo résumé pourquoi comment quand où qui aujourd'hui demain hier notre mon ma nos ` +
    `publicado actualizado nota aviso atención atenção actualización atualização corrección correção exclusiva exclusivo última resumen resumo fuente fonte hoy hoje mañana amanhã ayer ontem nuestro nuestra nossa nosso por como cuando quando qué que quem quién urgente ` +
    `publicerad obs varning notera uppdatering uppdaterad rättelse sammanfattning källa idag imorgon igår viktigt vår vårt varför hur vad när vem`
  ).split(' '),
);
/** Outlets known by one word, where a one-word name is otherwise too weak a sign ("Ukraine: …" is a topic). */
const ONE_WORD_OUTLETS = new Set(
  'reuters afp ap dpa efe ansa lusa tt ntb ritzau bloomberg xinhua kyodo pti anp belga apa sda keystone-sda ctk pap yonhap tass interfax anadolu'.split(' '),
);
/** Words that start an outlet's name rather than a person's: no author is split off a name that starts with one. */
const OUTLET_START = new Set(
  'the le la les el los las der die das il lo o os a as de het den det new north south east west northern southern eastern western daily sunday weekly evening morning financial wall san saint st. st radio tv'.split(' '),
);

export interface SourceLineMatch {
  line: SourceLine;
  /** Where the text after the source line (and any "…" lead-in) starts. */
  restStart: number;
  rest: string;
}

export function readSourceLine(text: string): SourceLineMatch | undefined {
  const byline = bareByline(text);
  if (byline) return { line: byline, restStart: text.length, rest: '' };
  const colon = sourceColon(text);
  if (colon === undefined) return undefined;
  const prefix = text.slice(0, colon).trim();
  const lead = LEADING_ELLIPSIS.exec(text.slice(colon + 1))?.[0] ?? '';
  const restStart = colon + 1 + lead.length;
  const rest = text.slice(restStart);
  if (!rest.trim()) return undefined; // a source line with nothing after it is not an excerpt
  const line = datedLine(prefix) ?? undatedLine(prefix, rest);
  return line ? { line, restStart, rest } : undefined;
}

/** The shape older callers know: the display string and the text after it. */
export function extractAttribution(text: string): { attribution: string; rest: string } | undefined {
  const found = readSourceLine(text);
  return found ? { attribution: found.line.attribution, rest: found.rest } : undefined;
}

/** The colon that may end a source line: on the first line, within MAX_SOURCE_LINE, not one in a time or a URL. */
function sourceColon(text: string): number | undefined {
  const firstLine = text.slice(0, MAX_SOURCE_LINE).split('\n')[0] ?? '';
  for (let i = firstLine.indexOf(':'); i >= 0; i = firstLine.indexOf(':', i + 1)) {
    if (/[\d/]/.test(text.charAt(i + 1))) continue; // 10:30, https://
    return i;
  }
  return undefined;
}

function datedLine(prefix: string): SourceLine | undefined {
  const m = DATE_AT_END.exec(prefix);
  const found = m?.[1] ?? m?.[2];
  if (!m || !found) return undefined;
  const date = found.replace(/\s+/g, ' ');
  const before = prefix.slice(0, m.index).trim();
  const hadBy = BY.test(before);
  // A comma left at the end is a double comma: an empty slot ("A. B. Doe,, June 18 2019").
  const names = before.replace(BY, '');
  if (!names) return undefined; // only a date: no source named
  const slots = names.split(',').map((p) => p.trim());
  const parts = slots.filter(Boolean);
  if (parts.length === 0 || parts.some((p) => !isNameLike(p))) return undefined;
  const attribution = `${parts.join(', ')}, ${date}`;
  if (slots.length >= 2) return withNames({ attribution, date }, slots[0], slots[1]);
  // One name only: it must look like a name on its own ("However, June 2019: …" is a sentence).
  const only = parts[0]!;
  if (!isStrictName(only)) return undefined;
  if (hadBy) return { attribution, author: only, date };
  const split = splitAuthorOutlet(only);
  return split ? { attribution, ...split, date } : { attribution, outlet: only, date };
}

function undatedLine(prefix: string, rest: string): SourceLine | undefined {
  if (prefix.length > 120) return undefined;
  if (BY.test(prefix)) {
    const parts = prefix.replace(BY, '').split(',').map((p) => p.trim());
    if (parts.length > 3 || !parts.every(isStrictName) || !isSentence(rest, 2)) return undefined;
    return withNames({ attribution: parts.join(', ') }, parts[0], parts[1]);
  }
  if (prefix.includes(',') || !isStrictName(prefix) || !isSentence(rest, 3)) return undefined;
  const words = prefix.split(/\s+/);
  if (words.length < 2 && !ONE_WORD_OUTLETS.has(prefix.toLowerCase())) return undefined;
  return { attribution: prefix, outlet: prefix };
}

/**
 * A paragraph that is only a byline ("by Anthony Vallone", a podcast's "by The Neo4j Graph Database Community"
 * once its title echo is gone): the whole text is "By" and a name of two words or more, so that a heading such as
 * "By Design" stays text.
 */
function bareByline(text: string): SourceLine | undefined {
  const t = text.trim();
  if (t.length > 120 || t.includes('\n') || !BY.test(t)) return undefined;
  const name = t.replace(BY, '');
  if (!isBylineName(name)) return undefined;
  return { attribution: name, author: name };
}

/** A name a byline may give on its own: capitalised words (particles aside), two to six of them. */
export function isBylineName(name: string): boolean {
  return name.split(/\s+/).length >= 2 && isStrictName(name);
}

function withNames(line: SourceLine, author: string | undefined, outlet: string | undefined): SourceLine {
  return { ...line, ...(author ? { author } : {}), ...(outlet ? { outlet } : {}) };
}

/** An author or outlet: short, no sentence punctuation (initials and short abbreviations like "A." or "St." are fine). */
function isNameLike(part: string): boolean {
  if (!part || part.length > 80 || part.split(/\s+/).length > 8 || !/\p{L}/u.test(part)) return false;
  return /^[^.!?;"“”]+$/.test(part.replace(/\b\p{Lu}\p{Ll}?\./gu, 'X'));
}

/** Capitalised words, 1–6 of them, lower-case only for particles ("Bank of England"), and no label word first. */
function isStrictName(part: string): boolean {
  if (!isNameLike(part)) return false;
  const words = part.split(/\s+/);
  if (words.length > 6 || NOT_A_NAME_START.has(words[0]!.toLowerCase().replace(/’/g, "'"))) return false;
  return words.every((w, i) => {
    if (PARTICLES.has(w) && i > 0 && i < words.length - 1) return true;
    return /^\p{Lu}[\p{L}\p{M}\p{N}.'’&-]*$/u.test(w) || /^[\p{Lu}&]{2,}$/u.test(w);
  });
}

/** Text that reads as a sentence: starts with a capital, a digit or a quote, has words, and ends one somewhere. */
function isSentence(text: string, minWords: number): boolean {
  const t = text.trim();
  if (!/^["“‘«„'(]?[\p{Lu}\p{N}]/u.test(t)) return false;
  if (t.split(/\s+/).length < minWords) return false;
  return /[.!?…](?:["”’»)]*)(?:\s|$)/u.test(t.slice(0, 600));
}

/**
 * "Jonas Berg Harbour Herald": the comma between author and outlet forgotten. Split after the first two words (three
 * with a middle initial) when at least two words are left for the outlet and the name does not start like an outlet's.
 */
function splitAuthorOutlet(name: string): { author: string; outlet: string } | undefined {
  const words = name.split(/\s+/);
  if (words.length < 4 || OUTLET_START.has(words[0]!.toLowerCase())) return undefined;
  const authorWords = /^\p{Lu}\.$/u.test(words[1]!) ? 3 : 2;
  if (words.length - authorWords < 2) return undefined;
  return { author: words.slice(0, authorWords).join(' '), outlet: words.slice(authorWords).join(' ') };
}
