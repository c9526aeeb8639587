/**
 * twitter-text ships CommonJS only. Under NodeNext ESM its named exports are not statically
 * detectable, so the default import (module.exports) is the one form that works in Node, tsx and vitest.
 */
import twitterText from 'twitter-text';

export const parseTweet = twitterText.parseTweet;
export const extractUrlsWithIndices = twitterText.extractUrlsWithIndices;
export const regexen = twitterText.regexen;
