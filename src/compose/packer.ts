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
  continues: boolean;
}

/** How a thread is to be laid out: at most maxParts parts, and part i ending at token stops.get(i) at the latest. */
interface Plan {
  maxParts: number;
  stops: ReadonlyMap<number, number>;
}

/** Parts laid out, with where each starts and ends in the tokens. */
interface Layout {
  parts: PartSpec[];
  starts: Cursor[];
  ends: Cursor[];
  /** Text was left out after the last part: the thread was shortened to fit maxParts. */
  omitted: boolean;
}

interface FillLimits {
  /** This is part 1: it shows the first words of the lede when its first sentence does not fit. */
  lede: boolean;
  /** Token index the part must not go past. */
  stop: number;
}

/** One part's body: its pieces, where the next part starts, and whether it stopped inside a sentence (then "…"). */
interface Fill {
  pieces: Piece[];
  end: Cursor;
  midSentence: boolean;
}

/** Fewer body words than this is not worth a post of its own: such a last part is merged back. */
const MIN_LAST_PART_WORDS = 6;
/** Part 1 shows at least this many words of a lede that does not fit whole, or none of it. */
const MIN_LEDE_WORDS = 4;
/** How many sentence starts rebalancing tries for the part before a tiny last one (and one word start). */
const MAX_SENTENCE_STOPS = 3;

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
  /** Index of the first body token (tokens.length when there is none): what comes before it is title and attribution. */
  private readonly firstBody: number;

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
    const firstBody = tokens.findIndex((t) => t.role === 'body');
    this.firstBody = firstBody < 0 ? tokens.length : firstBody;
    this.lengthBefore = [0];
    for (const t of tokens) this.lengthBefore.push(this.lengthBefore.at(-1)! + t.text.length);
    this.nextLong = new Array<number>(tokens.length + 1);
    this.nextLong[tokens.length] = tokens.length;
    for (let i = tokens.length - 1; i >= 0; i--) {
      this.nextLong[i] = tokens[i]!.text.length > ORDINARY_LENGTH ? i : this.nextLong[i + 1]!;
    }
  }

  /**
   * The thread's parts. A last part of only a few words is not worth a post: it is merged back (see
   * rebalanced).
   */
  pack(): PartSpec[] {
    return this.rebalanced(this.layout({ maxParts: this.opts.maxParts, stops: new Map() })).parts;
  }

  /** The parts for `plan`, numbered. */
  private layout(plan: Plan): Layout {
    const unnumbered = this.packOnce(0, plan);
    if (!this.opts.numbering || unnumbered.parts.length < 2) return unnumbered;
    // Reserving " i/n" shrinks every part, which can add parts, which can widen n ("9" → "10"):
    // repack until the count we reserved for is the count we got; that climbs and settles within a couple of
    // rounds. It can also end the thread a part earlier (a last sentence longer than a part is left out): when
    // that leaves one part, which shows no counter and so would lay out as two again, one part it is.
    let n = unnumbered.parts.length;
    for (let round = 0; round < 8; round++) {
      const laid = this.packOnce(n, plan);
      if (laid.parts.length === n) return laid;
      if (laid.parts.length < 2) return this.packOnce(0, { ...plan, maxParts: 1 });
      n = laid.parts.length;
    }
    throw new Error('compose: part numbering did not converge');
  }

  /**
   * `base`, or when its last part holds fewer than MIN_LAST_PART_WORDS words of the body, a layout whose last
   * part does: a thread that was shortened anyway ends one part earlier when that is on a full sentence; otherwise the
   * part before the last hands it its last sentences, or failing that its last words. Never more parts, and
   * text is left out only where `base` already left some out; when nothing helps, `base` stays.
   */
  private rebalanced(base: Layout): Layout {
    const n = base.parts.length;
    if (n < 2 || !this.isTiny(base, n - 1)) return base;
    const better = (l: Layout | undefined): l is Layout =>
      l !== undefined &&
      l.parts.length <= n &&
      l.parts.every((p) => p.pieces.length > 0 || p.link !== undefined) &&
      (l.parts.length < 2 || !this.isTiny(l, l.parts.length - 1)) &&
      (base.omitted || !l.omitted);
    // Ending a part earlier pays only when that part ends on a full sentence: one that stops inside its sentence
    // (a lede too long for part 1) would cut the very sentence the tiny part finishes; moving words comes first.
    const shorter = base.omitted ? this.tryLayout({ maxParts: n - 1, stops: new Map() }) : undefined;
    if (better(shorter) && !shorter.parts.at(-1)!.ellipsis) return shorter;
    for (const stop of this.stopCandidates(base, n - 2)) {
      const moved = this.tryLayout({ maxParts: this.opts.maxParts, stops: new Map([[n - 2, stop]]) });
      if (better(moved)) return moved;
    }
    return better(shorter) ? shorter : base;
  }

  /** layout(plan), or nothing when that plan cannot be laid out: an alternative that fails is no better. */
  private tryLayout(plan: Plan): Layout | undefined {
    try {
      return this.layout(plan);
    } catch {
      return undefined;
    }
  }

  /**
   * Token indices where part `p` of `laid` could end earlier so that the part after it gets MIN_LAST_PART_WORDS
   * words: the nearest sentence starts that hand over enough words, then the one word start that hands over just
   * enough. Part 1 keeps its lede (MIN_LEDE_WORDS words, or the whole first sentence when shorter); a later part
   * keeps at least one word. Few candidates, because each is a whole layout: a hostile item of 25 parts must not
   * cost 25 layouts.
   */
  private stopCandidates(laid: Layout, p: number): number[] {
    const from = laid.starts[p]!.tok;
    const to = laid.ends[p]!.off > 0 ? laid.ends[p]!.tok : laid.ends[p]!.tok - 1;
    let keep = from + 1;
    if (p === 0) {
      const lede = Math.max(this.firstBody, from);
      if (lede >= this.tokens.length) return [];
      keep = Math.min(lede + MIN_LEDE_WORDS, this.sentenceEnd[lede]!);
    }
    const need = MIN_LAST_PART_WORDS - this.wordsIn(laid, p + 1);
    const sentences: number[] = [];
    let wordStop: number | undefined;
    let moved = 0;
    for (let t = to; t >= keep && t > from && sentences.length < MAX_SENTENCE_STOPS; t--) {
      if (this.isWord(t)) moved += 1;
      if (moved < need) continue;
      if (this.tokens[t]!.sentence !== this.tokens[t - 1]!.sentence) sentences.push(t);
      else wordStop ??= t;
    }
    return wordStop === undefined ? sentences : [...sentences, wordStop];
  }

  /** Whether part `p` of `laid` has fewer than MIN_LAST_PART_WORDS body words. */
  private isTiny(laid: Layout, p: number): boolean {
    return this.wordsIn(laid, p) < MIN_LAST_PART_WORDS;
  }

  /** Body words (links aside) in part `p`, counted up to MIN_LAST_PART_WORDS: the title and attribution are not what a reader follows a thread for. */
  private wordsIn(laid: Layout, p: number): number {
    const start = laid.starts[p]!;
    const end = laid.ends[p]!;
    let words = 0;
    for (let t = start.tok; t < Math.min(end.off > 0 ? end.tok + 1 : end.tok, this.tokens.length) && words < MIN_LAST_PART_WORDS; t++) {
      if (this.isWord(t)) words++;
    }
    return words;
  }

  /** A body token that reads as a word: anything but punctuation once its links are taken out. */
  private isWord(t: number): boolean {
    const token = this.tokens[t]!;
    if (token.role !== 'body') return false;
    let text = token.text;
    for (const l of [...token.links].reverse()) text = text.slice(0, l.start) + ' ' + text.slice(l.end);
    return /[^\s\p{P}]/u.test(text);
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

  private packOnce(n: number, plan: Plan): Layout {
    const { tokens, opts } = this;
    const frame = (i: number, isLast: boolean, at: Cursor): Frame => ({
      link: this.showsLink(i, isLast) ? opts.link : undefined,
      counter: n >= 2 ? `${i + 1}/${n}` : undefined,
      continues: this.insideSentence(at),
    });
    const laid: Layout = { parts: [], starts: [], ends: [], omitted: false };
    const push = (start: Cursor, fill: Fill, f: Frame, ellipsis: boolean): void => {
      laid.parts.push({ pieces: fill.pieces, ellipsis, hashtags: [], ...f });
      laid.starts.push(start);
      laid.ends.push(fill.end);
    };

    if (tokens.length === 0) {
      if (opts.more) this.unsettled = true;
      // Nothing to say but the link: a lone link post is still a post; nothing at all is no thread.
      const f = frame(0, true, { tok: 0, off: 0 });
      if (f.link) push({ tok: 0, off: 0 }, { pieces: [], end: { tok: 0, off: 0 }, midSentence: false }, f, false);
      return laid;
    }

    let at: Cursor = { tok: 0, off: 0 };
    while (!this.atEnd(at)) {
      const i = laid.parts.length;
      // A stop at or before where this part starts (the parts before it were laid out otherwise) does not apply.
      const stop = plan.stops.get(i);
      const limits: FillLimits = { lede: i === 0, stop: stop !== undefined && stop > at.tok ? stop : tokens.length };
      const lastFrame = frame(i, true, at);
      const asLast = this.fill(at, lastFrame, limits);
      if (this.atEnd(asLast.end) && !opts.more) {
        // Pieces are empty only when nothing that was left could be shown at all (see fill).
        if (asLast.pieces.length > 0 || lastFrame.link) push(at, asLast, lastFrame, asLast.midSentence);
        break;
      }
      const midFrame = frame(i, false, at);
      let chosen = asLast;
      if (i < plan.maxParts - 1 && midFrame.link !== lastFrame.link) {
        // link: 'last' — a middle part has more room than a last one. But if everything left fits
        // only without the link, taking it all would leave a next part holding nothing but the link:
        // keep the as-last split instead so the final part carries real text.
        const mid = this.fill(at, midFrame, limits);
        if (!this.atEnd(mid.end)) chosen = mid;
      }
      // The last allowed part, or (when compose read only a prefix) the end of what it read. This part
      // took whole sentences, so the thread ends on a full stop and what follows is left out; only a
      // sentence longer than a whole part, or text that goes on past what compose read, ends in "…".
      if (i === plan.maxParts - 1 || this.atEnd(chosen.end)) {
        laid.omitted = opts.more || !this.atEnd(asLast.end);
        // A sentence longer than a whole part would end the thread halfway through it: when the parts
        // before already said something and ended on a full stop, the thread ends there instead.
        const saidSomething = this.firstBody < at.tok;
        if (asLast.midSentence && saidSomething && !lastFrame.continues && lastFrame.link === midFrame.link) break;
        push(at, asLast, lastFrame, asLast.midSentence || (opts.more && this.atEnd(asLast.end)));
        break;
      }
      push(at, chosen, midFrame, chosen.midSentence);
      at = chosen.end;
    }
    return laid;
  }

  /** A part starting at `at` goes on with a sentence the part before it stopped inside. */
  private insideSentence(at: Cursor): boolean {
    if (at.off > 0) return true;
    const before = this.tokens[at.tok - 1];
    return before !== undefined && at.tok < this.tokens.length && before.sentence === this.tokens[at.tok]!.sentence;
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
   * Greedy body for one part starting at `start`, never past token `limits.stop`. Whole sentences first; a
   * sentence that does not fit what is left waits for the next part, unless the part is empty (then it is
   * split by words, and the part ends in "…"), or this is part 1 and the sentence is the lede (then part 1
   * shows its first words with "…", if MIN_LEDE_WORDS fit: a reader of part 1 alone learns what happened).
   */
  private fill(start: Cursor, frame: Frame, limits: FillLimits): Fill {
    const fits = (pieces: Piece[], ellipsis: boolean): boolean =>
      this.fitsSpec({ pieces, ellipsis, hashtags: [], ...frame });
    const pieces: Piece[] = [];
    let hasBody = false;
    let at = start;
    const done = (midSentence: boolean): Fill => {
      this.noteReach(at);
      return { pieces, end: at, midSentence };
    };

    while (at.tok < limits.stop) {
      const sentenceEnd = Math.min(this.sentenceEnd[at.tok]!, limits.stop);
      const cutByStop = sentenceEnd < this.sentenceEnd[at.tok]!;
      // Text that reaches the end of what compose read may go on past it: measured with its "…".
      const wholeEllipsis = cutByStop || (this.opts.more && sentenceEnd >= this.tokens.length);
      const total = sentenceEnd - at.tok;
      const from = at;
      const words = (count: number): Piece[] => {
        const out = [this.pieceAt(from)];
        for (let t = from.tok + 1; t < from.tok + count; t++) out.push(this.pieceAt({ tok: t, off: 0 }));
        return out;
      };
      const fitsCount = (count: number): boolean =>
        this.fitsWords(pieces, words(count), (p) => fits(p, count < total || wholeEllipsis));
      const role = this.tokens[at.tok]!.role;
      const lede = limits.lede && role === 'body' && !hasBody && pieces.length > 0;

      // Word level: the most words of this sentence that still fit. Binary search keeps a part at
      // O(log n) measurements instead of one per word (a CJK part can hold 100+ word tokens).
      let fitting: number;
      const runLength = this.lengthBefore[sentenceEnd]! - this.lengthBefore[at.tok]! - at.off;
      if (runLength <= ORDINARY_LENGTH) {
        if (fitsCount(total)) fitting = total;
        else if (pieces.length > 0 && !lede) break;
        else fitting = bisect(0, total, fitsCount); // the whole sentence was just measured and did not fit
      } else {
        fitting = this.gallop(at, total, fitsCount);
      }
      if (fitting === total) {
        pieces.push(...words(total));
        at = { tok: sentenceEnd, off: 0 };
        hasBody ||= role === 'body';
        if (cutByStop) return done(true);
        continue;
      }
      if (pieces.length > 0) {
        if (lede && fitting >= MIN_LEDE_WORDS) {
          pieces.push(...words(fitting));
          at = { tok: at.tok + fitting, off: 0 };
          return done(true);
        }
        break;
      }
      if (fitting > 0) {
        pieces.push(...words(fitting));
        at = { tok: at.tok + fitting, off: 0 };
        return done(true);
      }

      // Not even the first word fits an empty part: an absurd token, cut at a grapheme boundary.
      const kind = `${frame.link ? 'link' : ''}|${frame.counter?.length ?? 0}|${frame.continues}`;
      const cut = this.cutToFit(at, (p) => fits([p], true), kind);
      if (cut.head) {
        pieces.push(cut.head);
        at = cut.end;
        return done(true);
      }
      // Not even its first grapheme cluster fits an empty part (a letter under hundreds of combining
      // marks): it can never be shown, so it is left out and the part goes on with what follows.
      // Unless the part could not take any text at all: then leaving text out would never end.
      const frameAlone = renderPart({ pieces: [], ellipsis: true, hashtags: [], ...frame }).text;
      if (frameAlone && !this.opts.fits(frameAlone)) {
        throw new Error('compose: the link and counter alone do not fit in a part');
      }
      at = cut.end;
    }
    return done(false);
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
