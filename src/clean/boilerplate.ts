import { contactBlockStart } from './contact-block.js';
import { musicCreditsStart } from './music-credits.js';
import { withoutOrphanPointers } from './orphan-pointer.js';
import { coversLink, paragraphText, sliceParagraph, textParagraph, tidyParagraph } from './runs.js';
import type { BodyParagraph } from './types.js';

/**
 * What publishing software appends to every item and nobody wrote for it: "read more" links, WordPress's "The post
 * … appeared first on …" and Medium's "… was originally published in …" footers, comment and share links, podcast
 * hosts' privacy lines, contact blocks (contact-block.ts) and music credits (music-credits.ts), closing advertisements, the excerpt's `[…]` mark, and a
 * closing paragraph that only links back to the item or the site. Only the end of a body is looked at, except for
 * what stands anywhere: a shortcode a plugin left as text, a call to comment, a pointer at a picture that is gone
 * (orphan-pointer.ts). Each rule wants a clear sign (a link, a sentence boundary before it, a capital letter, a
 * closing arrow); where unsure, the words stay.
 */

export interface LinkTargets {
  /** The item's canonical URL. */
  itemUrl?: string;
  /** The site's home page; else the item URL's host root counts as home. */
  siteUrl?: string;
}

export interface BoilerplateResult {
  paragraphs: BodyParagraph[];
  /**
   * An excerpt mark (`[…]`, `(…)`) was removed, or a "[read more]" link after "...": the text was cut by software,
   * not ended by its writer.
   */
  cut: boolean;
}

/** "Read more" in the languages our feeds come in; a capital first letter or a sentence end before it is required. */
const READ_MORE = [
  'read more',
  'read the rest(?: of (?:this|the) (?:entry|post|article|story))?',
  'read (?:the )?full (?:article|story|post|text)(?: here)?',
  'continue reading',
  'keep reading',
  'full story',
  'weiterlesen',
  'weiter lesen',
  'mehr lesen',
  'zum (?:vollständigen )?artikel',
  'lire la suite',
  'lire plus',
  "lire l['’]article",
  'en savoir plus',
  'leer más',
  'seguir leyendo',
  'sigue leyendo',
  'continuar leyendo',
  'leia mais',
  'ler mais',
  'continue lendo',
  'continuar lendo',
  'saiba mais',
  'läs mer',
  'läs vidare',
  'läs hela (?:artikeln|inlägget)',
  'continúa leyendo',
  'continua leyendo',
  'leggi tutto',
  'continua a leggere',
  'les mer',
  'læs mere',
  'lees meer',
  // NRK's podcasts link every episode to their app.
  'hør episoden(?: i appen(?: nrk radio)?)?',
  // A link that only says where to click ("This article has moved, please click here").
  '(?:please )?click here(?: to (?:read|continue|view|see)(?: (?:more|the (?:full )?(?:article|story|post)))?)?',
  'verder lezen',
  // Google News closes its list of related stories with a link to the whole story cluster.
  '(?:view|see) full coverage on google news',
  'voir la couverture complète sur google actualités',
  'ver (?:la )?cobertura completa en google noticias',
  'ver cobertura completa no google notícias',
].join('|');

/** Comment and share links, as their text reads. */
const COMMENT_OR_SHARE = new RegExp(
  '^(?:' +
    [
      '(?:\\d+\\s+)?(?:reader\\s+)?(?:comments?|kommentare?|kommentarer|commentaires?|comentários?|comentarios?|commenti)(?:\\s*\\(\\d+\\))?',
      'leave a (?:comment|reply)',
      'add (?:a )?comment',
      'post a comment',
      'no comments(?: yet)?',
      'kommentieren',
      'commenter',
      'comentar',
      'kommentera',
      'share(?: (?:this|on \\S+))?',
      'tweet(?: this)?',
      'teilen',
      'partager',
      'compartilh(?:e|ar)',
      'compartir',
      'dela',
      'condividi',
      '\\[link\\]',
    ].join('|') +
    ')$',
  'iu',
);

/** A comment or share link's text, bracketed or not ("[275 comments]"). */
function isCommentOrShare(text: string): boolean {
  const t = text.trim();
  return COMMENT_OR_SHARE.test(t) || COMMENT_OR_SHARE.test(unbracketed(t));
}

const READ_MORE_LINK = new RegExp(`^(?:${READ_MORE})\\b`, 'iu');

/** A "read more" link's text, bracketed or not ("[read more]"). */
function isReadMoreLink(text: string): boolean {
  const t = text.trim();
  return READ_MORE_LINK.test(t) || READ_MORE_LINK.test(unbracketed(t));
}

function unbracketed(text: string): string {
  return text.replace(/^\[(.*)\]$/su, '$1').trim();
}
const ARROWS = '(?:»|›|→|>>|>|\\.{2,}|…)';
/** "Read more »", "Leia mais (01/03/2025 - 23h00)", "Weiterlesen…" at the very end. */
const READ_MORE_TAIL = new RegExp(`(?:${READ_MORE})(?:\\s*(?:${ARROWS}|[.!:]))*(?:\\s*\\([^()\\n]{0,40}\\))?\\s*$`, 'iu');
/** "Leia mais no Massa News!", "Read more at Example News.": the phrase, a preposition, then a link (see tailStart). */
const READ_MORE_AT = new RegExp(
  `(?:${READ_MORE})\\s+(?:on|at|in|no|na|em|en|sur|auf|bei|su|op|på|i)\\s+(?=[^\\n.!?]{1,80}[.!]?\\s*$)`,
  'iu',
);
/** "Continue reading Title →", "Read more in this week's issue…": words after the phrase, then a closing arrow. */
const READ_MORE_ON_TAIL = new RegExp(`(?:${READ_MORE})\\s[^\\n.!?]{0,200}?(?:→|»|…|\\.{3})\\.?\\s*$`, 'iu');
const READ_MORE_ALONE = new RegExp(`^(?:${READ_MORE})(?:\\s*(?:${ARROWS}|[.!:]))*$`, 'iu');
const COMMENT_TAIL =
  /(?:\d+\s+)?(?:Reader\s+)?(?:Comments?|Kommentare?|Kommentarer|Commentaires?|Comentários?|Comentarios?|Commenti)(?:\s*\(\d+\))?\s*$/u;
/**
 * A last sentence that only says where to click ("This article has moved, please click here."): a link label left
 * without its link (or its link gone), and a thread cannot be clicked there. The whole sentence goes, so no half of
 * it is left; "click here" inside a sentence that goes on stays.
 */
const CLICK_HERE_SENTENCE = /(?:^|(?<=[.!?…]["'”’)]*\s+))[^.!?…\n]{0,160}\bclick here[.!]?\s*$/iu;
/** "Reader comments": a link label flattened into the text; no sentence ends on it. */
const READER_COMMENTS_TAIL = /Reader comments\s*$/u;

/** WordPress's footer in the languages of its translations: "The post X appeared first on Y." and kin. */
const APPEARED_FIRST_ON = new RegExp(
  '(?:^|\\s)(?:The post|Der Beitrag|L[’\']article|Cet article|La entrada|El artículo|La publicación|O post|O artigo|A entrada|Inlägget|Het bericht|L[’\']articolo)' +
    '\\s\\S.{0,300}?\\s' +
    '(?:appeared first on|erschien zuerst auf|est apparu en premier sur|se publicó primero en|apareció primero en|aparece primero en|apareceu primeiro em|dök först upp på|verscheen eerst op|proviene da|sembra essere il primo su)' +
    '\\s\\S.{0,200}?\\.?\\s*$',
  'su',
);

/**
 * Every READ_MORE_* pattern starts with the phrase. They end at the end of the text, but V8 tries them at every start
 * position all the same: this one search says whether any of them can match.
 */
const READ_MORE_ANYWHERE = new RegExp(`(?:${READ_MORE})`, 'iu');

/** Medium's footer, a paragraph of its own: "<title> was originally published in <publication> on Medium, where …". */
const MEDIUM_FOOTER =
  /^[^\n]{1,300}?\swas originally published in\s[^\n]{1,200}?\son Medium, where people are continuing the conversation by highlighting and responding to this story\.?$/u;

/**
 * A call to comment that starts a sentence and ends its paragraph ("Just leave a comment on this episode!"); a
 * request inside a sentence ("If you know of references to this ordering, please leave a comment") is the writer's.
 */
const CALL_TO_COMMENT =
  /(?:^|(?<=[.!?]["'”’)]*\s+))(?:(?:just|simply|please)\s+)?(?:leave|post|drop|add)\s+(?:us\s+)?a\s+comment(?:\s+(?:below|here|(?:on|under)\s+(?:this|the)\s+(?:episode|post|article|story|video|page)))?\s*[.!]+$/iu;
/** What may stay with a call to comment in a paragraph that goes whole: a short line, such as the contest it is for. */
const CALL_COMPANION_WORDS = 15;
/** A WordPress shortcode left as text by a plugin that did not run: "[yop_poll id="12"]". */
const SHORTCODE = /^\[[a-z][\w-]*(?:\s+[\w-]+=(?:"[^"\n]*"|'[^'\n]*'|[^\s\]]+))+\s*\/?\]$/iu;

/** Podcast hosts' lines appended to every episode's description. */
const HOST_LINES = [
  /(?:^|\s)See omnystudio\.com\/listener for privacy information\.?\s*$/iu,
  /(?:^|\s)Hosted on Acast\. See acast\.com\/privacy for more information\.?\s*$/iu,
  /(?:^|\s)Learn more about your ad choices\. Visit (?:megaphone\.fm|podcastchoices\.com)\/adchoices\.?\s*$/iu,
];

/**
 * A closing advertisement: questions put to the reader, then a call to go somewhere, with a link ("Need to hire a
 * really great programmer? Want a job that doesn't drive you crazy? Visit the Joel on Software Job Board: …").
 */
const PROMO =
  /^(?:(?:need|want|looking for|searching for|interested in|ready to|wish)\b[^.!?\n]{0,120}\?\s+){1,3}(?:visit|check out|head (?:over )?to|go to|try|join|sign up|subscribe)\b[^\n]{0,200}$/iu;
/** Reddit's closing line, once its [link] and [comments] links are gone: the user is a link, or written /u/name. */
const REDDIT_SUBMITTED = /^submitted by\s+(\S+)(?:\s+to\s+\S+)?$/iu;
/** A sponsor's sentence opening the body: "The … news feed is brought to you by TUXEDO COMPUTERS." */
const SPONSOR_LEAD = /^[^.!?\n]{0,120}\b(?:is brought to you by|are brought to you by|is sponsored by|sponsored by|präsentiert von|gesponsert von)\s[^.!?\n]{1,80}[.!]\s+(?=\S)/iu;

/** An ellipsis right after a word, the end software leaves when it cuts an excerpt before a "read more" link. */
const CUT_BEFORE_LINK = /[\p{L}\p{N}](?:…|\.{3})$/u;
const EXCERPT_MARK = /\s*(?:\[\s*(?:…|\.\.\.|&hellip;|&#8230;)\s*\]|\(\s*(?:…|\.\.\.)\s*\))$/u;
/** What may stand between links in a paragraph that is only links. */
const SEPARATORS = /^[\s\-–—|/·•,.:;»«›‹→←()[\]]*$/u;
const SENTENCE_END = /[.!?…:;。！？]["'”’»)\]]*\s*$/u;
/**
 * Boilerplate at the end of a paragraph is short: patterns are searched in its last TAIL_WINDOW characters only,
 * so a hostile megabyte paragraph costs no more than a normal one.
 */
const TAIL_WINDOW = 1200;

/** Boilerplate removed from the end of a body, repeatedly, until the end is the writer's own. */
export function removeBoilerplate(paragraphs: readonly BodyParagraph[], targets: LinkTargets = {}): BoilerplateResult {
  const out = withoutOrphanPointers(withoutCallsToComment(paragraphs.filter((p) => !SHORTCODE.test(paragraphText(p).trim()))));
  let cut = false;
  let removed = false;
  for (let guard = 0; guard < 50 && out.length > 0; guard++) {
    const last = out[out.length - 1]!;
    if (isBoilerplateParagraph(last, targets)) {
      out.pop();
      removed = true;
      continue;
    }
    const text = paragraphText(last);
    const from = windowStart(text);
    // The mark is the paragraph's last character: without "]" or ")" there, the pattern need not run.
    const mark = text.endsWith(']') || text.endsWith(')') ? search(EXCERPT_MARK, text, from) : undefined;
    if (mark !== undefined) cut = true;
    const found = mark ?? tailStart(last, text, from);
    if (found === undefined) break;
    // A list item that held only the boilerplate ("6. Voir la couverture complète…") goes with its number.
    const at = found - (/(?:^|\n)(?:•|\d{1,3}\.)\s*$/u.exec(text.slice(Math.max(0, found - 8), found))?.[0].length ?? 0);
    const kept = tidyParagraph(sliceParagraph(last, 0, at));
    if (kept.length > 0) out[out.length - 1] = kept;
    else out.pop();
    removed = true;
  }
  const last = out[out.length - 1];
  // Software that cuts an excerpt with "..." before its own "[read more]" link cut it mid-sentence.
  if (removed && last && CUT_BEFORE_LINK.test(paragraphText(last))) cut = true;
  if (cut && last && !/[.!?…:;"'’”)\]。！？]$/u.test(paragraphText(last))) out[out.length - 1] = [...last, { text: '…' }];
  return { paragraphs: out, cut };
}

/**
 * Calls to comment, wherever they stand (a podcast's show notes put them mid-way): the sentence goes, and the whole
 * paragraph when little else is in it ("Win the other gray T-Shirt! Just leave a comment on this episode!").
 */
function withoutCallsToComment(paragraphs: readonly BodyParagraph[]): BodyParagraph[] {
  const out: BodyParagraph[] = [];
  for (const p of paragraphs) {
    const text = paragraphText(p);
    const tail = text.slice(-TAIL_WINDOW);
    const m = mayCallToComment(tail) ? CALL_TO_COMMENT.exec(tail) : null;
    if (!m) {
      out.push(p);
      continue;
    }
    const at = text.length - Math.min(text.length, TAIL_WINDOW) + m.index;
    const rest = text.slice(0, at).trim();
    if (rest.split(/\s+/u).length > CALL_COMPANION_WORDS) out.push(tidyParagraph(sliceParagraph(p, 0, at)));
  }
  return out;
}

/**
 * What CALL_TO_COMMENT needs: a full stop or "!" last and the word, found by a plain search (same flags), before the
 * pattern, whose look-behind V8 tries at every position of a paragraph.
 */
function mayCallToComment(text: string): boolean {
  return (text.endsWith('.') || text.endsWith('!')) && /comment/iu.test(text);
}

/** A sponsor's sentence at the very start of the body, removed; the rest of the paragraph stays. */
export function removeSponsorLead(paragraphs: readonly BodyParagraph[]): BodyParagraph[] {
  const first = paragraphs[0];
  if (!first) return [...paragraphs];
  const m = SPONSOR_LEAD.exec(paragraphText(first));
  if (!m) return [...paragraphs];
  const rest = tidyParagraph(sliceParagraph(first, m[0].length));
  return rest.length > 0 ? [rest, ...paragraphs.slice(1)] : paragraphs.slice(1);
}

/** The same rules on plain text (paragraphs split on blank lines, no links). */
export function stripBoilerplate(text: string): string {
  const paragraphs = text.split(/\n[ \t]*\n/).map((p) => textParagraph(p.trim()));
  return removeBoilerplate(paragraphs.filter((p) => p.length > 0))
    .paragraphs.map(paragraphText)
    .join('\n\n');
}

function isBoilerplateParagraph(p: BodyParagraph, targets: LinkTargets): boolean {
  const text = paragraphText(p).trim();
  if (isCommentOrShare(text) || isRedditLine(p, text)) return true;
  if (READ_MORE_ALONE.test(text)) return true;
  if (PROMO.test(text) && p.some((r) => r.href !== undefined)) return true;
  // The footer's fixed words, found by a plain search, before the pattern's backtracking over 300 characters.
  if (text.includes('was originally published in') && MEDIUM_FOOTER.test(text)) return true;
  const links = p.filter((r) => r.href !== undefined);
  if (links.length === 0 || !p.every((r) => r.href !== undefined || SEPARATORS.test(r.text))) return false;
  // Only links: back to the item or the site, or the "read more" / comment / share kind ("Lire la suite - En bref / Europe").
  if (isReadMoreLink(links[0]!.text)) return true;
  return links.every((l) => pointsHome(l.href!, targets) || isCommentOrShare(l.text));
}

function isRedditLine(p: BodyParagraph, text: string): boolean {
  const user = REDDIT_SUBMITTED.exec(text)?.[1];
  if (!user) return false;
  return /^\/?u\//u.test(user) || p.some((r) => r.href !== undefined && r.text.trim() === user);
}

/** Where the boilerplate at the end of this paragraph starts, if there is some. */
function tailStart(p: BodyParagraph, text: string, from: number): number | undefined {
  const hasLinks = p.some((r) => r.href !== undefined);
  const footer = search(APPEARED_FIRST_ON, text, from);
  // WordPress links the post and the site in its footer: in a paragraph with links, a footer without one is prose.
  if (footer !== undefined && (!hasLinks || coversLink(p, footer, text.length))) return footer;
  for (const line of HOST_LINES) {
    const m = search(line, text, from);
    if (m !== undefined) return m;
  }
  const linkTail = trailingLinkStart(p);
  if (linkTail !== undefined) return linkTail;
  const contact = contactBlockStart(text, from);
  if (contact !== undefined) return contact;
  const credits = musicCreditsStart(text, from);
  if (credits !== undefined) return credits;
  // The end-anchored patterns below run only where a cheap check on the text's last characters allows a match.
  const end = text.trimEnd();
  const readMore = READ_MORE_ANYWHERE.test(from > 0 ? text.slice(from) : text);
  // The words after the preposition must be a link: "Read more at the library" is a sentence.
  const readMoreAt = readMore ? READ_MORE_AT.exec(text.slice(from)) : null;
  if (readMoreAt) {
    const at = from + readMoreAt.index;
    if (coversLink(p, at + readMoreAt[0].length, text.length) && startsClearly(text, at, true)) return at;
  }
  for (const pattern of readMore ? [READ_MORE_TAIL, READ_MORE_ON_TAIL] : []) {
    const m = search(pattern, text, from);
    if (m !== undefined && startsClearly(text, m, true)) return m;
  }
  // Comments are a common noun, and German capitalises nouns: only after a sentence end.
  const comments = search(COMMENT_TAIL, text, from);
  if (comments !== undefined && startsClearly(text, comments, false)) return comments;
  // "click here", a "." or "!" maybe, then whitespace (what trimEnd removes): one code unit per letter even under iu.
  const clickHere = /click here[.!]?$/iu.test(end.slice(-11)) ? search(CLICK_HERE_SENTENCE, text, from) : undefined;
  if (clickHere !== undefined) return clickHere;
  const reader = end.endsWith('Reader comments') ? search(READER_COMMENTS_TAIL, text, from) : undefined;
  if (reader !== undefined && startsClearly(text, reader, true)) return reader;
  return undefined;
}

/** Where the search window starts: TAIL_WINDOW characters from the end, moved to the next word start. */
function windowStart(text: string): number {
  if (text.length <= TAIL_WINDOW) return 0;
  const space = text.slice(text.length - TAIL_WINDOW).search(/\s/u);
  return space < 0 ? text.length - TAIL_WINDOW : text.length - TAIL_WINDOW + space + 1;
}

/** A pattern's match index in `text`, searched from `from` (a word start, so `^` there reads as "after a space"). */
function search(pattern: RegExp, text: string, from: number): number | undefined {
  const m = pattern.exec(from > 0 ? text.slice(from) : text);
  return m ? m.index + from : undefined;
}

/** Trailing links that are "read more", comment or share links, with only separators after and between them. */
function trailingLinkStart(p: BodyParagraph): number | undefined {
  let at = paragraphText(p).length;
  let start: number | undefined;
  for (let i = p.length - 1; i >= 0; i--) {
    const run = p[i]!;
    at -= run.text.length;
    if (run.href === undefined) {
      if (SEPARATORS.test(run.text)) continue;
      break;
    }
    const t = run.text.trim();
    if (!(isCommentOrShare(t) || isReadMoreLink(t))) break;
    start = at;
  }
  return start;
}

/**
 * A phrase found at `index` is boilerplate only at a sentence start or (`capitalOk`), flattened from a link, with a
 * capital letter in mid-sentence ("… Red OS Read more in this week's issue…").
 */
function startsClearly(text: string, index: number, capitalOk: boolean): boolean {
  const before = text.slice(Math.max(0, index - 40), index);
  if (index <= 40 && !before.trim()) return true; // the paragraph's start
  if (!/\s$/u.test(before) && !/[.!?…]$/u.test(before)) return false; // inside a word
  return SENTENCE_END.test(before) || (capitalOk && /^\p{Lu}/u.test(text.charAt(index)));
}

/** Whether a link leads back to the item itself or to the site's home page. */
export function pointsHome(href: string, targets: LinkTargets): boolean {
  const link = parse(href);
  if (!link) return false;
  const item = targets.itemUrl ? parse(targets.itemUrl) : undefined;
  const site = targets.siteUrl ? parse(targets.siteUrl) : undefined;
  if (item && sameUrl(link, item)) return true;
  if (site && sameUrl(link, site)) return true;
  const isRoot = (link.pathname === '/' || link.pathname === '') && link.search === '';
  return isRoot && [item, site].some((u) => u !== undefined && host(u) === host(link));
}

function parse(href: string): URL | undefined {
  try {
    return new URL(href);
  } catch {
    return undefined;
  }
}

function host(u: URL): string {
  return u.hostname.toLowerCase().replace(/^www\./, '');
}

/** Same page: host without www, path without a trailing slash, the same query (tracking already removed by sources). */
function sameUrl(a: URL, b: URL): boolean {
  const path = (u: URL) => u.pathname.replace(/\/+$/, '');
  return host(a) === host(b) && path(a) === path(b) && a.search === b.search;
}
