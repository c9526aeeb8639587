import { scanUrls } from '../../compose/urls.js';

/** Stands for any URL: X answers with t.co links where we sent the real ones. */
const LINK = '\u0000';

/**
 * X answers with the stored text: URLs replaced by t.co links and &, <, > escaped as entities.
 * Two texts are the same post when they agree once links and entities are put aside.
 */
function canonical(text: string): string {
  const withoutEntities = text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  let out = withoutEntities;
  for (const url of scanUrls(withoutEntities).map((u) => u.url).sort((a, b) => b.length - a.length)) out = out.split(url).join(LINK);
  return out.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/**
 * `mediaLink`: the post X returned has media, and X ends the text of such a post with one more t.co
 * link (to the media) that we never sent.
 */
export function samePostText(theirs: string, ours: string, opts: { mediaLink?: boolean } = {}): boolean {
  const their = canonical(theirs);
  const our = canonical(ours);
  if (their === our) return true;
  return opts.mediaLink === true && their === `${our} ${LINK}`.trim();
}
