/**
 * The shape of an X thread part and X's prices. Kept apart from the compose rules so the publisher and the
 * cost estimate can import them without pulling in segmenters or twitter-text.
 */

// A type alias rather than an interface: only aliases get an implicit index signature, so a part can be
// stored where a `{ text: string; [k: string]: unknown }` is expected (the delivery's passthrough thread
// schema) without a cast.
export type XPart = {
  text: string;
  /** parseTweet's weighted length (URLs count 23, CJK and emoji 2). */
  weightedLength: number;
  /** X bills a post that carries a URL ~13× more, so the publisher and the budget need to know. */
  containsUrl: boolean;
};

export interface XPrices {
  postUsd: number;
  postWithUrlUsd: number;
}

/** X pay-per-use prices as published in Nov 2026 (README, "X"); operators override them from config. */
export const defaultXPrices: XPrices = Object.freeze({ postUsd: 0.015, postWithUrlUsd: 0.2 });
