/**
 * The cleaning stage's input and output (see src/clean/index.ts). Sources turn each body field of a feed entry
 * into plain-text paragraphs; cleaning decides what of it is worth announcing. Links travel as data on the text
 * they cover, so structure ("a closing paragraph that only links to the item") is judged without any markup.
 */

/** A stretch of a paragraph's text; `href` when the stretch is a link's text (canonical when sources could). */
export interface BodyRun {
  text: string;
  href?: string;
}

/** One paragraph of plain text as runs: their texts, joined, are the paragraph. */
export type BodyParagraph = BodyRun[];

/**
 * summary: a field meant as a summary or excerpt (RSS description, Atom summary, JSON Feed summary, itunes:summary,
 * media:description). content: the full text (content:encoded, Atom content, JSON Feed content_html/content_text).
 */
export type BodyRole = 'summary' | 'content';

export interface BodyField {
  /** The feed's name for the field, e.g. `description` or `content:encoded`: for problems and tests. */
  field: string;
  role: BodyRole;
  /** Read on demand: full content is converted only when the choice needs it. */
  read: () => BodyParagraph[];
}

export interface CleanContext {
  /** The item's title as plain text: its repeat inside the body is removed, and a body shorter than it is a stub. */
  title?: string;
  /** The item's canonical URL: a closing paragraph that only links here is removed. */
  itemUrl?: string;
  /** The site's home page, when the feed names it; else the item URL's host root is taken for it. */
  siteUrl?: string;
  /** The item's language (BCP 47), for sentence and word boundaries. */
  language?: string;
}

/** A source line editors type before the text, read into data. */
export interface SourceLine {
  /** As shown: the parts as given (a leading "By" and empty parts dropped), then the date when there is one. */
  attribution: string;
  author?: string;
  outlet?: string;
  /** The date as written in the source line. */
  date?: string;
}
