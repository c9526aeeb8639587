export { defaultFetchLimits, fetchFeed, type FetchLimits, type FetchResult, type HttpCacheState } from './fetch-feed.js';
export { parseFeed, type ItemProblem, type ParseContext, type ParsedFeed } from './parse-feed.js';
export { canonicalUrl, isTrackingParam, TRACKING_PARAMS } from './canonical-url.js';
export { extractAttribution } from '../clean/index.js';
