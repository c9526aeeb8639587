import { compile, type HtmlToTextOptions } from 'html-to-text';

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
    { selector: 'pre', format: 'block' },
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'td', format: 'inlineSurround', options: { prefix: ' ', suffix: ' ' } },
    { selector: 'th', format: 'inlineSurround', options: { prefix: ' ', suffix: ' ' } },
    { selector: 'hr', format: 'block' },
    { selector: 'ul', options: { itemPrefix: '• ' } },
    ...(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const).map((h) => ({ selector: h, options: { uppercase: false } })),
  ],
};

// Compiled once: convert() rebuilds its selector machinery on every call, which dominated feed parsing.
const htmlConverter = compile(HTML_OPTIONS);
const titleConverter = compile({ ...HTML_OPTIONS, selectors: [...(HTML_OPTIONS.selectors ?? []), { selector: 'p', format: 'inline' }] });

/** HTML fragment → plain text: paragraphs separated by one blank line, whitespace collapsed inside them. */
export function htmlToPlain(html: string): string {
  return tidyParagraphs(htmlConverter(html));
}

/**
 * Already plain text (Atom type="text", JSON Feed summary/content_text): only tidy the whitespace.
 * Entities are not decoded here: in a plain-text field `&lt;` is meant literally.
 */
export function textToPlain(text: string): string {
  return tidyParagraphs(text);
}

/**
 * A title is treated as HTML (markup stripped, entities decoded once), because feeds put `&#8217;` and `<em>`
 * in titles all the time. A `<` that does not start a tag (`x<y`) is kept as text instead of swallowing the rest.
 */
export function titleToPlain(title: string, isPlainText = false): string {
  if (isPlainText) return collapse(title);
  const escaped = title.replace(/<(?!\/?[A-Za-z][^<>]*>|!--)/g, '&lt;');
  return collapse(titleConverter(escaped));
}

/** Collapse all whitespace runs to one space and trim. */
export function collapse(s: string): string {
  return s.replace(/[\s\u00a0]+/g, ' ').trim();
}

/**
 * Split on blank lines; inside a paragraph collapse whitespace, except that list items (`• `, `1. `)
 * stay on lines of their own.
 */
export function tidyParagraphs(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t\u00a0]*\n/)
    .map((para) => {
      const lines = para.split('\n').map(collapse).filter(Boolean);
      let out = '';
      for (const line of lines) {
        if (!out) out = line;
        else out += /^(?:•|\d{1,3}\.)\s/.test(line) ? `\n${line}` : ` ${line}`;
      }
      return out;
    })
    .filter(Boolean)
    .join('\n\n');
}

/**
 * WordPress boilerplate at the end of an excerpt: the `[…]` / `[&#8230;]` / `[...]` "read more" mark, the
 * "Continue reading Title →" link and the "The post X appeared first on Y." footer. When the excerpt was cut
 * mid-sentence, a plain `…` stays so the reader still sees that it goes on.
 */
export function stripBoilerplate(text: string): string {
  let out = text;
  let cut = false;
  for (;;) {
    const before = out;
    out = out
      .replace(/\s*The post \S.{0,300}? appeared first on \S.{0,200}?\.?\s*$/s, '')
      .replace(/\s*Continue reading\b[^\n]{0,200}?(?:→|»|…|\.\.\.)\s*$/, '')
      .trimEnd();
    const unmarked = out.replace(/\s*\[\s*(?:…|\.\.\.|&hellip;|&#8230;)\s*\]$/, '');
    if (unmarked !== out) {
      out = unmarked;
      cut = true;
    }
    if (out === before) break;
  }
  if (cut && out && !/[.!?…:;"'’”)\]]$/.test(out)) out += '…';
  return out;
}
