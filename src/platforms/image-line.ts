import type { ItemImage } from '../core/item.js';
import { terminalJson, terminalLine } from '../core/terminal-text.js';
import { redactUrl } from '../http/redact-url.js';

/**
 * An item's image as the terminal doors show it (`queue show`, `queue add`, `queue list --json`, the dry-run
 * record): where the publisher reads it from and the alt text followers' screen readers get. Every publisher
 * attaches the images to the thread's first part. A feed's image URL may carry a key: it is shown redacted.
 */
export function shownImage(image: ItemImage): { image: string; alt: string } {
  return { image: redactUrl(image.url), alt: image.alt };
}

/**
 * One line: `image: <file or URL> — alt: "…"`, safe to print. The alt text (from editors and feeds) is quoted as
 * a JSON string, so a quote or line break in it cannot blur where it ends.
 */
export function imageLine(image: ItemImage): string {
  const shown = shownImage(image);
  const alt = shown.alt.trim() === '' ? 'no alt text' : `alt: ${terminalJson(shown.alt)}`;
  return `image: ${terminalLine(shown.image)} — ${alt}`;
}
