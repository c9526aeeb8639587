/**
 * The music a podcast credits under each episode, "intro: The Night // Valerie Dore outro: Dino // Harmonia": a
 * label, the song and, after " // ", the artist. It is a list for the curious, not part of the summary, and feeds'
 * HTML glues it to the last sentence ("Peak quaint and comfort. intro: The Night // …"), where it reads as a
 * sentence cut short. Only credits that close the text go, and only when every entry has its " // ".
 */
const LABEL = '(?:intro|outro|theme|music|song|bumper)(?: music| song)?';
const LABEL_AT = new RegExp(`(?:^|(?<=\\s))${LABEL}\\s*:\\s`, 'giu');
const ENTRY = new RegExp(`^${LABEL}\\s*:\\s+\\S.*?\\s\\/\\/\\s+\\S.*$`, 'iu');

/** Where the music credits closing this text start, if it ends with some. */
export function musicCreditsStart(text: string, from = 0): number | undefined {
  const tail = text.slice(from);
  // Every label ends with a colon; LABEL_AT's look-behind is tried at every position of text without one too.
  if (!tail.includes(':')) return undefined;
  const starts = [...tail.matchAll(LABEL_AT)].map((m) => m.index);
  for (let i = 0; i < starts.length; i++) {
    const rest = starts.slice(i);
    const entries = rest.map((at, k) => tail.slice(at, rest[k + 1] ?? tail.length).trim());
    if (entries.every((e) => ENTRY.test(e))) return from + rest[0]!;
  }
  return undefined;
}
