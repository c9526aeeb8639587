/**
 * twitter-text 3.1's URL extraction (extractUrlsWithIndices) in time linear in the text, with the same result.
 *
 * Why not call it: its pattern (regexp/extractUrl.js) is tried at every position, and each try reads to the end of
 * the run of domain characters or of the dotted chain it starts in before it fails, so one long word costs time
 * quadratic in its length: 16,000 CJK characters, combining marks or emoji glued to a link took 2.5–3 s a call, and
 * composing one item calls it many times. `(a)` repeated in a path is quadratic inside a single try.
 *
 * How it is the same: the pattern is `(preceding char)((https?://)?(DOMAIN)(:port)?(/path)?(?query)?)` and after
 * DOMAIN everything is optional, so the engine never undoes a choice once DOMAIN matched. DOMAIN is
 * `SUB* NAME TLD` with SUB = `(D([_-]|D)*)?D\.` and NAME the same without `_` (D: validDomainChars). A label holds
 * no `.`, so from a position it can only end at the first `.` after it: every step is forced, and the engine's
 * choice (as many SUB labels as allow a NAME and a TLD after them) is found from the right in one pass, once for
 * every start in the same chain. The path and query steps are forced too (see `tail`). The search loop is replayed
 * as the engine runs it (leftmost start from lastIndex, the one-character preceding class, `^` only at 0, the
 * protocol tried first, lastIndex past a rejected match), then twitter-text's loop body as it is written.
 *
 * What still runs as a regular expression reads a bounded stretch each time, never twice: twitter-text's TLD
 * alternation (at most once per position after a `.`, remembered), `https?://` (once per candidate start), and the
 * t.co and preceding-character checks of its loop body (once per match). The character classes are twitter-text's,
 * read from its files; at first use the module rebuilds twitter-text's whole URL pattern from its pieces, compares
 * it with the real one, and throws if an upgrade changed it.
 * tests/compose/url-scan.test.ts compares the two on seeded random text, tests/compose/urls.test.ts on the real-feed
 * corpus.
 *
 * One difference: twitter-text throws a RangeError ("Overflow") from punycode on a domain label of more than about
 * 1,900 code points holding a high code point; here such a URL is rejected like any label over 63 characters.
 */
import { twitterTextPunycode, twitterTextRegexp } from './twitter-text.js';

/** A URL as twitter-text finds it: its text and UTF-16 offsets in the text searched, end exclusive. */
export interface FoundUrl {
  url: string;
  start: number;
  end: number;
}

const DOT = 0x2e;
const UNDERSCORE = 0x5f;
const HYPHEN = 0x2d;
const SLASH = 0x2f;
const COLON = 0x3a;
const QUESTION = 0x3f;
const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;
const DEFAULT_PROTOCOL = 'https://';
const MAX_URL_LENGTH = 4096;
const MAX_TCO_SLUG_LENGTH = 40;

/** twitter-text's pieces, and per-code-unit classes built from them (its pattern has no `u` flag: code units). */
interface Grammar {
  domainChar: Uint8Array;
  precedingChar: Uint8Array;
  asciiDomainChar: Uint8Array;
  pathChar: Uint8Array;
  pathEndingChar: Uint8Array;
  queryChar: Uint8Array;
  queryEndingChar: Uint8Array;
  tld: RegExp;
  protocol: RegExp;
  mayHoldUrl: RegExp;
  tcoUrl: RegExp;
  invalidBeforeBareDomain: RegExp;
  toAsciiLabel: (label: string) => string;
}

let grammar: Grammar | undefined;

/** Built at first use, not at load: 65,536 code units tested against seven classes take some milliseconds. */
function theGrammar(): Grammar {
  return (grammar ??= buildGrammar());
}

function buildGrammar(): Grammar {
  const re = twitterTextRegexp;
  const tlds = `(?:${re('validGTLD').source}|${re('validCCTLD').source}|${re('validPunycode').source})`;
  checkShape(tlds);
  const pathEnding = re('validUrlPathEndingChars').source;
  // `[chars]|(?:balanced parens)`, pasted into validUrlPath without brackets: its first alternative is the class.
  const pathEndingClass = pathEnding.slice(0, pathEnding.indexOf(']|(?:') + 1);
  const classOf = (source: string): Uint8Array => {
    const one = new RegExp(`^${source}$`, 'i');
    const table = new Uint8Array(65536);
    for (let c = 0; c < 65536; c++) table[c] = one.test(String.fromCharCode(c)) ? 1 : 0;
    return table;
  };
  const g: Grammar = {
    domainChar: classOf(re('validDomainChars').source),
    // Without its `|^` alternative, which is taken only at position 0 (see `scan`).
    precedingChar: classOf(re('validUrlPrecedingChars').source),
    // validAsciiDomain's class.
    asciiDomainChar: classOf(`[\\-a-z0-9${re('latinAccentChars').source}]`),
    pathChar: classOf(re('validGeneralUrlPathChars').source),
    pathEndingChar: classOf(pathEndingClass),
    queryChar: classOf(re('validUrlQueryChars').source),
    queryEndingChar: classOf(re('validUrlQueryEndingChars').source),
    tld: new RegExp(tlds, 'iy'),
    protocol: /https?:\/\//iy,
    mayHoldUrl: new RegExp(`\\.${tlds}`, 'i'),
    tcoUrl: re('validTcoUrl'),
    invalidBeforeBareDomain: re('invalidUrlWithoutProtocolPrecedingChars'),
    toAsciiLabel: (twitterTextPunycode() as { toASCII: (s: string) => string }).toASCII,
  };
  // `tail` relies on these: ending characters are path (query) characters, and parentheses are not path characters.
  for (let c = 0; c < 65536; c++) {
    if ((g.pathEndingChar[c] && !g.pathChar[c]) || (g.queryEndingChar[c] && !g.queryChar[c])) throw shapeChanged();
  }
  // And `@GP+/` never wins over the first alternative: `@` and `/` are path characters, `/` an ending one.
  if (g.pathChar[OPEN_PAREN] || g.pathChar[CLOSE_PAREN] || !g.pathChar[SLASH] || !g.pathEndingChar[SLASH] || !g.pathChar[0x40]) throw shapeChanged();
  return g;
}

const shapeChanged = () => new Error('twitter-text changed its URL pattern: src/compose/url-scan.ts no longer reproduces it');

/**
 * The pattern this module replays, rebuilt from its pieces and compared with twitter-text's whole source (and the
 * ASCII-domain pattern `asciiDomains` replays): any other shape, and it refuses to run.
 */
function checkShape(tlds: string): void {
  const re = twitterTextRegexp;
  const D = re('validDomainChars').source;
  const sub = `(?:(?:${D}(?:[_-]|${D})*)?${D}\\.)`;
  const name = `(?:(?:${D}(?:-|${D})*)?${D}\\.)`;
  const domain = `(?:${sub}*${name}${tlds})`;
  const GP = re('validGeneralUrlPathChars').source;
  const parens = `\\((?:${GP}+|(?:${GP}*\\(${GP}+\\)${GP}*))\\)`;
  const ending = re('validUrlPathEndingChars').source;
  const endingClass = ending.slice(0, ending.indexOf(']|(?:') + 1);
  const path = `(?:(?:${GP}*(?:${parens}${GP}*)*${ending})|(?:@${GP}+\\/))`;
  const query = `(\\?${re('validUrlQueryChars').source}*${re('validUrlQueryEndingChars').source})?`;
  const extractUrl = re('extractUrl');
  const ascii = re('validAsciiDomain');
  const ok =
    re('validSubdomain').source === sub &&
    re('validDomainName').source === name &&
    re('validDomain').source === domain &&
    re('validUrlBalancedParens').source === parens &&
    ending === `${endingClass}|(?:${parens})` &&
    re('validUrlPath').source === path &&
    re('validPortNumber').source === '[0-9]+' &&
    re('validUrlPrecedingChars').source.endsWith('|^)') &&
    extractUrl.flags === 'gi' &&
    extractUrl.source === `((${re('validUrlPrecedingChars').source})((https?:\\/\\/)?(${domain})(?::([0-9]+))?(\\/${path}*)?${query}))` &&
    ascii.source === `(?:(?:[\\-a-z0-9${re('latinAccentChars').source}]+)\\.)+${tlds}`;
  if (!ok) throw shapeChanged();
}

// ── per-text tables ──────────────────────────────────────────────────────────────────────────────────────────────

interface Tables {
  /** End of the run of domain characters, `_` and `-` from each position (the position itself outside one). */
  runEnd: Int32Array;
  /** Start of the NAME label DOMAIN takes from each position (after as many SUB labels as work), or -1. */
  nameAt: Int32Array;
  /** End of the TLD right at a position, or -1; -2 not looked at yet. */
  tldEnd: Int32Array;
  path?: PathTables;
}

function tldAt(g: Grammar, text: string, at: number): number {
  g.tld.lastIndex = at;
  return g.tld.test(text) ? g.tld.lastIndex : -1;
}

function tldEndAt(g: Grammar, t: Tables, text: string, at: number): number {
  let end = t.tldEnd[at]!;
  if (end === -2) t.tldEnd[at] = end = tldAt(g, text, at);
  return end;
}

function tablesFor(g: Grammar, text: string): Tables {
  const n = text.length;
  const runEnd = new Int32Array(n + 2);
  const nextUnderscore = new Int32Array(n + 2);
  const nameAt = new Int32Array(n + 2).fill(-1);
  const t: Tables = { runEnd, nameAt, tldEnd: new Int32Array(n + 2).fill(-2) };
  runEnd[n] = n;
  runEnd[n + 1] = n + 1;
  nextUnderscore[n] = n;
  nextUnderscore[n + 1] = n + 1;
  for (let x = n - 1; x >= 0; x--) {
    const c = text.charCodeAt(x);
    runEnd[x] = g.domainChar[c] || c === UNDERSCORE || c === HYPHEN ? runEnd[x + 1]! : x;
    nextUnderscore[x] = c === UNDERSCORE ? x : nextUnderscore[x + 1]!;
  }
  for (let x = n - 1; x >= 0; x--) {
    if (!g.domainChar[text.charCodeAt(x)]) continue;
    // A label from x ends where its run does, on a `.` after a domain character, or nowhere.
    const dot = runEnd[x]!;
    if (dot >= n || text.charCodeAt(dot) !== DOT || !g.domainChar[text.charCodeAt(dot - 1)]) continue;
    const further = nameAt[dot + 1]!;
    if (further >= 0) nameAt[x] = further;
    else if (nextUnderscore[x]! >= dot && tldEndAt(g, t, text, dot + 1) >= 0) nameAt[x] = x;
  }
  return t;
}

/** End of DOMAIN at `x`, or -1. */
function domainEnd(g: Grammar, t: Tables, text: string, x: number): number {
  const name = t.nameAt[x]!;
  return name < 0 ? -1 : tldEndAt(g, t, text, t.runEnd[name]! + 1);
}

interface PathTables {
  /** End of the run of path characters from each position. */
  charsEnd: Int32Array;
  /** Last path-ending character before each position, or -1. */
  lastEnding: Int32Array;
  /** End of the first-priority match of `GP*(?:BP GP*)*PE` at each position, or -1. */
  stepEnd: Int32Array;
}

/**
 * A path step is `GP*(?:BP GP*)*PE | BP | @GP+/` (GP: path characters, PE: ending characters, BP: balanced
 * parentheses): GP* first takes its whole run, then only a balanced group can go on, else the last ending character
 * of the run ends the step. The third alternative never wins (`@` and `/` are path characters, `/` an ending one).
 */
function pathTablesFor(g: Grammar, text: string): PathTables {
  const n = text.length;
  const charsEnd = new Int32Array(n + 2);
  const lastEnding = new Int32Array(n + 2);
  const stepEnd = new Int32Array(n + 2).fill(-1);
  charsEnd[n] = n;
  charsEnd[n + 1] = n + 1;
  for (let i = n - 1; i >= 0; i--) charsEnd[i] = g.pathChar[text.charCodeAt(i)] ? charsEnd[i + 1]! : i;
  lastEnding[0] = -1;
  for (let i = 1; i <= n; i++) lastEnding[i] = g.pathEndingChar[text.charCodeAt(i - 1)] ? i - 1 : lastEnding[i - 1]!;
  const p: PathTables = { charsEnd, lastEnding, stepEnd };
  for (let y = n - 1; y >= 0; y--) {
    const e = charsEnd[y]!;
    const group = balancedEnd(p, text, e);
    const after = group >= 0 ? stepEnd[group]! : -1;
    stepEnd[y] = after >= 0 ? after : lastEnding[e]! >= y ? lastEnding[e]! + 1 : -1;
  }
  return p;
}

/** End of `\((?:GP+|GP*\(GP+\)GP*)\)` at z, or -1: each part has one possible end, as parentheses are not GP. */
function balancedEnd(p: PathTables, text: string, z: number): number {
  const n = text.length;
  if (z >= n || text.charCodeAt(z) !== OPEN_PAREN) return -1;
  const q = p.charsEnd[z + 1]!;
  if (q >= n) return -1;
  const c = text.charCodeAt(q);
  if (c === CLOSE_PAREN) return q > z + 1 ? q + 1 : -1;
  if (c !== OPEN_PAREN) return -1;
  const q2 = p.charsEnd[q + 1]!;
  if (q2 === q + 1 || q2 >= n || text.charCodeAt(q2) !== CLOSE_PAREN) return -1;
  const q3 = p.charsEnd[q2 + 1]!;
  return q3 < n && text.charCodeAt(q3) === CLOSE_PAREN ? q3 + 1 : -1;
}

/** `(?::([0-9]+))?(\/PATH*)?(\?Q*QE)?` at e: its end and the path group. All optional, so no choice is undone. */
function tail(g: Grammar, t: Tables, text: string, e: number): { end: number; path: string } {
  const n = text.length;
  let i = e;
  if (text.charCodeAt(i) === COLON) {
    let j = i + 1;
    while (j < n && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x39) j++;
    if (j > i + 1) i = j;
  }
  let path = '';
  if (text.charCodeAt(i) === SLASH) {
    const p = (t.path ??= pathTablesFor(g, text));
    const start = i;
    i++;
    for (;;) {
      const step = p.stepEnd[i]!;
      if (step >= 0) {
        i = step;
        continue;
      }
      const group = balancedEnd(p, text, i);
      if (group < 0) break;
      i = group;
    }
    path = text.slice(start, i);
  }
  if (text.charCodeAt(i) === QUESTION) {
    let last = -1;
    for (let j = i + 1; j < n && g.queryChar[text.charCodeAt(j)]; j++) if (g.queryEndingChar[text.charCodeAt(j)]) last = j;
    if (last >= 0) i = last + 1;
  }
  return { end: i, path };
}

// ── twitter-text's loop body ─────────────────────────────────────────────────────────────────────────────────────

/** validAsciiDomain matches somewhere in `d`: a `.` after an ASCII-domain character, and a TLD right after it. */
function holdsAsciiDomain(g: Grammar, d: string): boolean {
  for (let j = d.indexOf('.', 1) + 1; j > 0; j = d.indexOf('.', j) + 1) {
    if (g.asciiDomainChar[d.charCodeAt(j - 2)] && tldAt(g, d, j) >= 0) return true;
  }
  return false;
}

/**
 * `domain.replace(validAsciiDomain, …)`'s matches, in order: `(?:[A]+\.)+TLD`, greedy, leftmost first. From x the
 * `[A]+\.` steps are forced, so a match at x ends at the TLD of the furthest step where one matches.
 */
function asciiDomains(g: Grammar, d: string): string[] {
  const n = d.length;
  const charsEnd = new Int32Array(n + 1);
  const lastTld = new Int32Array(n + 1).fill(-1);
  const tldEnd = new Int32Array(n + 1).fill(-1);
  charsEnd[n] = n;
  tldEnd[n] = tldAt(g, d, n);
  for (let x = n - 1; x >= 0; x--) charsEnd[x] = g.asciiDomainChar[d.charCodeAt(x)] ? charsEnd[x + 1]! : x;
  const step = (x: number) => (charsEnd[x]! > x && d.charCodeAt(charsEnd[x]!) === DOT ? charsEnd[x]! + 1 : -1);
  for (let y = n - 1; y >= 0; y--) {
    const s = step(y);
    if (s >= 0 && lastTld[s]! >= 0) {
      lastTld[y] = lastTld[s]!;
      continue;
    }
    // A TLD is tried only right after a `.`.
    tldEnd[y] = y > 0 && d.charCodeAt(y - 1) === DOT ? tldAt(g, d, y) : -1;
    lastTld[y] = tldEnd[y]! >= 0 ? y : -1;
  }
  const found: string[] = [];
  for (let x = 0; x < n; ) {
    const s = step(x);
    if (s >= 0 && lastTld[s]! >= 0) {
      const end = tldEnd[lastTld[s]!]!;
      found.push(d.slice(x, end));
      x = end;
    } else x++;
  }
  return found;
}

/**
 * twitter-text's idna.toAscii: undefined for a domain X would not take. A label of 128 or more code units holds at
 * least 64 code points, and punycode writes at least one character for each: refused without encoding it.
 */
function toAscii(g: Grammar, domain: string): string | undefined {
  if (domain.substring(0, 4) === 'xn--' && !holdsAsciiDomain(g, domain)) return undefined;
  const labels = domain.split('.');
  for (const label of labels) {
    if (label.length >= 128) return undefined;
    const encoded = g.toAsciiLabel(label);
    if (encoded.length < 1 || encoded.length > 63) return undefined;
  }
  return labels.join('.');
}

function isValidUrl(g: Grammar, url: string, protocol: string, domain: string): boolean {
  const encoded = toAscii(g, domain);
  if (!encoded) return false;
  return protocol.length + url.length + encoded.length - domain.length <= MAX_URL_LENGTH;
}

/** twitter-text's extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: withoutProtocol }). */
export function extractUrls(text: string, withoutProtocol: boolean): FoundUrl[] {
  if (!text || (withoutProtocol ? !text.includes('.') : !text.includes(':'))) return [];
  const g = theGrammar();
  // Every domain ends in `.` and a TLD, read in the same context: without one there is nothing to find.
  if (!g.mayHoldUrl.test(text)) return [];
  const n = text.length;
  const t = tablesFor(g, text);
  const urlAt = (s: number): { domainStart: number; domainEnd: number } | undefined => {
    g.protocol.lastIndex = s;
    if (g.protocol.test(text)) {
      const domainStart = g.protocol.lastIndex;
      const end = domainEnd(g, t, text, domainStart);
      if (end >= 0) return { domainStart, domainEnd: end };
    }
    const end = domainEnd(g, t, text, s);
    return end >= 0 ? { domainStart: s, domainEnd: end } : undefined;
  };
  const urls: FoundUrl[] = [];
  let lastIndex = 0;
  for (;;) {
    // The engine's next match: the leftmost position from lastIndex where the preceding character (or `^`) and a URL
    // after it match.
    let before = -1;
    let start = -1;
    let found: ReturnType<typeof urlAt>;
    for (let p = lastIndex; p < n; p++) {
      if (g.precedingChar[text.charCodeAt(p)] && (found = urlAt(p + 1))) {
        before = p;
        start = p + 1;
        break;
      }
      if (p === 0 && (found = urlAt(0))) {
        before = 0;
        start = 0;
        break;
      }
    }
    if (!found) break;
    const { end, path } = tail(g, t, text, found.domainEnd);
    lastIndex = end;
    // From here on, twitter-text's loop body.
    let url = text.slice(start, end);
    const protocol = text.slice(start, found.domainStart);
    const domain = text.slice(found.domainStart, found.domainEnd);
    if (!isValidUrl(g, url, protocol || DEFAULT_PROTOCOL, domain)) continue;
    if (!protocol) {
      if (!withoutProtocol || g.invalidBeforeBareDomain.test(text.slice(before, start))) continue;
      let last: FoundUrl | undefined;
      let asciiEnd = 0;
      for (const ascii of asciiDomains(g, domain)) {
        const asciiStart = domain.indexOf(ascii, asciiEnd);
        asciiEnd = asciiStart + ascii.length;
        last = { url: ascii, start: start + asciiStart, end: start + asciiEnd };
        urls.push(last);
      }
      if (!last) continue;
      if (path) {
        last.url = url.replace(domain, last.url);
        last.end = end;
      }
    } else {
      let urlEnd = end;
      const tco = g.tcoUrl.exec(url);
      if (tco) {
        if (tco[1] && tco[1].length > MAX_TCO_SLUG_LENGTH) continue;
        url = tco[0];
        urlEnd = start + url.length;
      }
      urls.push({ url, start, end: urlEnd });
    }
  }
  return urls;
}
