// DOM helpers and untrusted-URL checks shared by every part of the page.
//
// Security rules followed throughout (every delivery, feed title, card and reason is untrusted data):
// - data reaches the DOM only through textContent / createElement / setAttribute, never innerHTML;
// - an href is only ever an absolute http(s) URL, an <img src> only a data:image/ or blob: URL the page made.

export const PLATFORM_NAMES = { x: 'X', bluesky: 'Bluesky', mastodon: 'Mastodon' };
export const platformName = (platform) => PLATFORM_NAMES[platform] ?? platform;

/** The single element with this data-testid (the page's own markup, so it must exist). */
export function byTestId(id, root = document) {
  const found = root.querySelector(`[data-testid="${id}"]`);
  if (!found) throw new Error(`page markup is missing data-testid="${id}"`);
  return found;
}

/**
 * createElement with attributes and children. Strings become text nodes, so untrusted text can be passed
 * straight in. `null`/`undefined`/`false` attributes and children are skipped, which keeps call sites flat.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Shows `text` in an error/status element, or hides it when empty. Writing only on change keeps
 *  screen readers from re-announcing the same alert on every refresh. */
export function setMessage(node, text) {
  const value = text ?? '';
  if (node.textContent !== value) node.textContent = value;
  node.hidden = value === '';
}

export const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** An absolute http(s) URL, normalised, or null: `javascript:`, `data:` and relative URLs never become links. */
export function safeHttpUrl(value) {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * What an editor typed as a link, made absolute the way a browser's address bar would: "www.example.org/x"
 * (a host without a scheme) becomes https://www.example.org/x. Anything with a scheme is left for the server
 * to judge.
 */
export function normalizeLinkInput(value) {
  const text = value.trim();
  if (text === '' || /^[a-z][a-z0-9+.-]*:/i.test(text)) return text;
  return /^[^\s/]+\.[^\s/]+/.test(text) ? `https://${text}` : text;
}

/** A thumbnail is shown only as an inline data:image/ URL: the page itself then never loads third-party
 *  content (no tracking pixel, no request to an internal address). */
export function safeImageDataUrl(value) {
  return typeof value === 'string' && /^data:image\/[a-z0-9.+-]+[;,]/i.test(value) ? value : null;
}
