/**
 * ICU's sentence segmenter breaks after any period followed by a space and a capital ("Dr. Smith",
 * "the U.S. Army"). Packing treats a sentence as the unit to keep together, so a false break would let
 * "Dr." end one post and "Smith" start the next. This list suppresses those breaks.
 */

// Matched exactly, case-sensitive: "No." or "St." lower-cased are ordinary words ending a sentence.
const EXACT = new Set([
  'Mr.', 'Mrs.', 'Ms.', 'Mx.', 'Dr.', 'Prof.', 'Sr.', 'Jr.', 'St.', 'Mt.', 'Ft.', 'Gen.', 'Col.', 'Capt.',
  'Lt.', 'Sgt.', 'Cpl.', 'Adm.', 'Rev.', 'Hon.', 'Gov.', 'Sen.', 'Rep.', 'Pres.', 'Supt.', 'Messrs.',
  'No.', 'Nos.', 'Nr.', 'Inc.', 'Ltd.', 'Co.', 'Corp.', 'Bros.', 'Dept.', 'Univ.', 'Assn.', 'Ave.', 'Blvd.',
  'Figs.', 'Ch.', 'Sec.', 'Art.', 'Eq.', 'Ref.', 'Ed.', 'Eds.',
  'Jan.', 'Feb.', 'Mar.', 'Apr.', 'Jun.', 'Jul.', 'Aug.', 'Sep.', 'Sept.', 'Oct.', 'Nov.', 'Dec.',
  'U.S.', 'U.K.', 'U.N.', 'E.U.', 'U.S.A.', 'Ph.D.', 'M.D.', 'B.A.', 'M.A.', 'D.C.', 'Ste.',
]);

// Lower-case forms, also matched when capitalised at the start of a sentence ("E.g. this").
const ANY_CASE = new Set([
  'e.g.', 'i.e.', 'etc.', 'vs.', 'v.', 'cf.', 'al.', 'approx.', 'ca.', 'viz.', 'incl.', 'esp.', 'fig.',
  'vol.', 'pp.', 'p.', 'a.m.', 'p.m.', 'resp.', 'min.', 'max.', 'est.', 'dept.',
]);

const OPENERS = /^[\p{Ps}\p{Pi}"'`]+/u;

// Nothing longer can be in the lists above or be an initial, so longer words are answered without a lookup.
const LONGEST = Math.max(3, ...[...EXACT, ...ANY_CASE].map((w) => w.length));

/** How many UTF-16 code units of opening brackets and quotes `word` starts with ("(Dr." → 1). */
export function openersLength(word: string): number {
  return OPENERS.exec(word)?.[0].length ?? 0;
}

/**
 * True when the word just before a candidate sentence break, without its leading brackets and quotes
 * (see openersLength), is an abbreviation or an initial.
 */
export function isAbbreviation(core: string): boolean {
  if (core.length === 0 || core.length > LONGEST) return false;
  if (EXACT.has(core) || ANY_CASE.has(core.toLowerCase())) return true;
  // A lone capital initial ("J. R. R. Tolkien") is far more often a name than a sentence end.
  return /^\p{Lu}\.$/u.test(core);
}
