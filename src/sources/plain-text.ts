import { compile, type HtmlToTextOptions } from 'html-to-text';
import { decodeHTML } from 'entities';
import { Parser } from 'htmlparser2';
import { tidyParagraph, type BodyParagraph, type BodyRun } from '../clean/index.js';

/**
 * Markup → plain text for summaries and titles. Entities are decoded exactly once (by htmlparser2):
 * the feed parser has already undone the XML escaping, so `&amp;lt;` in an HTML field becomes the literal `&lt;`.
 */
const HTML_OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  preserveNewlines: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'picture', format: 'skip' },
    { selector: 'svg', format: 'skip' },
    { selector: 'video', format: 'skip' },
    { selector: 'audio', format: 'skip' },
    { selector: 'iframe', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'noscript', format: 'skip' },
    { selector: 'blockquote', format: 'block' },
    { selector: 'pre', format: 'pre' },
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'td', format: 'inlineSurround', options: { prefix: ' ', suffix: ' ' } },
    { selector: 'th', format: 'inlineSurround', options: { prefix: ' ', suffix: ' ' } },
    { selector: 'hr', format: 'block' },
    // A page's <title> pasted into a description (NASA's APOD) is a heading, not the first words of its text.
    { selector: 'title', format: 'block' },
    { selector: 'ul', options: { itemPrefix: '• ' } },
    ...(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const).map((h) => ({ selector: h, options: { uppercase: false } })),
  ],
};

// Compiled once: convert() rebuilds its selector machinery on every call, which dominated feed parsing.
const htmlConverter = compile(HTML_OPTIONS);

/**
 * For body fields the links are kept as data (src/clean/types.ts): a link's text is wrapped in private-use marks
 * carrying its href, read back into runs after the conversion. The marks are removed from the input first.
 */
const LINK_OPEN = '\uE000';
const LINK_HREF_END = '\uE001';
const LINK_CLOSE = '\uE002';
const LINK_MARKS = /[\uE000-\uE002]/g;
const bodyConverter = compile({
  ...HTML_OPTIONS,
  formatters: {
    markedAnchor(elem, walk, builder) {
      const href = typeof elem.attribs?.href === 'string' ? elem.attribs.href.trim() : '';
      if (!href) {
        walk(elem.children, builder);
        return;
      }
      // The href must survive whitespace collapsing and paragraph splitting: spaces and line breaks are escaped.
      builder.addLiteral(`${LINK_OPEN}${href.replace(/\s/g, (c: string) => encodeURIComponent(c))}${LINK_HREF_END}`);
      walk(elem.children, builder);
      builder.addLiteral(LINK_CLOSE);
    },
  },
  selectors: [...(HTML_OPTIONS.selectors ?? []).filter((s) => s.selector !== 'a'), { selector: 'a', format: 'markedAnchor' }],
});
const titleConverter = compile({ ...HTML_OPTIONS, selectors: [...(HTML_OPTIONS.selectors ?? []), { selector: 'p', format: 'inline' }] });

/**
 * How deep HTML in a feed field may nest. html-to-text walks the tree recursively and overflows the stack at about
 * 1,300 levels of `<ul>` (fewer when called deeper in a stack), and htmlparser2 slows down with depth; real
 * markup, page builders included, stays well under 100.
 */
export const MAX_HTML_DEPTH = 200;

/** A field's HTML nests elements deeper than MAX_HTML_DEPTH: it is not converted (it would overflow the stack). */
export class HtmlTooDeepError extends Error {
  readonly limit = MAX_HTML_DEPTH;
  constructor() {
    super(`the HTML nests elements more than ${MAX_HTML_DEPTH} levels deep`);
    this.name = 'HtmlTooDeepError';
  }
}

/**
 * Text with no tag and no character reference (a "&" before anything that cannot start one is literal): all
 * html-to-text does to it is collapse runs of its whitespace, which counts U+200B, into one space. Most titles and
 * many summaries are such text, and skipping the conversion gives the very same bytes (a differential test over
 * random text holds the two paths together) for a fraction of the time. Up to html-to-text's input limit.
 */
const MARKUP = /<|&[A-Za-z0-9#]/;
const HTML_WHITESPACE = /[ \t\r\n\f\u200b]+/g;
/** What collapsing HTML_WHITESPACE changes: a run of two, or one that is not a space. Most titles have neither. */
const HTML_WHITESPACE_TO_COLLAPSE = /[\t\r\n\f\u200b]| {2}/;
const collapseHtmlWhitespace = (text: string): string => (HTML_WHITESPACE_TO_COLLAPSE.test(text) ? text.replace(HTML_WHITESPACE, ' ') : text);
const MAX_INPUT = 16_777_216;

function withoutMarkup(text: string): string | undefined {
  return text.length <= MAX_INPUT && !MARKUP.test(text) ? collapseHtmlWhitespace(text) : undefined;
}

/**
 * A title with character references but no tag ("Tom &amp; Jerry", "the city&#8217;s"; a third of some feeds'
 * titles): one text node to html-to-text, which htmlparser2 decodes with the entities package's HTML decoder before
 * the whitespace is collapsed. The same decoder (the same version: htmlparser2 depends on it) gives the same bytes
 * without the conversion (tests/sources/plain-text-fast-path.test.ts compares the two on random references).
 */
function withoutTags(text: string): string | undefined {
  return text.length <= MAX_INPUT && !text.includes('<') ? collapseHtmlWhitespace(decodeHTML(text)) : undefined;
}

/** HTML fragment → plain text: paragraphs separated by one blank line, whitespace collapsed inside them. */
export function htmlToPlain(html: string): string {
  const plain = withoutMarkup(html);
  if (plain !== undefined) return tidyParagraphs(plain, 'kept');
  if (nestsDeeperThan(html, MAX_HTML_DEPTH)) throw new HtmlTooDeepError();
  return tidyParagraphs(htmlConverter(html), 'kept');
}

/**
 * HTML fragment → paragraphs of runs, each link's text a run with its href (as written: the caller resolves it).
 * Same text as htmlToPlain gives, split into runs.
 */
export function htmlToBody(html: string): BodyParagraph[] {
  const unmarked = html.replace(LINK_MARKS, '');
  const plain = withoutMarkup(unmarked);
  if (plain === undefined && nestsDeeperThan(unmarked, MAX_HTML_DEPTH)) throw new HtmlTooDeepError();
  const marked = tidyParagraphs(plain ?? bodyConverter(unmarked), 'kept');
  return marked ? marked.split('\n\n').map(readLinkMarks) : [];
}

/** Plain text (see textToPlain) → paragraphs of one run each. */
export function textToBody(text: string): BodyParagraph[] {
  const plain = textToPlain(text.replace(LINK_MARKS, ''));
  return plain ? plain.split('\n\n').map((p) => [{ text: p }]) : [];
}

/** One marked paragraph → runs. Marks left unbalanced by odd markup (a link around a block) are tolerated. */
function readLinkMarks(marked: string): BodyParagraph {
  const runs: BodyRun[] = [];
  const push = (text: string, href?: string) => {
    if (!text) return;
    const last = runs[runs.length - 1];
    if (last && last.href === href) last.text += text;
    else runs.push(href === undefined ? { text } : { text, href });
  };
  let href: string | undefined;
  let i = 0;
  while (i < marked.length) {
    LINK_MARK_ANY.lastIndex = i;
    const next = LINK_MARK_ANY.exec(marked);
    if (!next) {
      push(marked.slice(i), href);
      break;
    }
    const at = next.index;
    push(marked.slice(i, at), href);
    if (marked[at] === LINK_OPEN) {
      // The href follows the open mark directly and holds no marks (they were removed from the input).
      const end = marked.indexOf(LINK_HREF_END, at + 1);
      if (end < 0) {
        i = at + 1;
        continue;
      }
      href = marked.slice(at + 1, end);
      i = end + 1;
    } else {
      href = undefined;
      i = at + 1;
    }
  }
  return tidyParagraph(runs);
}
const LINK_MARK_ANY = /[\uE000\uE002]/g;

/**
 * Whether the tree htmlparser2 builds from `html` (as html-to-text will) is more than `limit` elements deep.
 * Runs the same tokenizer without building the tree, stopping at the first element past the limit; skipped
 * outright when there are too few `<` for that many elements, which is nearly always.
 */
function nestsDeeperThan(html: string, limit: number): boolean {
  let opens = 0;
  for (let i = html.indexOf('<'); i !== -1 && opens <= limit; i = html.indexOf('<', i + 1)) opens++;
  if (opens <= limit) return false;
  let depth = 0;
  let tooDeep = false;
  const parser: Parser = new Parser({
    onopentag() {
      if (++depth > limit) {
        tooDeep = true;
        parser.pause();
      }
    },
    onclosetag() {
      depth--;
    },
  });
  parser.write(html);
  return tooDeep;
}

/**
 * Already plain text (Atom type="text", JSON Feed summary/content_text): only tidy the whitespace.
 * Entities are not decoded here: in a plain-text field `&lt;` is meant literally.
 */
export function textToPlain(text: string): string {
  return tidyParagraphs(text, 'joined');
}

/**
 * A title is treated as HTML (markup stripped, entities decoded once), because feeds put `&#8217;` and `<em>`
 * in titles all the time. A `<` that does not start a tag (`x<y`) is kept as text instead of swallowing the rest.
 */
export function titleToPlain(title: string, isPlainText = false): string {
  if (isPlainText) return collapse(title);
  const plain = withoutMarkup(title) ?? withoutTags(title);
  if (plain !== undefined) return collapse(plain);
  const escaped = title.replace(/<(?!\/?[A-Za-z][^<>]*>|!--)/g, '&lt;');
  if (nestsDeeperThan(escaped, MAX_HTML_DEPTH)) throw new HtmlTooDeepError();
  return collapse(titleConverter(escaped));
}

/**
 * Removed from all feed text: ANSI escape sequences whole (CSI, 7- and 8-bit), then C0 controls other than the
 * whitespace the tidy-up handles (tab, LF, VT, FF, CR), DEL, C1, and the bidi embedding, override and isolate
 * controls U+202A–U+202E and U+2066–U+2069. Those reorder everything after them up to the end of a paragraph,
 * so a title could make the link or hashtags that follow it read backwards; they are rare in honest feeds and
 * what is left reads the same. LRM/RLM/ALM (U+200E, U+200F, U+061C) stay: they only set the direction of the
 * characters next to them, and right-to-left writers use them. ZWJ and variation selectors stay: emoji need them.
 */
// eslint-disable-next-line no-control-regex
const ANSI_SEQUENCE = /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]/g;
// eslint-disable-next-line no-control-regex
const UNWANTED_CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function stripControls(s: string): string {
  // Every ANSI sequence starts with a control UNWANTED_CONTROL holds (ESC or CSI): text without one is done in one scan.
  if (s.search(UNWANTED_CONTROL) < 0) return s;
  return s.replace(ANSI_SEQUENCE, '').replace(UNWANTED_CONTROL, '');
}

/** Controls stripped (see stripControls), all whitespace runs collapsed to one space, trimmed. */
export function collapse(s: string): string {
  return collapseWhitespace(stripControls(s));
}

/** Whitespace that collapsing changes: any but a space, or two in a row. Most lines have none. */
const TO_COLLAPSE = /[^\S ]|\s\s/;

function collapseWhitespace(s: string): string {
  return (TO_COLLAPSE.test(s) ? s.replace(/[\s\u00a0]+/g, ' ') : s).trim();
}

/**
 * Controls stripped (see stripControls), then split on blank lines; inside a paragraph whitespace collapsed.
 * Line breaks inside a paragraph are `kept` for converted HTML, where each one is the author's (a <br>, a list
 * item, a block): a list or a chat log must not run together into one line. In plain-text fields a break is
 * as often a hard wrap at 72 columns, so there they are `joined`, except before list items (`• `, `1. `).
 */
export function tidyParagraphs(text: string, breaks: 'kept' | 'joined'): string {
  const stripped = stripControls(text);
  return (stripped.includes('\r') ? stripped.replace(/\r\n?/g, '\n') : stripped)
    .split(/\n[ \t\u00a0]*\n/)
    .map((para) => {
      const lines = para.split('\n').map(collapseWhitespace).filter(Boolean);
      let out = '';
      for (const line of lines) {
        if (!out) out = line;
        else out += breaks === 'kept' || /^(?:•|\d{1,3}\.)\s/.test(line) ? `\n${line}` : ` ${line}`;
      }
      return out;
    })
    .filter(Boolean)
    .join('\n\n');
}
