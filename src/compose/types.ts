/**
 * Public shapes of composed threads. Kept apart from the logic so publishers, the store and the editor
 * page can import them without pulling in segmenters or twitter-text.
 */

export type Platform = 'x' | 'bluesky';

// Type aliases rather than interfaces for the part shapes: only aliases get an implicit index
// signature, so a part can be stored where a `{ text: string; [k: string]: unknown }` is expected
// (the delivery's passthrough thread schema) without a cast.
export type XPart = {
  text: string;
  /** parseTweet's weighted length (URLs count 23, CJK and emoji 2). */
  weightedLength: number;
  /** X bills a post that carries a URL ~13× more, so the publisher and the budget need to know. */
  containsUrl: boolean;
};

export type BlueskyFacetFeature =
  | { $type: 'app.bsky.richtext.facet#link'; uri: string }
  | { $type: 'app.bsky.richtext.facet#tag'; tag: string };

export interface BlueskyFacet {
  /** UTF-8 byte offsets: byteStart inclusive, byteEnd exclusive. */
  index: { byteStart: number; byteEnd: number };
  features: BlueskyFacetFeature[];
}

export type BlueskyPart = {
  text: string;
  facets: BlueskyFacet[];
  graphemes: number;
  bytes: number;
};

export interface XPrices {
  postUsd: number;
  postWithUrlUsd: number;
}

/** X pay-per-use prices as published in Nov 2026 (README, "X"); operators override them from config. */
export const defaultXPrices: XPrices = Object.freeze({ postUsd: 0.015, postWithUrlUsd: 0.2 });
