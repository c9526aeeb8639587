/**
 * Outside text made safe to print on an operator's terminal. Feed items are cleaned at intake
 * (src/sources/plain-text.ts), but what the CLI prints also comes from announcements, platform answers and
 * stores written by older versions, so every print of such text goes through here.
 *
 * A control character that could act on the terminal (ESC starting a sequence that clears the screen, sets the
 * window title or recolours the rest of the session; a carriage return that overwrites the line; a C1 CSI) or a
 * bidi embedding/override/isolate control that reorders what follows it (the "Trojan Source" trick) is shown as
 * a visible escape (`\x1b`, `\u202e`) instead. LRM/RLM, ZWJ and variation selectors are ordinary marks that
 * right-to-left text and emoji rely on, and act on nothing beyond their neighbours: they stay.
 */

// C0 except tab and line feed, DEL, C1, U+202A–U+202E (embeddings, overrides), U+2066–U+2069 (isolates).
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// The same, and tab and line feed too: for what must stay on one line of output.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// What JSON.stringify leaves raw although a terminal acts on it (it already escapes U+0000–U+001F).
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

function visible(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Multi-line text (a post body): line breaks and tabs stay, every other control is shown escaped. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE_IN_TEXT, visible);
}

/** One line of output (a title, a reason, an id): line breaks and tabs are shown escaped too. */
export function terminalLine(text: string): string {
  return text.replace(UNSAFE_IN_LINE, visible);
}

/** JSON for a terminal: the same value when parsed, with no character a terminal would act on left raw. */
export function terminalJson(value: unknown, indent = 2): string {
  return (JSON.stringify(value, null, indent) ?? 'null').replace(UNSAFE_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
