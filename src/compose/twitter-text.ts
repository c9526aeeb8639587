/**
 * twitter-text ships CommonJS only, as one index that loads every module of the package (auto-linking,
 * highlighting, hit lists) and core-js@2 polyfills with them. Only what this project calls is loaded, file by file:
 * 334 modules instead of 923, about 3 MiB less resident for every process that composes. The package has no
 * `exports` map, so its dist files are its public layout; the types are the package's own.
 */
import { createRequire } from 'node:module';
import type TwitterText from 'twitter-text';

const load = createRequire(import.meta.url);

export const parseTweet: typeof TwitterText.parseTweet = load('twitter-text/dist/parseTweet');
export const extractUrlsWithIndices: typeof TwitterText.extractUrlsWithIndices = load('twitter-text/dist/extractUrlsWithIndices');

/** The three top-level-domain patterns src/compose/urls.ts builds on. */
export const regexen: Pick<typeof TwitterText.regexen, 'validGTLD' | 'validCCTLD' | 'validPunycode'> = {
  validGTLD: load('twitter-text/dist/regexp/validGTLD'),
  validCCTLD: load('twitter-text/dist/regexp/validCCTLD'),
  validPunycode: load('twitter-text/dist/regexp/validPunycode'),
};
