import { MAX_LINKED_WORD } from './tokens.js';
import { scanUrls } from './urls.js';

/**
 * `@name` in a feed's text, kept from notifying `name`. On X and Mastodon an `@name` written in a post is a
 * mention: the account named gets a notification, and on Mastodon a bare `@name` is the account of that name on the
 * posting server. A feed's author could otherwise make the service's account notify whomever they like, and X's
 * automation rules forbid unsolicited mentions. A WORD JOINER (U+2060, invisible, no line break) after the `@` keeps
 * the text as it reads and ends the mention: both networks want a letter, digit or `_` right after it.
 *
 * Which `@` count: one followed by an ASCII letter, digit or `_`, and not preceded by one (that is an address,
 * `name@example.org`, to both); the fullwidth `＠` too (X reads it as `@`). Every other neighbour is taken as a
 * mention though one of the two networks would not (`é@name` is one on X only, `!@name` on Mastodon only): the
 * joiner costs nothing where it was not needed. An `@` inside a link (`https://example.social/@name`) is left alone.
 */
const JOINER = '\u2060';
const isMentionChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isAt = (c: number): boolean => c === 0x40 || c === 0xff20;
const AT = /[@\uff20]/;
/**
 * twitter-text's one exception to "no letter before the @": `RT` (any case, maybe with `:`) that starts the text or
 * follows a character other than a letter, digit or `_+~.-` (`RT@name`, `xRT:@name` is none).
 */
const RETWEET_MARK = /(?:^|[^A-Za-z0-9_+~.-])rt:?$/i;
const afterRetweetMark = (word: string, at: number): boolean => RETWEET_MARK.test(word.slice(Math.max(0, at - 4), at));

export function quietMentions(text: string): string {
  if (!AT.test(text)) return text;
  let out = '';
  let from = 0;
  // Links are found word by word, as compose finds them (tokens.ts): a word too long to be a link holds none.
  for (const m of text.matchAll(/\S+/gu)) {
    const word = m[0];
    if (!AT.test(word)) continue;
    const links = word.length <= MAX_LINKED_WORD ? scanUrls(word) : [];
    for (let i = 0; i < word.length; i++) {
      if (!isAt(word.charCodeAt(i)) || !isMentionChar(word.charCodeAt(i + 1)) || (i > 0 && isMentionChar(word.charCodeAt(i - 1)) && !afterRetweetMark(word, i))) continue;
      if (links.some((l) => l.start <= i && i < l.end)) continue;
      const at = m.index + i;
      out += text.slice(from, at + 1) + JOINER;
      from = at + 1;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}
