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

/** One of twitter-text's regular expressions, by its file under dist/regexp: the pieces src/compose/url-scan.ts reads. */
export function twitterTextRegexp(name: string): RegExp {
  return load(`twitter-text/dist/regexp/${name}`) as RegExp;
}

/** The punycode module twitter-text's idna encodes labels with (`require('punycode')`: Node's own). */
export function twitterTextPunycode(): unknown {
  return load('punycode');
}
