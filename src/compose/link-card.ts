import { Parser } from 'htmlparser2';

/** What a link card shows, read from a page's metadata. Pure: no network. */
export interface LinkCardData {
  title?: string;
  description?: string;
  /** Absolute http(s) URL of the preview image. */
  imageUrl?: string;
}

export const CARD_TITLE_MAX_CHARS = 300;
export const CARD_DESCRIPTION_MAX_CHARS = 1000;
const MAX_URL_LENGTH = 4096;
const CHUNK = 16 * 1024;

/**
 * Read a link card from HTML: Open Graph first (`og:title`, `og:description`, `og:image` / `og:image:url` /
 * `og:image:secure_url`), then Twitter cards (`twitter:title`, `twitter:description`, `twitter:image`), then
 * `<title>`, `<meta name="description">` and `<link rel="image_src">`. Entities are decoded, whitespace collapsed,
 * the title cut to 300 and the description to 1000 characters (code points) at a word boundary with `…`.
 * The image URL is resolved against `<base href>` and the page URL; only http(s) is kept.
 * Parsing stops at `</head>`, where the metadata lives.
 */
export function extractLinkCard(html: string, pageUrl: string): LinkCardData {
  const meta = new Map<string, string>(); // first value of each key wins
  let title: string | undefined;
  let titleText: string[] | undefined;
  let baseHref: string | undefined;
  let imageSrc: string | undefined;
  let foreign = 0; // inside <svg>/<math>, whose <title> is not the page's
  let done = false;

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (done) return;
        if (name === 'svg' || name === 'math') foreign++;
        else if (name === 'meta') {
          const key = (attribs.property ?? attribs.name ?? '').trim().toLowerCase();
          const content = attribs.content;
          if (key && content !== undefined && !meta.has(key) && clean(content)) meta.set(key, content);
        } else if (name === 'title' && foreign === 0 && title === undefined) titleText = [];
        else if (name === 'base' && baseHref === undefined && attribs.href) baseHref = attribs.href;
        else if (name === 'link' && imageSrc === undefined && /(?:^|\s)image_src(?:\s|$)/i.test(attribs.rel ?? '') && attribs.href) {
          imageSrc = attribs.href;
        }
      },
      ontext(text) {
        if (titleText) titleText.push(text);
      },
      onclosetag(name, isImplied) {
        if (done) return;
        if (name === 'svg' || name === 'math') foreign = Math.max(0, foreign - 1);
        else if (name === 'title' && titleText) {
          title = titleText.join('');
          titleText = undefined;
        } else if (name === 'head' && !isImplied) done = true;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  for (let i = 0; i < html.length && !done; i += CHUNK) parser.write(html.slice(i, i + CHUNK));
  parser.end();
  if (titleText && title === undefined) title = titleText.join('');

  const pick = (...keys: string[]) => {
    for (const key of keys) {
      const value = clean(meta.get(key) ?? '');
      if (value) return value;
    }
    return undefined;
  };

  const card: LinkCardData = {};
  const cardTitle = pick('og:title', 'twitter:title') ?? clean(title ?? '');
  if (cardTitle) card.title = truncateAtWord(cardTitle, CARD_TITLE_MAX_CHARS);
  const description = pick('og:description', 'twitter:description', 'description');
  if (description) card.description = truncateAtWord(description, CARD_DESCRIPTION_MAX_CHARS);

  const base = resolveHttp(baseHref, pageUrl) ?? pageUrl;
  const candidates = [
    meta.get('og:image'),
    meta.get('og:image:url'),
    meta.get('og:image:secure_url'),
    meta.get('twitter:image'),
    meta.get('twitter:image:src'),
    imageSrc,
  ];
  let imageUrl: string | undefined;
  for (const candidate of candidates) {
    imageUrl = resolveHttp(candidate, base);
    if (imageUrl) break;
  }
  // Prefer the https twin when the page offers one for an http image.
  const secure = resolveHttp(meta.get('og:image:secure_url'), base);
  if (imageUrl?.startsWith('http:') && secure?.startsWith('https:')) imageUrl = secure;
  if (imageUrl) card.imageUrl = imageUrl;
  return card;
}

/** Collapse every run of white space (including no-break spaces) to one space; drop control characters. */
function clean(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function resolveHttp(raw: string | undefined, base: string): string | undefined {
  const value = raw?.trim();
  if (!value || value.length > MAX_URL_LENGTH) return undefined;
  try {
    const url = new URL(value, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * At most `max` code points: cut at the last space when it is not too far back (else mid-word), drop trailing
 * punctuation and add `…`.
 */
export function truncateAtWord(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  let cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  if (space >= cut.length * 0.6) cut = cut.slice(0, space);
  cut = cut.replace(/[\s,;:.\-–—]+$/u, '');
  return `${cut}…`;
}
