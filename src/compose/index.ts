/**
 * Compose: Item + Template → the thread as each platform will show it. Pure and deterministic: the
 * preview, the editor page and the publisher all call these, so what an editor sees is what is posted.
 */
export type { Platform, XPart, BlueskyFacetFeature, BlueskyFacet, BlueskyPart, XPrices } from './types.js';
export { defaultXPrices } from './types.js';
export { composeForX, estimateXCostUsd, fitsX, X_MAX_WEIGHTED_LENGTH } from './x.js';
export { BLUESKY_MAX_BYTES, BLUESKY_MAX_GRAPHEMES, composeForBluesky, fitsBluesky } from './bluesky.js';
export { graphemeCount, utf8Length } from './segment.js';
export { tagUrl, withChannelUtm, type UtmChannel } from './utm.js';
