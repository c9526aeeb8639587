/**
 * Whether a composed part would be refused by its platform, checked with the platforms' own rules rather than the
 * application's helpers: X's twitter-text parseTweet (weighted length 280, what X itself validates with), and
 * Bluesky's post limits (300 graphemes and 3000 UTF-8 bytes of text, app.bsky.feed.post in the atproto lexicons).
 */
import twitterText from 'twitter-text';

export const BLUESKY_MAX_GRAPHEMES = 300;
export const BLUESKY_MAX_BYTES = 3000;

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** Why X would refuse this text, or undefined when it is a valid post. */
export function xRefusal(text: string): string | undefined {
  const parsed = twitterText.parseTweet(text);
  return parsed.valid ? undefined : `twitter-text says invalid (weighted length ${parsed.weightedLength}/280)`;
}

/** Why Bluesky would refuse this text, or undefined when it fits. */
export function blueskyRefusal(text: string): string | undefined {
  if (text.trim().length === 0) return 'empty';
  let count = 0;
  for (const _ of graphemes.segment(text)) count++;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (count > BLUESKY_MAX_GRAPHEMES) return `${count} graphemes (max ${BLUESKY_MAX_GRAPHEMES})`;
  if (bytes > BLUESKY_MAX_BYTES) return `${bytes} UTF-8 bytes (max ${BLUESKY_MAX_BYTES})`;
  return undefined;
}
