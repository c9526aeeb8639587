/**
 * The platform-neutral packer. It knows nothing about X or Bluesky: a platform is just a `fits` rule
 * and a link display. Greedy by sentence, then by word, then (only for a token longer than a whole
 * part) by grapheme cluster; every candidate is measured by rendering the full part, because neither
 * X's weighting (URLs = 23, NFC, emoji = 2) nor grapheme counts are additive across a join.
 *
 * Measuring costs time in the candidate's length, so the packer never measures much more text than a
 * part can hold: runs and tokens of ordinary length are searched as they always were (whole first, then
 * binary search), longer ones are searched from the front by doubling ("galloping"), and a long token is
 * only measured whole once a long prefix of it has been seen to fit. Both searches find the same answer
 * because fitting is monotone: more text never fits better.
 */
import type { Template } from '../config/template-schema.js';
import { renderPart, type LinkDisplay, type PartSpec, type Piece, type RenderedPart } from './render.js';
import { GraphemeBoundaries, graphemeFloor } from './segment.js';
import type { Token, TokenPosition } from './tokens.js';

export interface PackOptions {
  fits: (text: string) => boolean;
  maxParts: number;
  numbering: boolean;
  linkMode: Template['link'];
  link: LinkDisplay | undefined;
  /** Already hashtag-safe ("#Tag"), at most template.hashtags of them, in order of preference. */
  hashtags: string[];
  /** The text goes on past the last token (compose read only a prefix): the thread must end with "…". */
  more: boolean;
  /** With `more`: from here on the tokens could still change with more text (see TokenStream.settled). */
  settled: TokenPosition | undefined;
}

/** Where packing stands: offset is into tokens[tok] when an absurd token was cut at a grapheme boundary. */
type Cursor = TokenPosition;

/** What a part may show besides its body; decided before its body is packed. */
interface Frame {
  link: LinkDisplay | undefined;
  counter: string | undefined;
}

/**
 * Runs of words and remainders of tokens up to this many code units are searched whole-first, as before;
 * that covers any sentence and any word (links included) a person writes. Longer ones are galloped.
 */
const ORDINARY_LENGTH = 4096;

class Packer {
  private readonly sentenceEnd: number[];
  /** lengthBefore[i] = code units in tokens[0..i): the length of any run of tokens in O(1). */
  private readonly lengthBefore: number[];
  /** nextLong[i] = index of the first token at or after i longer than ORDINARY_LENGTH (or tokens.length). */
  private readonly nextLong: number[];
  /** Grapheme boundaries of the tokens that had to be cut, found only as far as cutting needed them. */
  private readonly boundaries = new Map<number, GraphemeBoundaries>();
  /** Some part took text past opts.settled, or ran out of tokens while the text goes on. */
  unsettled = false;
  /**
   * How many cut points the last cut of a long token took, per kind of part (link or not, counter width,
   * ellipsis): parts of one kind cut from one token are much alike, so the next search starts there.
   */
  private readonly cutHints = new Map<string, number>();

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
    this.lengthBefore = [0];
    for (const t of tokens) this.lengthBefore.push(this.lengthBefore.at(-1)! + t.text.length);
    this.nextLong = new Array<number>(tokens.length + 1);
    this.nextLong[tokens.length] = tokens.length;
    for (let i = tokens.length - 1; i >= 0; i--) {
      this.nextLong[i] = tokens[i]!.text.length > ORDINARY_LENGTH ? i : this.nextLong[i + 1]!;
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
      if (opts.more) this.unsettled = true;
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
      if (this.atEnd(asLast.end) && !opts.more) {
        // Pieces are empty only when nothing that was left could be shown at all (see fill).
        if (asLast.pieces.length > 0 || lastFrame.link) {
          parts.push({ pieces: asLast.pieces, ellipsis: false, hashtags: [], ...lastFrame });
        }
        break;
      }
      const midFrame = frame(i, false);
      let chosen = asLast;
      if (i < opts.maxParts - 1 && midFrame.link !== lastFrame.link) {
        // link: 'last' — a middle part has more room than a last one. But if everything left fits
        // only without the link, taking it all would leave a next part holding nothing but the link:
        // keep the as-last split instead so the final part carries real text.
        const mid = this.fill(at, midFrame, false);
        if (!this.atEnd(mid.end)) chosen = mid;
      }
      // The last allowed part, or (when compose read only a prefix) the end of what it read: cut here.
      if (i === opts.maxParts - 1 || this.atEnd(chosen.end)) {
        const cut = this.fill(at, lastFrame, true);
        const ellipsis = opts.more || !this.atEnd(cut.end);
        parts.push({ pieces: cut.pieces, ellipsis, hashtags: [], ...lastFrame });
        break;
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

    while (!this.atEnd(at)) {
      const sentenceEnd = this.sentenceEnd[at.tok]!;
      const total = sentenceEnd - at.tok;
      const from = at;
      const words = (count: number): Piece[] => {
        const out = [this.pieceAt(from)];
        for (let t = from.tok + 1; t < from.tok + count; t++) out.push(this.pieceAt({ tok: t, off: 0 }));
        return out;
      };
      const fitsCount = (count: number): boolean => this.fitsWords(pieces, words(count), fits);

      // Word level: the most words of this sentence that still fit. Binary search keeps a part at
      // O(log n) measurements instead of one per word (a CJK part can hold 100+ word tokens).
      let fitting: number;
      const runLength = this.lengthBefore[sentenceEnd]! - this.lengthBefore[at.tok]! - at.off;
      if (runLength <= ORDINARY_LENGTH) {
        if (fitsCount(total)) fitting = total;
        else if (pieces.length > 0 && !truncating) break;
        else fitting = bisect(0, total, fitsCount); // the whole sentence was just measured and did not fit
      } else {
        fitting = this.gallop(at, total, fitsCount);
      }
      if (fitting === total) {
        pieces.push(...words(total));
        at = { tok: sentenceEnd, off: 0 };
        continue;
      }
      if (pieces.length > 0 && !truncating) break;
      if (fitting > 0) {
        pieces.push(...words(fitting));
        at = { tok: at.tok + fitting, off: 0 };
        break;
      }
      if (pieces.length > 0) break;

      // Not even the first word fits an empty part: an absurd token, cut at a grapheme boundary.
      const kind = `${frame.link ? 'link' : ''}|${frame.counter?.length ?? 0}|${truncating}`;
      const cut = this.cutToFit(at, (p) => fits([p]), kind);
      if (cut.head) {
        pieces.push(cut.head);
        at = cut.end;
        break;
      }
      // Not even its first grapheme cluster fits an empty part (a letter under hundreds of combining
      // marks): it can never be shown, so it is left out and the part goes on with what follows.
      // Unless the part could not take any text at all: then leaving text out would never end.
      const frameAlone = renderPart({ pieces: [], ellipsis: truncating, hashtags: [], ...frame }).text;
      if (frameAlone && !this.opts.fits(frameAlone)) {
        throw new Error('compose: the link and counter alone do not fit in a part');
      }
      at = cut.end;
    }
    this.noteReach(at);
    return { pieces, end: at };
  }

  /** Every text a fill took lies before `end`; past the settled position, more text could change it. */
  private noteReach(end: Cursor): void {
    const { more, settled } = this.opts;
    if (!more || !settled) return;
    if (this.atEnd(end) || end.tok > settled.tok || (end.tok === settled.tok && end.off > settled.off)) {
      this.unsettled = true;
    }
  }

  /**
   * The most words (0..total) of the long run starting at `at` that fit, searched from the front by
   * doubling so no measurement is much longer than what fits: each probe adds at most one long token,
   * as its last word (see fitsWords).
   */
  private gallop(at: Cursor, total: number, fitsCount: (count: number) => boolean): number {
    let fitting = 0;
    for (;;) {
      const throughNextLong = this.nextLong[at.tok + fitting]! - at.tok + 1;
      const probe = Math.min(Math.max(1, 2 * fitting), total, throughNextLong);
      if (!fitsCount(probe)) return bisect(fitting, probe, fitsCount);
      fitting = probe;
      if (fitting === total) return total;
    }
  }

  /**
   * fits([...pieces, ...words]), but a last word longer than ORDINARY_LENGTH is first tried cut to growing
   * prefixes (256, 512, … code units): once one does not fit, neither does the word, and the long text is
   * never measured.
   */
  private fitsWords(pieces: Piece[], words: Piece[], fits: (pieces: Piece[]) => boolean): boolean {
    const last = words.at(-1)!;
    if (last.text.length > ORDINARY_LENGTH) {
      const before = words.slice(0, -1);
      for (let length = 256; length < last.text.length; length *= 2) {
        const b = safeCut(last, graphemeFloor(last.text, length));
        if (b > 0 && !fits([...pieces, ...before, prefixOf(last, b)])) return false;
      }
    }
    return fits([...pieces, ...words]);
  }

  /**
   * The longest prefix of the token remainder at `at` that fits an empty part, cut only at a grapheme
   * boundary that is not inside a link; `end` is where the rest starts. Without a head, `end` is past the
   * smallest piece that could have been cut off (one cluster, or a link), for the caller to leave out.
   * An ordinary remainder is binary-searched over all its cut points, as before; a long one is galloped.
   */
  private cutToFit(at: Cursor, fits: (p: Piece) => boolean, kind: string): { head: Piece | undefined; end: Cursor } {
    const token = this.tokens[at.tok]!;
    const piece = this.pieceAt(at);
    const cuts = new CutPoints(this.boundariesOf(at.tok), at.off, piece);
    const fitsCut = (k: number): boolean => fits(prefixOf(piece, cuts.at(k)!));

    let fitting: number;
    if (piece.text.length <= ORDINARY_LENGTH) {
      fitting = bisect(-1, cuts.count(), fitsCut);
    } else {
      // Past the last cut point counts as not fitting, so the end of a long remainder is never counted out.
      const hint = this.cutHints.get(kind) ?? 0;
      fitting = searchFrom(hint, -1, Infinity, (k) => cuts.at(k) !== undefined && fitsCut(k));
      if (fitting >= 0) this.cutHints.set(kind, fitting);
    }
    const next = (b: number): Cursor =>
      at.off + b >= token.text.length ? { tok: at.tok + 1, off: 0 } : { tok: at.tok, off: at.off + b };
    if (fitting >= 0) {
      const b = cuts.at(fitting)!;
      return { head: prefixOf(piece, b), end: next(b) };
    }
    return { head: undefined, end: next(cuts.at(0) ?? piece.text.length) };
  }

  private boundariesOf(tok: number): GraphemeBoundaries {
    let b = this.boundaries.get(tok);
    if (!b) {
      b = new GraphemeBoundaries(this.tokens[tok]!.text);
      this.boundaries.set(tok, b);
    }
    return b;
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
 * Where a token remainder may be cut: its grapheme boundaries strictly inside it and not inside a link,
 * relative to the remainder, listed only as far as they are asked for.
 */
class CutPoints {
  private readonly list: number[] = [];
  private index: number;
  private done = false;

  constructor(
    private readonly boundaries: GraphemeBoundaries,
    private readonly off: number,
    private readonly piece: Piece,
  ) {
    this.index = boundaries.indexFrom(off) + 1;
  }

  at(k: number): number | undefined {
    while (this.list.length <= k && !this.done) {
      const b = this.boundaries.at(this.index++);
      const rel = b === undefined ? undefined : b - this.off;
      if (rel === undefined || rel >= this.piece.text.length) this.done = true;
      else if (!this.piece.links.some((l) => l.start < rel && rel < l.end)) this.list.push(rel);
    }
    return this.list[k];
  }

  count(): number {
    while (!this.done) this.at(this.list.length);
    return this.list.length;
  }
}

/**
 * The largest k in [fitting, failing) for which fits(k) holds, given that it holds at `fitting` (or
 * `fitting` is a sentinel below the range) and fails at `failing` (or `failing` is past the range).
 */
function bisect(fitting: number, failing: number, fits: (k: number) => boolean): number {
  while (failing - fitting > 1) {
    const mid = (fitting + failing) >> 1;
    if (fits(mid)) fitting = mid;
    else failing = mid;
  }
  return fitting;
}

/**
 * bisect, but starting at `hint` and moving away from it by doubling steps, so a guess close to the answer
 * costs a few measurements; `failing` may be Infinity when the range has no known end.
 */
function searchFrom(hint: number, fitting: number, failing: number, fits: (k: number) => boolean): number {
  const probe = Math.min(Math.max(hint, fitting + 1), failing - 1);
  if (probe <= fitting) return fitting;
  if (fits(probe)) {
    fitting = probe;
    for (let step = 1; fitting + step < failing; step *= 2) {
      if (!fits(fitting + step)) {
        failing = fitting + step;
        break;
      }
      fitting += step;
    }
  } else {
    failing = probe;
    for (let step = 1; failing - step > fitting; step *= 2) {
      if (fits(failing - step)) {
        fitting = failing - step;
        break;
      }
      failing -= step;
    }
  }
  return bisect(fitting, failing, fits);
}

/** `b` moved back to the start of the link it falls inside, if any, so a prefix never splits a link. */
function safeCut(piece: Piece, b: number): number {
  const inside = piece.links.find((l) => l.start < b && b < l.end);
  return inside ? inside.start : b;
}

function prefixOf(piece: Piece, b: number): Piece {
  return { text: piece.text.slice(0, b), sep: piece.sep, links: piece.links.filter((l) => l.end <= b) };
}

export interface Packed {
  parts: RenderedPart[];
  /** The thread took text that more of the item's text could change: compose it again from more text. */
  unsettled: boolean;
}

/** Packs the token stream into rendered parts (text + absolute link spans). */
export function pack(tokens: Token[], opts: PackOptions): Packed {
  const packer = new Packer(tokens, opts);
  const parts = packer.withHashtags(packer.pack()).map(renderPart);
  return { parts, unsettled: packer.unsettled };
}
