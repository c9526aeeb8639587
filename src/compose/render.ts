/**
 * Lays out one part: body, optional ellipsis, hashtags, the item link and the counter. The packer
 * measures candidates with exactly this function, so what is measured is what is posted.
 */
import type { Sep } from './tokens.js';
import type { LinkSpan } from './urls.js';

/** A token, or the remainder/prefix of a token the packer had to cut. */
export interface Piece {
  text: string;
  sep: Sep;
  links: LinkSpan[];
}

export interface LinkDisplay {
  /** What the reader sees (Bluesky shortens long links; X shows the URL, t.co counts it as 23). */
  display: string;
  uri: string;
}

export interface PartSpec {
  pieces: Piece[];
  /** The part stops inside a sentence (or the thread was cut there): it ends in "…". */
  ellipsis: boolean;
  /** The part goes on with a sentence the part before stopped inside: it starts with "…". */
  continues?: boolean;
  hashtags: string[];
  link: LinkDisplay | undefined;
  /** "2/5", or undefined when the thread is not numbered. */
  counter: string | undefined;
}

export interface RenderedPart {
  text: string;
  /** Absolute UTF-16 offsets of every link in `text`. */
  links: LinkSpan[];
}

export const ELLIPSIS = '\u2026';

// Trimmed before the ellipsis so it reads "word…" rather than "word,…" or "end. …".
// Closing brackets and quotes are kept: dropping them would unbalance the text.
const TRAILING_PUNCT = /^[\s\p{Pd}.,;:!?\u2026\u00B7\u3001\u3002\uFF0C\uFF1B\uFF1A\uFF01\uFF1F\u060C\u061B\u061F\u06D4]$/u;

/**
 * Where the run of TRAILING_PUNCT that ends `text` starts, not before `from` (text.length when there is
 * none). Scanned backwards one code point at a time: a pattern anchored only at the end would be retried
 * at every offset, quadratic on a long run of dots.
 */
function trailingPunctStart(text: string, from: number): number {
  let i = text.length;
  while (i > from) {
    const pair = i - 2 >= from && /^[\uD800-\uDBFF][\uDC00-\uDFFF]$/.test(text.slice(i - 2, i));
    const width = pair ? 2 : 1;
    if (!TRAILING_PUNCT.test(text.slice(i - width, i))) break;
    i -= width;
  }
  return i;
}

/**
 * Body pieces ready for the ellipsis, and whether it needs a space: directly after a link the "…"
 * could be read as part of the URL by a linkifier.
 */
function trimForEllipsis(pieces: Piece[]): { pieces: Piece[]; spaced: boolean } {
  const out = pieces.slice();
  for (;;) {
    const last = out.at(-1);
    if (!last) return { pieces: out, spaced: false };
    const linkEnd = last.links.reduce((m, l) => Math.max(m, l.end), 0);
    const keep = trailingPunctStart(last.text, linkEnd);
    if (keep === 0) {
      out.pop();
      continue;
    }
    out[out.length - 1] = { ...last, text: last.text.slice(0, keep) };
    return { pieces: out, spaced: linkEnd > 0 && linkEnd === keep };
  }
}

export function renderPart(spec: PartSpec): RenderedPart {
  let text = '';
  const links: LinkSpan[] = [];
  const append = (s: string, spans: LinkSpan[] = []): void => {
    for (const l of spans) links.push({ start: l.start + text.length, end: l.end + text.length, uri: l.uri });
    text += s;
  };

  const { pieces, spaced } = spec.ellipsis ? trimForEllipsis(spec.pieces) : { pieces: spec.pieces, spaced: false };
  // A link right after the "…" could be read as starting with it by a linkifier: a space keeps them apart.
  if (spec.continues && pieces[0]) append(pieces[0].links.some((l) => l.start === 0) ? `${ELLIPSIS} ` : ELLIPSIS);
  pieces.forEach((p, i) => {
    if (i > 0) append(p.sep);
    append(p.text, p.links);
  });
  if (spec.ellipsis) append(spaced ? ` ${ELLIPSIS}` : ELLIPSIS);
  if (spec.hashtags.length > 0) {
    if (text) append('\n\n');
    append(spec.hashtags.join(' '));
  }
  if (spec.link) {
    if (text) append('\n\n');
    append(spec.link.display, [{ start: 0, end: spec.link.display.length, uri: spec.link.uri }]);
  }
  if (spec.counter && text) append(` ${spec.counter}`);
  return { text, links };
}
