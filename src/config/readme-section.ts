const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';

/** The config reference as it stands in a README, between its markers. */
export function readReference(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README has no ${START} … ${END} section`);
  return readme.slice(start + START.length, end).trim();
}

export function replaceReference(readme: string, reference: string): string {
  readReference(readme);
  const start = readme.indexOf(START) + START.length;
  return `${readme.slice(0, start)}\n${reference}\n${readme.slice(readme.indexOf(END))}`;
}
