/**
 * X rules: twitter-text's weighted length is the authority (it is what the API enforces), and a URL of
 * any length is shown as-is because t.co counts it as 23.
 */
import type { Item } from '../core/item.js';
import type { Template } from '../config/template-schema.js';
import { composeParts, type PlatformRules } from './pipeline.js';
import { parseTweet } from './twitter-text.js';
import { defaultXPrices, type XPart, type XPrices } from './types.js';
import { findUrls } from './urls.js';

/** twitter-text v3's maxWeightedTweetLength: the limit parseTweet().valid checks against. */
export const X_MAX_WEIGHTED_LENGTH = 280;

export function fitsX(text: string): boolean {
  return parseTweet(text).valid;
}

const xRules: PlatformRules = {
  name: 'x',
  fits: fitsX,
  linkDisplay: (uri) => uri,
  adaptToken: (token) => token,
};

export function composeForX(item: Item, template: Template): XPart[] {
  return composeParts(item, template, xRules).map(({ text }) => ({
    text,
    weightedLength: parseTweet(text).weightedLength,
    // Same extractor X bills by: a bare "example.com" in the text makes it a URL post.
    containsUrl: findUrls(text).length > 0,
  }));
}

/** Dollars for posting these parts; rounded to micro-dollars so 0.2 + 0.015 sums compare exactly. */
export function estimateXCostUsd(parts: XPart[], prices: XPrices = defaultXPrices): number {
  const total = parts.reduce((sum, p) => sum + (p.containsUrl ? prices.postWithUrlUsd : prices.postUsd), 0);
  return Math.round(total * 1e6) / 1e6;
}
