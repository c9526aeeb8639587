/**
 * Bluesky rich-text facets for a composed part. Links come from the packer (it knows which text is a
 * shortened display of which URI, which no detector could recover from the text); hashtags are detected
 * on the final text with the same rule as the Bluesky app. No mention facets: they need a handle→DID
 * network lookup, and an unresolved one makes the record invalid.
 */
import { graphemeCount, utf8Length } from '../../compose/segment.js';
import type { LinkSpan } from '../../compose/urls.js';
import type { BlueskyFacet } from './parts.js';

// @atproto/api's TAG_REGEX: "#" after start or whitespace, at least one char that is not a digit,
// space or punctuation; zero-width characters end a tag.
const TAG_REGEX =
  // eslint-disable-next-line no-misleading-character-class
  /(^|\s)[#＃]((?!\ufe0f)[^\s\u00AD\u2060\u200A\u200B\u200C\u200D\u20e2]*[^\d\s\p{P}\u00AD\u2060\u200A\u200B\u200C\u200D\u20e2]+[^\s\u00AD\u2060\u200A\u200B\u200C\u200D\u20e2]*)?/gu;
const TRAILING_PUNCT = /\p{P}+$/u;
const MAX_TAG_GRAPHEMES = 64;

interface Span {
  start: number;
  end: number;
}

function findTags(text: string, links: LinkSpan[]): Array<Span & { tag: string }> {
  const overlapsLink = (s: Span): boolean => links.some((l) => s.start < l.end && l.start < s.end);
  const out: Array<Span & { tag: string }> = [];
  for (const m of text.matchAll(TAG_REGEX)) {
    const raw = m[2];
    if (!raw) continue;
    const tag = raw.trim().replace(TRAILING_PUNCT, '');
    if (!tag || graphemeCount(tag) > MAX_TAG_GRAPHEMES) continue;
    const start = m.index + (m[1] ?? '').length;
    const span = { start, end: start + 1 + tag.length, tag };
    if (!overlapsLink(span)) out.push(span);
  }
  return out;
}

export function facetsFor(text: string, links: LinkSpan[]): BlueskyFacet[] {
  const byte = (utf16: number): number => utf8Length(text.slice(0, utf16));
  const facets: Array<{ start: number; facet: BlueskyFacet }> = [];
  for (const l of links) {
    facets.push({
      start: l.start,
      facet: {
        index: { byteStart: byte(l.start), byteEnd: byte(l.end) },
        features: [{ $type: 'app.bsky.richtext.facet#link', uri: l.uri }],
      },
    });
  }
  for (const t of findTags(text, links)) {
    facets.push({
      start: t.start,
      facet: {
        index: { byteStart: byte(t.start), byteEnd: byte(t.end) },
        features: [{ $type: 'app.bsky.richtext.facet#tag', tag: t.tag }],
      },
    });
  }
  return facets.sort((a, b) => a.start - b.start).map((f) => f.facet);
}
