/**
 * The platform-neutral packer. It knows nothing about X or Bluesky: a platform is just a `fits` rule
 * and a link display. Greedy by sentence, then by word, then (only for a token longer than a whole
 * part) by grapheme cluster; every candidate is measured by rendering the full part, because neither
 * X's weighting (URLs = 23, NFC, emoji = 2) nor grapheme counts are additive across a join.
 */
import type { Template } from '../config/template-schema.js';
import { renderPart, type LinkDisplay, type PartSpec, type Piece, type RenderedPart } from './render.js';
import { graphemeBoundaries } from './segment.js';
import type { Token } from './tokens.js';

export interface PackOptions {
  fits: (text: string) => boolean;
  maxParts: number;
  numbering: boolean;
  linkMode: Template['link'];
  link: LinkDisplay | undefined;
  /** Already hashtag-safe ("#Tag"), at most template.hashtags of them, in order of preference. */
  hashtags: string[];
}

interface Cursor {
  tok: number;
  /** UTF-16 offset into tokens[tok] when an absurd token was cut at a grapheme boundary. */
  off: number;
}

/** What a part may show besides its body; decided before its body is packed. */
interface Frame {
  link: LinkDisplay | undefined;
  counter: string | undefined;
}

class Packer {
  private readonly sentenceEnd: number[];

  constructor(
    private readonly tokens: Token[],
    private readonly opts: PackOptions,
  ) {
    // sentenceEnd[i] = index of the first token after the sentence that token i belongs to.
    this.sentenceEnd = new Array<number>(tokens.length);
    let end = tokens.length;
    for (let i = tokens.length - 1; i >= 0; i--) {
      if (i + 1 < tokens.length && tokens[i + 1]!.sentence !== tokens[i]!.sentence) end = i + 1;
      this.sentenceEnd[i] = end;
    }
  }

  pack(): PartSpec[] {
    const unnumbered = this.packOnce(0);
    if (!this.opts.numbering || unnumbered.length < 2) return unnumbered;
    // Reserving " i/n" shrinks every part, which can add parts, which can widen n ("9" → "10"):
    // repack until the count we reserved for is the count we got. More reserved width never means
    // fewer parts, so this only climbs and settles within a couple of rounds.
    let n = unnumbered.length;
    for (let round = 0; round < 8; round++) {
      const parts = this.packOnce(n);
      if (parts.length === n) return parts;
      n = parts.length;
    }
    throw new Error('compose: part numbering did not converge');
  }

  /** Adds hashtags to the last part one by one, skipping those that do not fit; never adds a part. */
  withHashtags(parts: PartSpec[]): PartSpec[] {
    const last = parts.at(-1);
    if (!last || this.opts.hashtags.length === 0) return parts;
    let current = last;
    for (const tag of this.opts.hashtags) {
      const candidate = { ...current, hashtags: [...current.hashtags, tag] };
      if (this.fitsSpec(candidate)) current = candidate;
    }
    return [...parts.slice(0, -1), current];
  }

  private packOnce(n: number): PartSpec[] {
    const { tokens, opts } = this;
    const frame = (i: number, isLast: boolean): Frame => ({
      link: this.showsLink(i, isLast) ? opts.link : undefined,
      counter: n >= 2 ? `${i + 1}/${n}` : undefined,
    });

    if (tokens.length === 0) {
      // Nothing to say but the link: a lone link post is still a post; nothing at all is no thread.
      const f = frame(0, true);
      return f.link ? [{ pieces: [], ellipsis: false, hashtags: [], ...f }] : [];
    }

    const parts: PartSpec[] = [];
    let at: Cursor = { tok: 0, off: 0 };
    while (!this.atEnd(at)) {
      const i = parts.length;
      const lastFrame = frame(i, true);
      const asLast = this.fill(at, lastFrame, false);
      if (this.atEnd(asLast.end)) {
        parts.push({ pieces: asLast.pieces, ellipsis: false, hashtags: [], ...lastFrame });
        break;
      }
      if (i === opts.maxParts - 1) {
        const cut = this.fill(at, lastFrame, true);
        parts.push({ pieces: cut.pieces, ellipsis: !this.atEnd(cut.end), hashtags: [], ...lastFrame });
        break;
      }
      const midFrame = frame(i, false);
      let chosen = asLast;
      if (midFrame.link !== lastFrame.link) {
        // link: 'last' — a middle part has more room than a last one. But if everything left fits
        // only without the link, taking it all would leave a next part holding nothing but the link:
        // keep the as-last split instead so the final part carries real text.
        const mid = this.fill(at, midFrame, false);
        if (!this.atEnd(mid.end)) chosen = mid;
      }
      parts.push({ pieces: chosen.pieces, ellipsis: false, hashtags: [], ...midFrame });
      at = chosen.end;
    }
    return parts;
  }

  private showsLink(i: number, isLast: boolean): boolean {
    switch (this.opts.linkMode) {
      case 'first':
        return i === 0;
      case 'last':
        return isLast;
      case 'every':
        return true;
      case 'none':
        return false;
    }
  }

  /**
   * Greedy body for one part starting at `start`. Whole sentences first; a sentence that does not fit
   * what is left waits for the next part, unless the part is empty (then it is split by words) or this
   * is the last allowed part (then we fill by words up to the ellipsis).
   */
  private fill(start: Cursor, frame: Frame, truncating: boolean): { pieces: Piece[]; end: Cursor } {
    const fits = (pieces: Piece[]): boolean =>
      this.fitsSpec({ pieces, ellipsis: truncating, hashtags: [], ...frame });
    const pieces: Piece[] = [];
    let at = start;

    outer: while (!this.atEnd(at)) {
      const sentenceEnd = this.sentenceEnd[at.tok]!;
      const sentence = [this.pieceAt(at)];
      for (let t = at.tok + 1; t < sentenceEnd; t++) sentence.push(this.pieceAt({ tok: t, off: 0 }));
      if (fits([...pieces, ...sentence])) {
        pieces.push(...sentence);
        at = { tok: sentenceEnd, off: 0 };
        continue;
      }
      if (pieces.length > 0 && !truncating) break;

      // Word level: the most words of this sentence that still fit. Binary search keeps a part at
      // O(log n) measurements instead of one per word (a CJK part can hold 100+ word tokens); it
      // relies on "more words never fit better", which holds for both platforms' rules.
      let fitting = 0;
      let failing = sentence.length; // the whole sentence was just measured and did not fit
      while (failing - fitting > 1) {
        const mid = (fitting + failing) >> 1;
        if (fits([...pieces, ...sentence.slice(0, mid)])) fitting = mid;
        else failing = mid;
      }
      if (fitting > 0) {
        pieces.push(...sentence.slice(0, fitting));
        at = { tok: at.tok + fitting, off: 0 };
      } else if (pieces.length === 0) {
        // Not even the first word fits an empty part: an absurd token, cut at a grapheme boundary.
        const head = cutToFit(sentence[0]!, (p) => fits([p]));
        pieces.push(head);
        at = { tok: at.tok, off: at.off + head.text.length };
      }
      break outer;
    }
    return { pieces, end: at };
  }

  private fitsSpec(spec: PartSpec): boolean {
    return this.opts.fits(renderPart(spec).text);
  }

  private pieceAt(at: Cursor): Piece {
    const t = this.tokens[at.tok]!;
    if (at.off === 0) return { text: t.text, sep: t.sep, links: t.links };
    return {
      text: t.text.slice(at.off),
      sep: t.sep,
      links: t.links
        .filter((l) => l.start >= at.off)
        .map((l) => ({ ...l, start: l.start - at.off, end: l.end - at.off })),
    };
  }

  private atEnd(at: Cursor): boolean {
    return at.tok >= this.tokens.length;
  }
}

/**
 * The longest prefix of an absurdly long token that fits an empty part, cut only at a grapheme-cluster
 * boundary that is not inside a link. Binary search: fitting is monotone in prefix length for all
 * practical text, and the chosen prefix is verified anyway.
 */
function cutToFit(piece: Piece, fits: (p: Piece) => boolean): Piece {
  const inLink = (b: number): boolean => piece.links.some((l) => l.start < b && b < l.end);
  const bounds = graphemeBoundaries(piece.text).filter((b) => b > 0 && b < piece.text.length && !inLink(b));
  const prefix = (b: number): Piece => ({
    text: piece.text.slice(0, b),
    sep: piece.sep,
    links: piece.links.filter((l) => l.end <= b),
  });
  let lo = 0;
  let hi = bounds.length - 1;
  let best: Piece | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = prefix(bounds[mid]!);
    if (fits(candidate)) {
      best = candidate;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (!best) throw new Error('compose: not even one grapheme cluster fits in an empty part');
  return best;
}

/** Packs the token stream into rendered parts (text + absolute link spans). */
export function pack(tokens: Token[], opts: PackOptions): RenderedPart[] {
  const packer = new Packer(tokens, opts);
  return packer.withHashtags(packer.pack()).map(renderPart);
}
