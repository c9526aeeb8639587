/**
 * The quality judge for issue #14: given one previewed item (what `threadcast preview --json` shows, plus the
 * item's summary and what its feed entry held), the flaws a reader of the thread would see, each with a short
 * evidence string. Pure and independent of the application's code (nothing from src/ is imported), so the
 * instrument cannot share a bug with what it measures.
 *
 * A thread is read as the default template lays it out (src/config/template-schema.ts): part 1 is the title,
 * then "— attribution", then the summary's paragraphs, then the item link; parts are numbered " i/n" when there
 * are several; paragraphs are separated by a blank line. "Body" below means a part's text without the title
 * (part 1's first paragraph, and its continuation when a long title spills into part 2), the attribution
 * paragraph, the link paragraph and the counter: the text the reader gets beyond the headline.
 */

export type FlagKind =
  | 'boilerplate'
  | 'echo'
  | 'leftover-source-line'
  | 'stub-only'
  | 'mojibake'
  | 'escaped-entity'
  | 'tiny-last-part'
  | 'cut-mid-sentence'
  | 'feed-text-end'
  | 'title-cut';

/**
 * In the order QUALITY.md lists them, with the label it uses. A kind with `counted: false` is reported in a row of
 * its own, every item listed, and does not make an item count as flagged.
 */
export const FLAG_KINDS: ReadonlyArray<{ kind: FlagKind; label: string; counted?: false }> = [
  { kind: 'boilerplate', label: 'boilerplate' },
  { kind: 'echo', label: 'echo (title repeated in the body)' },
  { kind: 'leftover-source-line', label: 'leftover source line' },
  { kind: 'stub-only', label: 'stub only' },
  { kind: 'mojibake', label: 'mojibake' },
  { kind: 'escaped-entity', label: 'escaped entities' },
  { kind: 'tiny-last-part', label: 'tiny last part' },
  { kind: 'cut-mid-sentence', label: 'cut mid-sentence' },
  { kind: 'title-cut', label: 'title cut without …' },
  { kind: 'feed-text-end', label: 'ends where the feed’s text ends — not counted', counted: false },
];

/** Whether a flag of this kind makes its item count as flagged. */
export const isCounted = (kind: FlagKind): boolean => FLAG_KINDS.find((k) => k.kind === kind)?.counted !== false;

export interface PreviewedPart {
  text: string;
}

export interface PreviewedItem {
  title: string | null;
  url: string | null;
  attribution: string | null;
  /** The item's plain-text summary, paragraphs separated by a blank line (core/item.ts). */
  summary: string;
  threads: { x: readonly PreviewedPart[]; bluesky: readonly PreviewedPart[] };
  /** The feed entry's own fields as plain text (title, links, ids and dates left out), when the caller read them. */
  entryTexts?: readonly string[];
  /** The feed entry's title as plain text, when the caller read it. */
  entryTitle?: string;
}

export interface Flag {
  kind: FlagKind;
  /** Where and what, short: `x part 2: "… Read more"`. */
  evidence: string;
}

type Platform = 'x' | 'bluesky';
const PLATFORMS: readonly Platform[] = ['x', 'bluesky'];

/** At most one flag per kind (the first found, X before Bluesky): QUALITY.md counts items, not occurrences. */
export function flagItem(item: PreviewedItem): Flag[] {
  const flags: Flag[] = [];
  const add = (kind: FlagKind, evidence: string | undefined): void => {
    if (evidence !== undefined && !flags.some((f) => f.kind === kind)) flags.push({ kind, evidence });
  };
  const bodies = { x: threadBody(item, 'x'), bluesky: threadBody(item, 'bluesky') };
  for (const p of PLATFORMS) add('boilerplate', findBoilerplate(bodies[p], p));
  for (const p of PLATFORMS) add('echo', findEcho(item, bodies[p], p));
  for (const p of PLATFORMS) add('leftover-source-line', findSourceLine(bodies[p], p));
  add('stub-only', findStub(item, bodies.x));
  for (const p of PLATFORMS) add('mojibake', findMojibake(item, p));
  for (const p of PLATFORMS) add('escaped-entity', findEscapedEntity(item, p));
  for (const p of PLATFORMS) add('tiny-last-part', findTinyLastPart(bodies[p], p));
  for (const p of PLATFORMS) {
    const cut = findMidSentenceCut(item, bodies[p], p);
    if (cut) add(cut.feedEnd ? 'feed-text-end' : 'cut-mid-sentence', cut.evidence);
  }
  for (const p of PLATFORMS) add('title-cut', findTitleCut(item, p));
  add('title-cut', findEntryTitleCut(item));
  return flags;
}

// ── reading a thread back ────────────────────────────────────────────────────────────────────────────────────────

export interface PartBody {
  /** 1-based. */
  index: number;
  count: number;
  /** The part's body paragraphs joined by a blank line; '' when the part carries none. */
  body: string;
  /** Part 1's title paragraph as shown, when there is one. */
  titleShown?: string;
}

const collapse = (s: string): string => s.normalize('NFC').replace(/\s+/gu, ' ').trim();
const ELLIPSIS_END = /(?:\s*\[(?:…|\.\.\.)\]|\s*…|\.\.\.)$/u;

/** The thread's parts with the title, attribution, link and counter taken off. */
export function threadBody(item: PreviewedItem, platform: Platform): PartBody[] {
  const parts = item.threads[platform];
  const title = item.title ? collapse(item.title) : '';
  let titleRest = '';
  return parts.map((part, i) => {
    let text = part.text;
    const counter = ` ${i + 1}/${parts.length}`;
    if (parts.length > 1 && text.endsWith(counter)) text = text.slice(0, -counter.length);
    const blocks = text.split('\n\n');
    if (item.url && blocks.length > 0 && isLinkDisplay(blocks.at(-1)!, item.url)) blocks.pop();
    let titleShown: string | undefined;
    if (i === 0 && title && blocks.length > 0) {
      const first = collapse(blocks[0]!);
      const bare = first.replace(ELLIPSIS_END, '');
      if (first === title || (bare.length > 0 && title.startsWith(bare))) {
        titleShown = first;
        blocks.shift();
        if (first !== title && !ELLIPSIS_END.test(first)) titleRest = title.slice(bare.length).trim();
      }
    } else if (i === 1 && titleRest && blocks.length > 0) {
      // A title longer than part 1 continues at the top of part 2.
      const first = collapse(blocks[0]!);
      if (first.startsWith(titleRest)) {
        const left = first.slice(titleRest.length).trim();
        if (left) blocks[0] = left;
        else blocks.shift();
      }
    }
    if (item.attribution && blocks.length > 0 && collapse(blocks[0]!).startsWith(`— ${collapse(item.attribution).slice(0, 20)}`)) {
      blocks.shift();
    }
    return { index: i + 1, count: parts.length, body: blocks.join('\n\n').trim(), ...(titleShown !== undefined ? { titleShown } : {}) };
  });
}

/** The link paragraph: the URL itself (X) or its host+path, maybe clipped with "…" (Bluesky). */
function isLinkDisplay(block: string, url: string): boolean {
  if (block === url) return true;
  if (/\s/.test(block)) return false;
  const shown = block.replace(/…$/u, '');
  if (!shown) return false;
  const bare = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^www\./i, '');
  const forms = [url, bare];
  try {
    const u = new URL(url);
    // Bluesky's short form: host without "www.", the path unless it is "/", query and fragment, percent-decoded.
    forms.push(u.host.replace(/^www\./i, '') + (u.pathname === '/' ? '' : u.pathname) + u.search + u.hash);
  } catch {
    // not a parsable URL: the plain forms only
  }
  for (const f of [...forms]) {
    try {
      forms.push(decodeURI(f));
    } catch {
      // keep the encoded form
    }
  }
  return forms.some((f) => f.startsWith(shown));
}

/** Links (with or without a scheme) replaced by a space: their words are no part of the prose. */
function withoutLinks(text: string): string {
  return text
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, ' ')
    .replace(/\b(?:[\p{L}\p{N}-]+\.)+[a-z]{2,}\/\S*/giu, ' ');
}

const wordSegmenter = new Intl.Segmenter('und', { granularity: 'word' });

/** Words as ICU counts them: CJK text gets one per word, not one per sentence. */
export function wordCount(text: string): number {
  let n = 0;
  for (const s of wordSegmenter.segment(withoutLinks(text))) if (s.isWordLike) n++;
  return n;
}

function quote(text: string, at: number, length: number, around = 30): string {
  const from = Math.max(0, at - around);
  const to = Math.min(text.length, at + length + around);
  return `"${from > 0 ? '…' : ''}${collapse(text.slice(from, to))}${to < text.length ? '…' : ''}"`;
}

// ── boilerplate ──────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * boilerplate: a phrase that a feed, CMS or host adds to every item rather than something the item says, found in
 * any part's body (links removed first, so a URL slug like /read-more/ does not count): "The post … appeared first
 * on …", "Der Beitrag … erschien zuerst auf …", read-more links in the languages of the corpus and the common
 * ones (Read more, Continue reading, Read full article, Läs mer, Lire la suite, Leia mais, Leer más, Weiterlesen,
 * Lees meer, Leggi tutto, Czytaj dalej, Читать далее, 続きを読む, 阅读全文…), comment links ("Comments" alone,
 * "[comments]", "12 comments", "Leave a comment"), Reddit's "submitted by /u/…", share links ("Share on
 * Facebook", "Share this:", "Like this:" as a heading or with nothing after it), and hosts' footers (Omny's "… for privacy information", NRK's "Hør
 * episoden i appen"). The title is not searched: a headline may say "Read more books".
 */
const BOILERPLATE: readonly RegExp[] = [
  /\bappeared first on\b/i,
  /erschien zuerst auf\b/i,
  /\b(?:read|view) (?:the )?(?:full|whole|entire|complete) (?:article|story|post|text|episode)\b/i,
  // A link's words, alone or before where to ("Read more »", "Read more at …"); "as you read more of this post" is prose.
  /\bread more\b(?!\s+(?:of|about|than|and|books?|widely|closely|carefully|deeply)\b)/i,
  /\bcontinue(?:s)? reading\b/i,
  /\bkeep reading\b/i,
  /\bread the rest\b/i,
  /\bL(?:ä|a)s (?:mer|hela)\b/i,
  /\bLire la suite\b/i,
  /\bLire plus\b/i,
  /\bLeia mais\b/i,
  /\bContinuar (?:a )?l(?:endo|er)\b/i,
  /\bLeer m(?:á|a)s\b/i,
  /\bSeguir leyendo\b/i,
  /\bWeiterlesen\b/i,
  /\b(?:Mehr|Alles) lesen\b/i,
  /\bLees (?:meer|verder)\b/i,
  /\bLeggi (?:tutto|di più|l'articolo)\b/i,
  /\bCzytaj (?:dalej|więcej)\b/i,
  /\bLes (?:mer|hele saken)\b/i,
  /\bLæs (?:mere|videre)\b/i,
  /\bLue lisää\b/i,
  /Читать (?:далее|дальше|полностью)/i,
  /続きを読む|阅读全文|閱讀全文|阅读更多|閱讀更多|더 보기|전문 보기/,
  /\[(?:comments?|link)\]/i,
  /(?:^|\n)\s*(?:comments?|kommentare?|commentaires?|comentários?|comentarios?|kommentarer)\s*(?:$|\n)/i,
  // A comment counter ("12 comments"); not a headline's "Our Top 10 Comments of the Week".
  /(?<!\b(?:top|best)\s)\b\d+ (?:comments?|Kommentare?|commentaires?|comentários?|comentarios?|kommentarer)\b(?!\s+(?:of|from)\b)/i,
  // The link "Leave a comment"; not the writer asking for one in a sentence ("please leave a comment or email me").
  /(?<!\b(?:please|to|can)\s)\b(?:leave|post|add) a (?:comment|reply)\b(?!\s+(?:or|and)\b)/i,
  /\bno comments(?: yet)?\b/i,
  /\bsubmitted by\s+\/u\//i,
  /\bshare (?:this|on (?:facebook|twitter|x|linkedin|whatsapp|reddit|mastodon|bluesky|threads|email))\b/i,
  /\bshare this:/i,
  // WordPress's "Like this:" heading, or a pointer with nothing after it in the post; "it worked like this: most
  // runtime functions returned…" (feedjira/json_feed.json) goes on in its own sentence and is prose.
  /(?:^|\n)\s*Like this:|\blike this:\s*$/i,
  /\bclick to (?:share|email|print)\b/i,
  /\b(?:tweet|pin) (?:this|it)\b/i,
  /\bthis (?:entry|post) was posted in\b/i,
  /\bfor privacy information\b/i,
  /\bis brought to you by\b/i,
  /\bclick here\b/i,
  /\b(?:view|see) (?:the )?full coverage\b|\bVoir la couverture complète\b|\bVollständige Berichterstattung\b/i,
  /\bHør episoden i appen\b/i,
];

function findBoilerplate(parts: readonly PartBody[], platform: Platform): string | undefined {
  for (const part of parts) {
    const text = withoutLinks(part.body);
    for (const re of BOILERPLATE) {
      const m = re.exec(text);
      if (m) return `${platform} part ${part.index}: ${quote(text, m.index, m[0].length)}`;
    }
  }
  return undefined;
}

// ── echo ─────────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * echo: the title said again in the body, as its own unit rather than as words of the writer's sentence. Compared on
 * letters and digits only, case-insensitively (so "Foo – Bar!" and "foo bar" are the same words): a body paragraph
 * that is the title; or, when the title is long enough not to occur by chance (three words or more, or twelve
 * characters in a script without spaces), the title inside a line of the body set apart as a sentence or a label —
 * before it the line's start, a sentence end, or a separator (: | · • – — -); after it the line's end, a sentence
 * end, the next item of a numbered list, or (for a title that opens the line) a separator. "… the boats are back.
 * Ferry timetable changes from July" and "Prof. Alan Cheng: Pediatric Laryngeal Cleft" are echoes; "… an
 * implementation of a privacy-preserving compromised credential checking service" is the writer's sentence. After
 * a colon or a dash inside a line, the words must keep the title's own capitals: "ask yourself – are you getting too
 * personal on your podcast?" is the writer's question in sentence case, not the title "Are You Getting Too Personal
 * On Your Podcast?" repeated. The title paragraph at the top of part 1 is not body.
 */
function findEcho(item: PreviewedItem, parts: readonly PartBody[], platform: Platform): string | undefined {
  const title = echoKey(item.title ?? '');
  if (title.length < 2) return undefined;
  // One word of twelve characters counts only in a script written without spaces, where it is a phrase: an English
  // one-word title ("Retrospective") is a word any text may use.
  const noSpaceScript = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
  const long = title.split(' ').length >= 3 || (!/\s/.test(title) && noSpaceScript.test(title) && [...title].length >= 12);
  for (const part of parts) {
    for (const block of part.body.split('\n\n')) {
      if (echoKey(block) === title) return `${platform} part ${part.index}: a paragraph is the title ${JSON.stringify(collapse(block))}`;
      if (!long) continue;
      for (const line of block.split('\n')) {
        const hit = titleSetApart(line.normalize('NFKC'), item.title!.normalize('NFKC'), title);
        if (hit) return `${platform} part ${part.index}: ${quote(line, hit.start, hit.end - hit.start, 20)}`;
      }
    }
  }
  return undefined;
}

const LETTER = /[\p{L}\p{N}\p{M}]/u;
const AT_LINE_START = /^[^\p{L}\p{N}]*$/u;
const AFTER_SENTENCE_END = /[.!?…。！？]["'”’»)\]]*\s+["'“‘«(]*$/u;
const AFTER_SEPARATOR = /(?:^|\s)[|·•:–—-]+\s*["'“‘«(]*$|:\s*["'“‘«(]*$/u;
const AT_LINE_END = /^[^\p{L}\p{N}]*$/u;
const BEFORE_SENTENCE_END = /^["'”’»)\]]*[.!?…。！？]+(?:["'”’»)\]]*\s|["'”’»)\]]*$)/u;
const BEFORE_LIST_ITEM = /^["'”’»)\]]*[.,;]?\s+\d{1,3}[.)]\s/u;
const BEFORE_SEPARATOR = /^["'”’»)\]]*\s*[|·•:–—-]/u;

/** Where the title stands in `line` as a unit of its own (see findEcho), or undefined. */
function titleSetApart(line: string, rawTitle: string, title: string): { start: number; end: number } | undefined {
  const words = title.split(' ').map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(words.join('[^\\p{L}\\p{N}\\p{M}]+'), 'giu');
  for (const m of line.matchAll(re)) {
    const start = m.index;
    const end = start + m[0].length;
    if (LETTER.test(line.charAt(start - 1)) || LETTER.test(line.charAt(end))) continue;
    const before = line.slice(0, start);
    const after = line.slice(end);
    const atStart = AT_LINE_START.test(before);
    const separated = !atStart && !AFTER_SENTENCE_END.test(before) && AFTER_SEPARATOR.test(before);
    if (!atStart && !AFTER_SENTENCE_END.test(before) && !separated) continue;
    if (!AT_LINE_END.test(after) && !BEFORE_SENTENCE_END.test(after) && !BEFORE_LIST_ITEM.test(after) && !(atStart && BEFORE_SEPARATOR.test(after))) continue;
    if (separated && letters(m[0]) !== letters(rawTitle)) continue;
    return { start, end };
  }
  return undefined;
}

/** Letters and digits in their own case: "Are You Getting" and "are you getting" differ. */
const letters = (text: string): string => text.replace(/[^\p{L}\p{N}]+/gu, '');

/** Letters and digits only, lower case, one space between words: "Foo – Bar!" and "foo bar" are the same title. */
function echoKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}\p{M}]+/gu, ' ').trim();
}

// ── leftover source line ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * leftover source line: a paragraph of the body that opens with a source line the cleaning should have turned
 * into the attribution — up to 180 characters on one line ending in ", <date>:" or a date alone before the colon,
 * such as "Coastal Courier, June 22 2019:… A protected…" or "Jonas Berg Harbour Herald, June 21 2019: The…"; or a
 * byline ending in a colon, "By Lena Fischer, Harbour Herald: More than…" (By/Von/Par/Por/Av, a capitalised name,
 * up to 80 characters without sentence punctuation). Dates as English month names (June 25 2019, 25 June 2019,
 * June 2019), German/French/Spanish/Portuguese/Swedish month names, or numbers (2019-06-25, 25.06.2019,
 * 06/25/2019). A quotation's lead-in ("Jacques Distler: Remarkably…") has neither a date nor "By", and is not
 * flagged.
 */
const MONTHS = [
  'Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?',
  'Januar|Februar|März|Juni|Juli|Oktober|Dezember',
  'janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre',
  'enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre',
  'janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|dezembro',
  'januari|februari|mars|maj|juni|juli|augusti|oktober',
].join('|');
const MONTH = `(?:${MONTHS})\\.?`;
const DAY = '\\d{1,2}(?:st|nd|rd|th|er|º)?\\.?';
const DATE = [
  `${MONTH}\\s+${DAY},?\\s+\\d{4}`,
  `${DAY}\\s+(?:de\\s+)?${MONTH},?\\s+(?:de\\s+)?\\d{4}`,
  `${MONTH},?\\s+\\d{4}`,
  '\\d{4}-\\d{2}-\\d{2}',
  '\\d{1,2}[./]\\d{1,2}[./]\\d{2,4}',
  '\\d{4}/\\d{1,2}/\\d{1,2}',
].join('|');
const SOURCE_LINE = new RegExp(`^(?:[^\\n:]{0,180},\\s*)?(?:${DATE})\\s*:`, 'iu');
const BYLINE = /^(?:By|Von|Par|Por|Av)\s+\p{Lu}[^\n:.!?]{1,80}:/u;

function findSourceLine(parts: readonly PartBody[], platform: Platform): string | undefined {
  for (const part of parts) {
    for (const block of part.body.split('\n\n')) {
      const m = SOURCE_LINE.exec(block.trimStart()) ?? BYLINE.exec(block.trimStart());
      if (m) return `${platform} part ${part.index}: ${JSON.stringify(`${collapse(m[0])}…`)}`;
    }
  }
  return undefined;
}

// ── stub only ────────────────────────────────────────────────────────────────────────────────────────────────────

/** Fewer body words than this in the whole thread is a stub: the title, maybe a one-line teaser. */
export const STUB_MAX_BODY_WORDS = 8;
/** A feed entry field this long (in words, markup removed) had more to say. */
export const STUB_MIN_ENTRY_WORDS = 30;

/**
 * stub only: the thread says next to nothing beyond its title — fewer than 8 body words over all X parts (none,
 * or a one-line teaser) — while some field of the feed entry (description, content, summary, media:description,
 * itunes:summary… anything but the title, links, ids, dates and names) holds 30 words or more that are not just the
 * title: there was text to use. Judged only when the caller passed the entry's texts.
 */
function findStub(item: PreviewedItem, parts: readonly PartBody[]): string | undefined {
  if (!item.entryTexts) return undefined;
  const bodyWords = parts.reduce((n, p) => n + wordCount(p.body), 0);
  if (bodyWords >= STUB_MAX_BODY_WORDS) return undefined;
  const title = echoKey(item.title ?? item.entryTitle ?? '');
  let best: { words: number; text: string } | undefined;
  for (const text of item.entryTexts) {
    if (title && echoKey(text) === title) continue;
    const words = wordCount(text);
    if (words >= STUB_MIN_ENTRY_WORDS && (!best || words > best.words)) best = { words, text };
  }
  if (!best) return undefined;
  return `thread body has ${bodyWords} word(s); the entry has a ${best.words}-word field: ${quote(best.text, 0, 0, 60)}`;
}

// ── mojibake ─────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * mojibake: text decoded with the wrong charset, in the title or any part — U+FFFD (bytes that did not decode),
 * C1 control characters (U+0080–U+009F, never in real text), UTF-8 read as Latin-1/windows-1252 (Ã©, Ã¤, "Â "
 * with a no-break space, â€™, â€œ, Ð¿, Ñ€, Î±, ä¸­), UTF-8 read as windows-1251 (Р°, СЃ), or a run of four or
 * more Latin-1 letters and signs with no ASCII between them (GB2312, windows-1251 or Shift_JIS read as Latin-1:
 * "ÖÐ¹ú", "Ëàáà"; no real language strings four accented letters together).
 */
const CP1252_SPECIALS = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
// A UTF-8 continuation byte (0x80–0xBF) as Latin-1 or windows-1252 shows it; the no-break space (0xA0) is left
// out where a real letter is often followed by one (French "à « … »").
const CONT = `[\\u0080-\\u00BF${CP1252_SPECIALS}]`;
const CONT_NO_NBSP = `[\\u0080-\\u009F\\u00A1-\\u00BF${CP1252_SPECIALS}]`;
const MOJIBAKE: ReadonlyArray<{ re: RegExp; what: string }> = [
  { re: /\uFFFD/u, what: 'U+FFFD' },
  { re: /[\u0080-\u009F]/u, what: 'a C1 control character' },
  // Lead bytes of two-byte UTF-8 most often misread: Â Ã (Latin-1 range), Î Ï (Greek), Ð Ñ (Cyrillic).
  { re: new RegExp(`[ÂÃÎÏÐÑ]${CONT}`, 'u'), what: 'UTF-8 read as Latin-1' },
  { re: new RegExp(`[\\u00C4-\\u00CD\\u00D2-\\u00DF]${CONT_NO_NBSP}`, 'u'), what: 'UTF-8 read as Latin-1' },
  { re: new RegExp(`[\\u00E0-\\u00EF]${CONT_NO_NBSP}${CONT}`, 'u'), what: 'UTF-8 read as Latin-1' },
  {
    re: /[РС][\u0402-\u040F\u0452-\u045F\u00A4\u00A6\u00A7\u00A9\u00AB\u00AC\u00AE\u00B0\u00B1\u00B5\u00B6\u00B7\u00BB\u2013-\u2122]/u,
    what: 'UTF-8 read as windows-1251',
  },
  { re: /[\u00A1-\u00FF]{4,}/u, what: 'a run of Latin-1 letters and signs (a legacy charset read as Latin-1)' },
];

function findMojibake(item: PreviewedItem, platform: Platform): string | undefined {
  const texts = [item.title ?? '', ...item.threads[platform].map((p) => p.text)];
  for (const [i, text] of texts.entries()) {
    for (const { re, what } of MOJIBAKE) {
      const m = re.exec(text);
      if (m) return `${i === 0 ? 'title' : `${platform} part ${i}`}: ${what} ${quote(text, m.index, m[0].length, 15)}`;
    }
  }
  return undefined;
}

// ── escaped entities ─────────────────────────────────────────────────────────────────────────────────────────────

/**
 * escaped entities: an HTML/XML character reference left as text in the title or any part — `&#8217;`, `&#x27;`,
 * `&amp;`, `&lt;`, `&nbsp;`, `&rsquo;`… (`&` + name or number + `;`), and the bare `&amp` `&lt` `&gt` `&quot`
 * `&nbsp` `&copy` forms browsers accept without the semicolon. In links (the item link and links in the text),
 * where `&name` may be a query parameter, only a whole `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` or numeric reference:
 * a link escaped twice (`?a=1&amp;b=2`) leads somewhere else.
 */
const ENTITY = /&(?:#\d{1,7};|#x[0-9a-f]{1,6};|[a-z][a-z0-9]{1,31};|(?:amp|lt|gt|quot|nbsp|copy)\b)/i;
const ENTITY_IN_LINK = /&(?:amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-f]{1,6});/i;
const LINKS = /\b[a-z][a-z0-9+.-]*:\/\/\S+|\b(?:[\p{L}\p{N}-]+\.)+[a-z]{2,}\/\S*/giu;

function findEscapedEntity(item: PreviewedItem, platform: Platform): string | undefined {
  const texts = [item.title ?? '', ...item.threads[platform].map((p) => p.text)];
  for (const [i, raw] of texts.entries()) {
    const where = i === 0 ? 'title' : `${platform} part ${i}`;
    const text = withoutLinks(raw);
    const m = ENTITY.exec(text);
    if (m) return `${where}: ${quote(text, m.index, m[0].length, 20)}`;
    for (const link of raw.matchAll(LINKS)) {
      const e = ENTITY_IN_LINK.exec(link[0]);
      if (e) return `${where}: in a link ${quote(link[0], e.index, e[0].length, 20)}`;
    }
  }
  return undefined;
}

// ── tiny last part ───────────────────────────────────────────────────────────────────────────────────────────────

/** A last part with fewer body words than this is not worth a post of its own. */
export const TINY_LAST_PART_WORDS = 6;

/** tiny last part: a thread of two parts or more whose last part has fewer than 6 body words (link and counter excluded). */
function findTinyLastPart(parts: readonly PartBody[], platform: Platform): string | undefined {
  const last = parts.at(-1);
  if (!last || parts.length < 2) return undefined;
  const words = wordCount(last.body);
  if (words >= TINY_LAST_PART_WORDS) return undefined;
  return `${platform} part ${last.index}/${last.count}: ${words} word(s) ${JSON.stringify(collapse(last.body))}`;
}

// ── cut mid-sentence ─────────────────────────────────────────────────────────────────────────────────────────────

/**
 * cut mid-sentence: the thread's text stops inside a sentence, so the reader gets half of one. Read on the last
 * part that has a body:
 * - it ends in an ellipsis (…, ..., […], [...]) and the text before it does not end on sentence punctuation
 *   (. ! ? 。 ！ ？, maybe followed by a closing quote or bracket). The composer drops the full stop before its
 *   "…", so the summary decides: when the words before the ellipsis are followed in the summary by sentence
 *   punctuation, the cut fell between sentences. Anything else — more words, the feed's own ellipsis, words not
 *   found — is a cut. A clipped link ("example.org/2019/06/ferry-…") is not a sentence.
 * - or it ends on a letter or digit with no punctuation at all (not a link, hashtag or handle) where the summary's
 *   last paragraph (its last line, when it has several), 8 words or more, has full sentences before its unfinished last one: the feed itself cut the
 *   text ("…to consumer level. Due to the detection … acceptable exposu", "…为什么要崇尚英雄？实现中华民族伟大") and
 *   nothing tells the reader. A paragraph or line that is unpunctuated throughout is a deck, a subtitle or a list entry, not a cut; an
 *   unfinished last "sentence" of fewer than 4 words is a trailing label ("… experts warn. Medscape News Canada");
 *   one that is the title again or a boilerplate line is left to those kinds.
 */
const SENTENCE_END = /[.!?。！？‼⁇⁈⁉][\p{Pf}\p{Pe}"'»]*$/u;
const LINK_AT_END = /(?:^|\s)(?:[a-z][a-z0-9+.-]*:\/\/\S+|(?:[\p{L}\p{N}-]+\.)+[a-z]{2,}\/\S*)$/iu;

interface Cut {
  evidence: string;
  /** Nothing was cut here by us: the thread ends where the feed's own text ends (see endsWhereFeedEnds). */
  feedEnd: boolean;
}

function findMidSentenceCut(item: PreviewedItem, parts: readonly PartBody[], platform: Platform): Cut | undefined {
  const last = [...parts].reverse().find((p) => p.body.length > 0);
  if (!last) return undefined;
  const body = collapse(last.body);
  const m = ELLIPSIS_END.exec(body);
  if (!m) {
    const evidence = findUnpunctuatedEnd(item, body, last, platform);
    return evidence === undefined ? undefined : { evidence, feedEnd: endsWhereFeedEnds(item, body) === 'ends' };
  }
  const before = body.slice(0, m.index).trimEnd();
  if (!before || SENTENCE_END.test(before)) return undefined;
  // A long link Bluesky shows clipped ("example.org/2019/06/ferry-…") is not a sentence.
  if (m[0] === '…' && LINK_AT_END.test(before)) return undefined;
  const summary = collapse(item.summary);
  const tail = before.slice(-40);
  const at = summary.indexOf(tail);
  if (at >= 0) {
    const next = summary.slice(at + tail.length).replace(/^[\p{Pf}\p{Pe}"'»]+/u, '');
    if (/^[.!?。！？‼⁇⁈⁉](?!\.\.)/u.test(next) && !next.startsWith('...')) return undefined;
  }
  const end = endsWhereFeedEnds(item, before);
  // The writer's own "…" ("There will be Pokemon… Before PATs"): the feed's text goes on after it, so nothing was cut.
  if (end === 'writer-ellipsis') return undefined;
  const evidence = `${platform} part ${last.index}/${last.count} ends ${JSON.stringify(`…${body.slice(-50)}`)}`;
  // The feed cut its only sentence: its first words and "…" are all there is. After a whole sentence, ending there
  // was ours to do.
  return { evidence, feedEnd: end === 'ends' && !hasSentenceBefore(item.summary, before) };
}

/**
 * Whether the thread's text, ending in `before` (its "…" taken off), ends where the feed entry's own text ends,
 * checked against every body field of the entry (entryTexts): its last words are found in some field, and in every
 * field that holds them they are followed by nothing, by the feed's cut mark ("…", "...", "[…]") and whatever footer
 * the feed put after it, or by boilerplate ("submitted by /u/…", "Continue reading"): no field has more of the text.
 * 'writer-ellipsis' when a field has the same words, a plain "…" or "...", and then more prose: the writer's ellipsis.
 * 'more' when a field goes on; undefined when the words are in no field or the entry's texts were not read.
 */
export function endsWhereFeedEnds(item: PreviewedItem, before: string): 'ends' | 'more' | 'writer-ellipsis' | undefined {
  if (!item.entryTexts) return undefined;
  const words = echoKey(before).split(' ').filter(Boolean).slice(-8);
  if (words.length === 0) return undefined;
  const re = new RegExp(`(?<![\\p{L}\\p{N}])${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^\\p{L}\\p{N}\\p{M}]+')}(?![\\p{L}\\p{N}])`, 'giu');
  let ends = false;
  for (const text of item.entryTexts) {
    for (const m of text.normalize('NFKC').matchAll(re)) {
      const rest = text.normalize('NFKC').slice(m.index + m[0].length);
      const prose = withoutLinks(rest).trim();
      if (!/[\p{L}\p{N}]/u.test(prose)) ends = true;
      else if (/^[\p{Pf}\p{Pe}"'»]*\s*\[\s*(?:…|\.\.\.)\s*\]/u.test(prose)) ends = true;
      else if (/^[\p{Pf}\p{Pe}"'»]*\s*(?:…|\.\.\.)/u.test(prose)) {
        const footer = prose.replace(/^[\p{Pf}\p{Pe}"'»]*\s*(?:…|\.{3,})\s*/u, '');
        if (isFooter(footer)) ends = true;
        else return 'writer-ellipsis';
      } else if (isFooter(prose)) ends = true;
      else return 'more';
    }
  }
  return ends ? 'ends' : undefined;
}

/** Text that opens with boilerplate (a read-more link, "submitted by /u/…"): the feed's footer, not the item's words. */
function isFooter(text: string): boolean {
  return BOILERPLATE.some((re) => {
    const m = re.exec(text);
    return m !== null && !/[\p{L}\p{N}]/u.test(text.slice(0, m.index));
  });
}

/** The summary's last paragraph has a whole sentence before the one that `before` ends. */
function hasSentenceBefore(summary: string, before: string): boolean {
  const paragraph = summary.split(PARAGRAPH_BREAK).map(collapse).filter(Boolean).at(-1) ?? '';
  const tail = collapse(before).slice(-40);
  const at = paragraph.lastIndexOf(tail);
  const head = at >= 0 ? paragraph.slice(0, at + tail.length) : paragraph;
  return /[.!?。！？][\p{Pf}\p{Pe}"'»]*(?:\s+|(?=[\p{Lu}\p{Lo}]))\S/u.test(head.slice(0, -1));
}

const PARAGRAPH_BREAK = /\n[^\S\n]*\n/u;
// A list item's number ("5. ") is not the end of a sentence.
const lastLine = (paragraph: string): string =>
  collapse(paragraph.split('\n').map(collapse).filter(Boolean).at(-1) ?? '').replace(/^(?:\d{1,3}[.)]|•)\s+/u, '');

function findUnpunctuatedEnd(item: PreviewedItem, body: string, last: PartBody, platform: Platform): string | undefined {
  if (!/[\p{L}\p{N}]$/u.test(body)) return undefined;
  const lastToken = body.slice(body.lastIndexOf(' ') + 1);
  if (/^[#@＃＠]|\/|\.[a-z]{2,}$/iu.test(lastToken)) return undefined;
  // The unit is the last line: a paragraph's lines (list items, lines after <br>) each stand alone in the post.
  const lastParagraph = item.summary.split(PARAGRAPH_BREAK).map(lastLine).filter(Boolean).at(-1) ?? '';
  if (!lastParagraph || !lastParagraph.endsWith(lastToken) || wordCount(lastParagraph) < 8) return undefined;
  const sentenceEnds = [...lastParagraph.matchAll(/[.!?。！？][\p{Pf}\p{Pe}"'»]*(?:\s+|(?=[\p{L}\p{N}]))/gu)];
  const lastEnd = sentenceEnds.at(-1);
  if (!lastEnd) return undefined;
  // An ending another kind explains — the title said again, a read-more or footer line — is left to that kind.
  const unfinished = lastParagraph.slice(lastEnd.index + lastEnd[0].length);
  if (wordCount(unfinished) < 4) return undefined;
  if (echoKey(unfinished) === echoKey(item.title ?? '') || BOILERPLATE.some((re) => re.test(withoutLinks(unfinished)))) return undefined;
  return `${platform} part ${last.index}/${last.count} ends without punctuation ${JSON.stringify(`…${body.slice(-50)}`)}`;
}

// ── title cut without … ──────────────────────────────────────────────────────────────────────────────────────────

/**
 * title cut without …: the title as part 1 shows it is a shorter prefix of the item's title with no "…" to say so
 * (whitespace collapsed before comparing) — or, when the caller read the feed entry's own title, the item's title
 * is a shorter prefix of that (compared on letters and digits only, so entity and markup differences do not count)
 * and does not end in "…": the title was cut before compose saw it.
 */
function findTitleCut(item: PreviewedItem, platform: Platform): string | undefined {
  const title = item.title ? collapse(item.title) : '';
  if (!title) return undefined;
  const first = item.threads[platform][0];
  if (!first) return undefined;
  const shown = collapse(first.text.split('\n\n')[0] ?? '').replace(/\s\d+\/\d+$/u, '');
  if (shown === title || ELLIPSIS_END.test(shown) || shown.length >= title.length) return undefined;
  if (!title.startsWith(shown)) return undefined;
  return `${platform} part 1 shows ${JSON.stringify(shown)} of ${JSON.stringify(title)}`;
}

function findEntryTitleCut(item: PreviewedItem): string | undefined {
  if (!item.entryTitle || !item.title || ELLIPSIS_END.test(collapse(item.title))) return undefined;
  const key = (s: string) => s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  const entry = key(item.entryTitle);
  const title = key(item.title);
  if (!title || entry.length <= title.length + 3 || !entry.startsWith(title)) return undefined;
  return `item title ${JSON.stringify(collapse(item.title))} is cut from the feed's ${JSON.stringify(collapse(item.entryTitle))}`;
}
