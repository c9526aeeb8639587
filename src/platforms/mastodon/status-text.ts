/**
 * Mastodon answers a status with `content`, the HTML it rendered from the text we sent (paragraphs, line
 * breaks, links split into invisible and ellipsis spans), never the text itself. Reading our own statuses back,
 * the rendered HTML is turned back into text and both sides compared with whitespace folded.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(html: string): string {
  return html.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** The plain text of a status's rendered content. */
export function textOfContent(html: string): string {
  const withBreaks = html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(withBreaks);
}

const folded = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();

/** Is this rendered content the text we sent? */
export function contentIsText(html: string, text: string): boolean {
  return folded(textOfContent(html)) === folded(text);
}
