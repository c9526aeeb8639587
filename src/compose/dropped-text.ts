/** How much of an item's text a thread leaves out at its end (the template's maxParts cut it short). */
export interface DroppedText {
  words: number;
  /** Characters (code points) from the first word left out to the end of the text. */
  characters: number;
}

/** How far ahead in the parts a word of the text is looked for: far enough for a title or a counter between. */
const LOOK_AHEAD_WORDS = 40;

/** A word as compared: letters and digits only, so "quay." in the text is "quay" in a part, and "#Quay" too. */
function key(word: string): string {
  return word.normalize('NFC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * The end of `text` that none of `parts` shows, or null when the thread shows it to the last word. The parts are
 * compose's output, so they may show a word differently (a link shortened, a word cut with "…"); the words of the
 * text are followed through the parts in order, and what comes after the last word found is what was dropped.
 */
export function droppedText(text: string, parts: readonly string[]): DroppedText | null {
  const shown: Array<{ key: string; cut: boolean }> = [];
  for (const part of parts) {
    for (const word of part.match(/\S+/g) ?? []) shown.push({ key: key(word), cut: word.endsWith('…') });
  }
  const words = [...text.matchAll(/\S+/g)];
  let next = 0;
  let lastFound = -1;
  words.forEach((match, i) => {
    const wanted = key(match[0]);
    if (wanted === '') return;
    const end = Math.min(shown.length, next + LOOK_AHEAD_WORDS);
    for (let j = next; j < end; j++) {
      const candidate = shown[j]!;
      if (candidate.key === wanted || (candidate.cut && candidate.key !== '' && wanted.startsWith(candidate.key))) {
        lastFound = i;
        next = j + 1;
        return;
      }
    }
  });
  const left = words.slice(lastFound + 1).filter((m) => key(m[0]) !== '');
  if (left.length === 0) return null;
  return { words: left.length, characters: [...text.slice(left[0]!.index)].length };
}
