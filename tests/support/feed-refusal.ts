import { expect } from 'vitest';
import { ThreadcastError } from '../../src/core/errors.js';
import { parseFeed } from '../../src/sources/parse-feed.js';

/** The ThreadcastError parseFeed refuses `body` with, read from `location`; fails the test when it parses. */
export function feedRefusal(body: string, location: string, sourceId = 'refused'): ThreadcastError {
  try {
    parseFeed(body, { sourceId, location });
  } catch (err) {
    expect(err).toBeInstanceOf(ThreadcastError);
    return err as ThreadcastError;
  }
  throw new Error('expected parseFeed to refuse the document');
}
