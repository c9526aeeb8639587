/**
 * X rules: twitter-text's weighted length is the authority (it is what the API enforces), and a URL of
 * any length is shown as-is because t.co counts it as 23.
 */
import type { Item } from '../../core/item.js';
import type { Template } from '../../config/template-schema.js';
import { composeParts, type PlatformRules } from '../../compose/pipeline.js';
import { parseTweet } from '../../compose/twitter-text.js';
import { findUrls, scanUrls } from '../../compose/urls.js';
import { defaultXPrices, type XPart, type XPrices } from './parts.js';

/** twitter-text v3's maxWeightedTweetLength: the limit parseTweet().valid checks against. */
export const X_MAX_WEIGHTED_LENGTH = 280;

/**
 * parseTweet(text), measured one line at a time. Its weighted length adds up across line breaks: no URL
 * or emoji it recognises spans one, NFC never composes across one, and "\n" itself weighs 1. Once the sum passes
 * the limit the rest is not measured: weightedLength is exact only for text that fits.
 *
 * twitter-text's URL pattern, run by parseTweet on any text with a ".", backtracks over every run of letters, CJK,
 * emoji or combining marks, in time quadratic in the run's length. So the URLs are found here, in time linear in
 * the line (scanUrls, src/compose/urls.ts), and parseTweet is given a line it finds no URL in: each URL put in as 23
 * characters of weight 1 (what X counts a URL as, t.co), and every other "." read as "," (the same weight, part of
 * no emoji, inert under NFC). With no "." left, twitter-text skips its URL pass.
 */
function measureX(text: string): { weightedLength: number; valid: boolean } {
  let weightedLength = 0;
  let invalidChar = false;
  let start = 0;
  while (weightedLength <= X_MAX_WEIGHTED_LENGTH) {
    const end = text.indexOf('\n', start);
    const line = end === -1 ? text.slice(start) : text.slice(start, end);
    if (line) {
      const parsed = parseTweet(withoutUrlPass(line.normalize('NFC')));
      weightedLength += parsed.weightedLength;
      // A non-empty line weighs more than 0, so a line within the limit is invalid only for a character X refuses.
      if (!parsed.valid && parsed.weightedLength <= X_MAX_WEIGHTED_LENGTH) invalidChar = true;
    }
    if (end === -1) break;
    weightedLength += 1;
    start = end + 1;
  }
  return { weightedLength, valid: !invalidChar && weightedLength > 0 && weightedLength <= X_MAX_WEIGHTED_LENGTH };
}

/** Weighs what twitter-text counts a URL as (transformedURLLength), with no character it reads as part of a URL. */
const URL_STAND_IN = '_'.repeat(23);

/** `nfc` as parseTweet weighs it, in a form it finds no URL in (see measureX). */
function withoutUrlPass(nfc: string): string {
  let out = '';
  let at = 0;
  for (const { start, end } of scanUrls(nfc)) {
    out += nfc.slice(at, start).replaceAll('.', ',') + URL_STAND_IN;
    at = end;
  }
  return out + nfc.slice(at).replaceAll('.', ',');
}

/** parseTweet(text).valid: what the X API enforces. */
export function fitsX(text: string): boolean {
  return measureX(text).valid;
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
    weightedLength: measureX(text).weightedLength,
    // Same extractor X bills by: a bare "example.com" in the text makes it a URL post.
    containsUrl: findUrls(text).length > 0,
  }));
}

/** Dollars for posting these parts; rounded to micro-dollars so 0.2 + 0.015 sums compare exactly. */
export function estimateXCostUsd(parts: XPart[], prices: XPrices = defaultXPrices): number {
  const total = parts.reduce((sum, p) => sum + (p.containsUrl ? prices.postWithUrlUsd : prices.postUsd), 0);
  return Math.round(total * 1e6) / 1e6;
}
