/**
 * UTM tags on the item link, per channel. Added only on the way into compose (src/platforms/compose-for-channel.ts),
 * so the platform rules count the link as posted (X: 23 for any URL; Bluesky: the shortened display, with the
 * facet and the card carrying the tagged URI), while the stored item keeps its untagged canonical URL and
 * identity, dedup and update detection never see a tag. Links inside the summary are the author's and stay as written.
 */
import type { Item } from '../core/item.js';
import type { UtmPlaceholder, UtmTags } from '../config/utm-schema.js';

const TAGS = ['source', 'medium', 'campaign'] as const;
const PLACEHOLDER = /\{([^{}]*)\}/g;

export type UtmValues = Record<UtmPlaceholder, string>;

/** The channel fields tagging reads; a channel without `utm` posts the canonical URL as it is. */
export interface UtmChannel {
  id: string;
  utm?: UtmTags | undefined;
}

/** `{channel}` and `{source}` filled in; the schema has already refused any other placeholder. */
export function fillUtmValue(template: string, values: UtmValues): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (name in values ? values[name as UtmPlaceholder] : whole));
}

function isUtmParam(pair: string): boolean {
  const key = pair.split('=', 1)[0]!;
  let decoded = key;
  try {
    decoded = decodeURIComponent(key.replaceAll('+', ' '));
  } catch {
    // a malformed escape is no utm_ key
  }
  return decoded.toLowerCase().startsWith('utm_');
}

/**
 * `url` with `utm_source`, `utm_medium` and `utm_campaign` (those given) appended, values percent-encoded.
 * Every other parameter is kept byte for byte, in order; every utm_* already there is dropped, because a link
 * carries one campaign's tags: a leftover utm_content or utm_term of someone else's would be reported as ours.
 * The fragment stays last. A URL that is not http(s) is returned as it is.
 */
export function tagUrl(url: string, tags: UtmTags, values: UtmValues): string {
  const added = TAGS.flatMap((tag) => {
    const template = tags[tag];
    return template === undefined ? [] : [`utm_${tag}=${encodeURIComponent(fillUtmValue(template, values))}`];
  });
  return replaceUtm(url, added);
}

/** `url` without its utm_* parameters: how a tagged link reads, where the reader sees it. */
export function withoutUtm(url: string): string {
  return replaceUtm(url, []);
}

function replaceUtm(url: string, added: string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return url;
  const kept = parsed.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !isUtmParam(pair));
  // The pairs are already percent-encoded, so the search setter (which encodes only what a query may not hold) leaves them as they are.
  parsed.search = [...kept, ...added].join('&');
  return parsed.href;
}

/** The item as `channel` posts it: its link tagged when the channel has `utm`, everything else unchanged. */
export function withChannelUtm(item: Item, channel: UtmChannel): Item {
  if (!channel.utm || item.url === undefined) return item;
  return { ...item, url: tagUrl(item.url, channel.utm, { channel: channel.id, source: item.sourceId }) };
}
