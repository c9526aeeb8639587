/**
 * Text a publisher's software decoded as windows-1252 although it was UTF-8, and then stored and served as UTF-8
 * ("user’s" → "userâ€™s", "Fórmula" → "FÃ³rmula", a no-break space → "Â "). Nothing declares it: the feed is valid
 * UTF-8 and says so, so decoding (src/sources) cannot know. The repair turns each such sequence back into windows-1252
 * bytes and decodes them as UTF-8.
 *
 * Correct text must never change, and Latin text can hold the same letters ("CAFÉ”", "«IRMÃ»"). So a text is
 * repaired only when it holds a telltale no writer types: "â€" before another windows-1252 character (the first two
 * of the three bytes of ’ “ ” – — …), or "Â"/"Ã" followed by a Latin-1 sign or a windows-1252 punctuation mark
 * inside a word. Then only sequences that are valid UTF-8 and decode to Latin letters, Latin-1 signs or common
 * punctuation are replaced.
 */

/** Windows-1252's bytes 0x80–0x9F (WHATWG: the five it leaves undefined map to the C1 control of the same number). */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/** The windows-1252 byte that shows as `ch`, or undefined for a character windows-1252 does not have. */
function cp1252Byte(ch: string): number | undefined {
  const code = ch.charCodeAt(0);
  if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) return code;
  const at = CP1252_HIGH.indexOf(ch);
  return at >= 0 ? 0x80 + at : undefined;
}

/** A UTF-8 continuation byte (0x80–0xBF) as windows-1252 shows it. */
const CONT = `[${CP1252_HIGH}\u00a0-\u00bf]`;
/** A lead byte and its continuation bytes, as windows-1252 shows them: 2, 3 and 4 byte forms. */
const SEQUENCE = new RegExp(`[\u00c2-\u00df]${CONT}|[\u00e0-\u00ef]${CONT}{2}|[\u00f0-\u00f4]${CONT}{3}`, 'gu');
/**
 * What no correct text holds: "â€" and a continuation (E2 80 xx: ’ “ ” – — … •), "Â"/"Ã" and a continuation
 * with a lower-case letter on either side ("Itâ€™s", "FÃ³rmula", "AquÃ­ Hay"), or "Â" alone after a word or a
 * full stop ("podcast.Â Today": a no-break space whose second byte became a plain space).
 */
const TELLTALE = new RegExp(`â€${CONT}|(?<=\\p{Ll})[ÂÃ]${CONT}|[ÂÃ]${CONT}(?=\\p{Ll})|(?<=[\\p{Ll}.,;:!?])Â(?= )`, 'u');

/**
 * What a repaired sequence may be: Latin-1 letters and signs, Latin Extended-A (Polish, Czech, Turkish…),
 * general punctuation, € and ™. Anything else (NKo from "ß“", IPA from "É”") means the letters were meant.
 */
const PLAUSIBLE = /^[\u00a0-\u017f\u0192\u2010-\u205e\u20ac\u2122]$/u;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeSequence(seq: string): string | undefined {
  const bytes: number[] = [];
  for (const ch of seq) {
    const b = cp1252Byte(ch);
    if (b === undefined) return undefined;
    bytes.push(b);
  }
  try {
    const out = utf8.decode(Uint8Array.from(bytes));
    return PLAUSIBLE.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}

export function hasMojibake(text: string): boolean {
  // Every telltale holds one of these three letters; most texts have none, and are done with at once.
  return /[ÂÃâ]/u.test(text) && TELLTALE.test(text);
}

/**
 * One round of repair of a text known to hold mojibake (hasMojibake). Two leftovers of bytes lost on the way
 * are repaired too: "Â" before a space is a no-break space whose second byte became a plain space, and "â€" before
 * anything else is a closing quote ” whose third byte (0x9D, undefined in windows-1252) was dropped.
 */
function repairOnce(text: string): string {
  return text
    .replace(SEQUENCE, (seq) => decodeSequence(seq) ?? seq)
    .replace(/Â(?=[ \n]|$)/gu, '')
    .replace(/â€/gu, '”');
}

/**
 * `text` with its mojibake repaired when `evidence` (the whole field `text` is part of, or `text` itself) holds a
 * telltale; else `text` unchanged. Text passed through windows-1252 twice ("Ã¢â‚¬â„¢") takes a second round, which
 * the first round's output need not show a telltale for; three rounds are plenty.
 */
export function repairMojibake(text: string, evidence = text): string {
  if (!hasMojibake(evidence)) return text;
  let out = text;
  for (let round = 0; round < 3; round++) {
    const next = repairOnce(out);
    if (next === out) break;
    out = next;
  }
  return out;
}
