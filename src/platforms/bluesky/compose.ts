/**
 * Bluesky rules: a record's text is limited both in graphemes (what readers see) and in UTF-8 bytes
 * (what the PDS stores); scripts with 3- and 4-byte characters can hit the byte limit first. Long links
 * are shown short with a facet carrying the full URI.
 */
import type { Item } from '../../core/item.js';
import type { Template } from '../../config/template-schema.js';
import { shortLinkDisplay, shortenTokenLinks } from '../../compose/link-display.js';
import { composeParts, type PlatformRules } from '../../compose/pipeline.js';
import { graphemeCount, hasAtMostGraphemes, utf8Length } from '../../compose/segment.js';
import { withoutUtm } from '../../compose/utm.js';
import { facetsFor } from './facets.js';
import type { BlueskyPart } from './parts.js';

export const BLUESKY_MAX_GRAPHEMES = 300;
export const BLUESKY_MAX_BYTES = 3000;
/** Bluesky's limit on a link card's thumb blob. */
export const CARD_THUMB_MAX_BYTES = 1_000_000;

export function fitsBluesky(text: string): boolean {
  // Cheapest first. UTF-8 never takes fewer bytes than UTF-16 code units, so a longer text is over the byte
  // limit without encoding it; the byte check then bounds the grapheme walk. A grapheme is at least one
  // code unit, so text of at most 300 code units needs no segmenting (most candidate parts the packer tries).
  if (text.length > BLUESKY_MAX_BYTES || utf8Length(text) > BLUESKY_MAX_BYTES) return false;
  return text.length <= BLUESKY_MAX_GRAPHEMES || hasAtMostGraphemes(text, BLUESKY_MAX_GRAPHEMES);
}

const blueskyRules: PlatformRules = {
  name: 'bluesky',
  fits: fitsBluesky,
  // The facet carries the channel's UTM tags (src/compose/utm.ts); the reader is shown the link without them, so
  // a tagged thread reads, and is counted, exactly as an untagged one.
  linkDisplay: (uri) => shortLinkDisplay(withoutUtm(uri)),
  adaptToken: (token) => shortenTokenLinks(token),
};

export function composeForBluesky(item: Item, template: Template): BlueskyPart[] {
  return composeParts(item, template, blueskyRules).map(({ text, links }) => ({
    text,
    facets: facetsFor(text, links),
    graphemes: graphemeCount(text),
    bytes: utf8Length(text),
  }));
}
