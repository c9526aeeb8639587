/**
 * The block of contact lines a podcast or small site puts under every item: its site and profile links, handles, a
 * phone number, an e-mail address ("http://uhhyeahdude.com https://www.patreon.com/… http://twitter.com/… 888 842
 * 2357"), maybe led in by "Follow us on", "Email us at", "please visit -". Feeds' HTML often joins those lines into
 * the last sentence's paragraph, so the block is read by what its words are, not by its lines.
 *
 * Only a run at the very end counts, and only a run that is surely contact data: two tokens or more of which one at
 * least is a phone number, an e-mail address, a handle or a link to a social profile, or any such token after a
 * call to get in touch that starts a sentence. A sentence that ends with one link ("The slides are at
 * https://example.org/slides") or a list of links to tools stays.
 */

const LINK = /^(?:https?:\/\/|www\.)[^\s<>"]+$/iu;
const EMAIL = /^[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+$/u;
const HANDLE = /^@[\p{L}\p{N}_]{1,30}(?:@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+)?$/u;
/** One group of a phone number as written: "888", "(0)30", "555-123-4567", "+49". */
const DIGIT_GROUP = /^\+?(?:\(\d{1,4}\)|\d{1,4})(?:[.-]?(?:\(\d{1,4}\)|\d{1,4}))*$/u;
/** Signs around and between the tokens: commas, bars, dots, slashes, dashes. */
const SEPARATOR_EDGES = /^[,;|·•/–—-]+|[,;|·•/.–—-]+$/gu;

/** A call to get in touch, in the languages our feeds come in, and the words up to the contact data. */
const GET_IN_TOUCH = [
  '(?:follow|call|text|e-?mail|write to|contact|find|reach|connect with) (?:us|me)',
  'folgt uns|folge uns|ruft uns an|ruf uns an|schreibt uns|schreiben sie uns|kontaktieren sie uns',
  'suivez-nous|contactez-nous|écrivez-nous|appelez-nous',
  'síguenos|siguenos|contáctanos|escríbenos|llámanos',
  'siga-nos|sigam-nos|fale conosco|escreva-nos',
  'följ oss|kontakta oss|ring oss|mejla oss',
].join('|');
/** The call starts a sentence (feeds glue sentences: "…plus.npr.org.Email us at …") and ends before the data. */
const LEAD_IN = new RegExp(
  `(?:^|(?<=[.!?…]["'”’)]*\\s*))(?:${GET_IN_TOUCH})\\b[^.!?\\n]{0,60}?(?:\\s+(?:on|at|via|in|auf|unter|sur|au|en|em|no|na|på|i))?\\s*[:\\-–—]?\\s*$`,
  'iu',
);
/** A lead-in left without its data: a clause of the last sentence that ends in a colon or a dash. */
const DANGLING_LEAD = /(?:^|(?<=[.!?…]["'”’)]*\s+))[^.!?\n]{0,160}[:\-–—]\s*$/u;

const SOCIAL_HOSTS =
  /^(?:[\w-]+\.)*(?:twitter\.com|x\.com|facebook\.com|fb\.com|instagram\.com|patreon\.com|youtube\.com|linkedin\.com|tiktok\.com|threads\.net|bsky\.app|soundcloud\.com|twitch\.tv|discord\.gg|t\.me|pinterest\.com|tumblr\.com|reddit\.com|github\.com)$/iu;

/** Where the contact block closing this text starts (its lead-in included), if the text ends with one. */
export function contactBlockStart(text: string, from = 0): number | undefined {
  const tail = text.slice(from);
  const run = trailingRun(tail);
  if (!run) return undefined;
  const before = tail.slice(0, run.start);
  const lead = LEAD_IN.exec(before);
  if (lead) return from + lead.index;
  if (run.tokens.length < 2 || !run.tokens.some(isContact)) return undefined;
  const dangling = DANGLING_LEAD.exec(before);
  return from + (dangling ? dangling.index : run.start);
}

/**
 * The links, addresses, handles and phone numbers the text ends with, read word by word from the end (a phone
 * number's digit groups joined into one token), and where the first of them starts.
 */
function trailingRun(tail: string): { start: number; tokens: string[] } | undefined {
  const word = wordsFromEnd(tail);
  const tokens: string[] = [];
  let start: number | undefined;
  for (let k = 0; word(k); k++) {
    const w = word(k)!;
    const token = w.text.replace(SEPARATOR_EDGES, '');
    if (!token) continue;
    if (LINK.test(token) || EMAIL.test(token) || HANDLE.test(token)) {
      tokens.push(token);
      start = w.index;
      continue;
    }
    if (!DIGIT_GROUP.test(token)) break;
    let j = k;
    while (word(j + 1) && DIGIT_GROUP.test(word(j + 1)!.text.replace(SEPARATOR_EDGES, ''))) j++;
    const groups: string[] = [];
    for (let g = j; g >= k; g--) groups.push(word(g)!.text.replace(SEPARATOR_EDGES, ''));
    const phone = groups.join(' ');
    if (!isPhone(phone)) break;
    tokens.push(phone);
    start = word(j)!.index;
    k = j;
  }
  return start === undefined ? undefined : { start, tokens };
}

/**
 * The text's words (runs of non-whitespace, as /\S+/ finds them), the `k`th from the end: read backwards only as far
 * as asked. Nearly every paragraph ends with a word that is no contact data, and splitting the whole of it into words
 * cost more than the rest of the boilerplate rules together.
 */
function wordsFromEnd(text: string): (k: number) => { text: string; index: number } | undefined {
  const found: Array<{ text: string; index: number }> = [];
  let at = text.length;
  return (k) => {
    while (found.length <= k && at > 0) {
      let end = at;
      while (end > 0 && SPACE.test(text.charAt(end - 1))) end--;
      let begin = end;
      while (begin > 0 && !SPACE.test(text.charAt(begin - 1))) begin--;
      if (begin < end) found.push({ text: text.slice(begin, end), index: begin });
      at = begin;
    }
    return found[k];
  };
}
const SPACE = /\s/;

function isPhone(token: string): boolean {
  const digits = (token.match(/\d/gu) ?? []).length;
  return digits >= 7 && digits <= 15;
}

/** A phone number, an e-mail address, a handle or a social profile: data only a contact block holds. */
function isContact(token: string): boolean {
  if (/^[@\p{L}\p{N}._%+-]*@/u.test(token)) return true; // handle or e-mail
  if (/^(?:https?:\/\/|www\.)/iu.test(token)) {
    try {
      const url = new URL(/^www\./iu.test(token) ? `http://${token}` : token);
      return SOCIAL_HOSTS.test(url.hostname) && url.pathname.replace(/\/+$/u, '') !== '';
    } catch {
      return false;
    }
  }
  return isPhone(token);
}
