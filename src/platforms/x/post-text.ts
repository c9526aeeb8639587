import twitterText from 'twitter-text';

/**
 * X answers with the stored text: URLs replaced by t.co links and &, <, > escaped as entities.
 * Two texts are the same post when they agree once links and entities are put aside.
 */
function canonical(text: string): string {
  const withoutEntities = text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  let out = withoutEntities;
  for (const url of twitterText.extractUrls(withoutEntities).sort((a, b) => b.length - a.length)) out = out.split(url).join('\u0000');
  return out.normalize('NFC').replace(/\s+/g, ' ').trim();
}

export function samePostText(theirs: string, ours: string): boolean {
  return canonical(theirs) === canonical(ours);
}
