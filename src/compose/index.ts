/**
 * Compose: Item + Template → thread parts, given a platform's rules. Pure, deterministic and platform-neutral:
 * each platform kit states its own rules (src/platforms/<name>/compose.ts: limits, how a URL counts, how text
 * is measured) and calls composeParts; the preview, the editor page and the publisher all compose through
 * the kit, so what an editor sees is what is posted.
 */
export { composeParts, type PlatformRules } from './pipeline.js';
export { graphemeCount, hasAtMostGraphemes, utf8Length } from './segment.js';
export { templateFor } from './template-text.js';
export { quietMentions } from './mentions.js';
export { tagUrl, withChannelUtm, type UtmChannel } from './utm.js';
