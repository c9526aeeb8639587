/** Fixtures and invariant checks shared by the compose tests. */
import { expect } from 'vitest';
import twitterText from 'twitter-text';
import type { Item } from '../../src/core/item.js';
import { defaultTemplate, type Template } from '../../src/config/template-schema.js';
import type { BlueskyPart } from '../../src/platforms/bluesky/parts.js';
import type { XPart } from '../../src/platforms/x/parts.js';
import { prng } from '../support/prng.js';

export { prng };

let seq = 0;

/** A neutral item; every field the test does not care about is absent or empty. */
export function makeItem(fields: Partial<Item> = {}): Item {
  seq += 1;
  return {
    id: `item-${seq}`,
    sourceId: 'test-source',
    summary: '',
    tags: [],
    images: [],
    contentHash: `hash-${seq}`,
    ...fields,
  };
}

export function template(fields: Partial<Template> = {}): Template {
  return { ...defaultTemplate, ...fields };
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
export const graphemeCount = (s: string): number => [...graphemes.segment(s)].length;
export const byteSlice = (text: string, start: number, end: number): string =>
  Buffer.from(text, 'utf8').subarray(start, end).toString('utf8');

function expectCleanEdges(text: string): void {
  expect(text.length).toBeGreaterThan(0);
  expect(text).toBe(text.trim());
}

/** Every X part is valid for twitter-text and its metadata matches what twitter-text says. */
export function expectValidX(parts: XPart[]): void {
  for (const p of parts) {
    expectCleanEdges(p.text);
    const parsed = twitterText.parseTweet(p.text);
    expect(parsed.valid, p.text).toBe(true);
    expect(p.weightedLength).toBe(parsed.weightedLength);
    expect(p.containsUrl).toBe(twitterText.extractUrls(p.text).length > 0);
  }
}

/** Every Bluesky part is within both limits, and every facet covers exactly the text it claims. */
export function expectValidBluesky(parts: BlueskyPart[]): void {
  for (const p of parts) {
    expectCleanEdges(p.text);
    expect(p.graphemes).toBe(graphemeCount(p.text));
    expect(p.bytes).toBe(Buffer.byteLength(p.text, 'utf8'));
    expect(p.graphemes).toBeLessThanOrEqual(300);
    expect(p.bytes).toBeLessThanOrEqual(3000);
    let previousEnd = 0;
    for (const f of p.facets) {
      const { byteStart, byteEnd } = f.index;
      expect(byteStart).toBeGreaterThanOrEqual(previousEnd); // sorted, non-overlapping
      expect(byteEnd).toBeGreaterThan(byteStart);
      expect(byteEnd).toBeLessThanOrEqual(p.bytes);
      previousEnd = byteEnd;
      const covered = byteSlice(p.text, byteStart, byteEnd);
      // A slice that cut a multi-byte character would decode to U+FFFD.
      expect(covered).not.toContain('\uFFFD');
      expect(f.features).toHaveLength(1);
      const feature = f.features[0]!;
      if (feature.$type === 'app.bsky.richtext.facet#tag') {
        expect(covered).toMatch(/^[#＃]/u);
        expect(covered.slice(1)).toBe(feature.tag);
        expect(feature.tag).not.toMatch(/^\d+$/u);
        expect(graphemeCount(feature.tag)).toBeLessThanOrEqual(64);
      } else {
        expect(feature.$type).toBe('app.bsky.richtext.facet#link');
        expect(feature.uri).toMatch(/^https?:\/\//u);
      }
    }
  }
}

/** Text each link facet covers, with its uri. */
export function linkFacets(part: BlueskyPart): Array<{ text: string; uri: string }> {
  return part.facets.flatMap((f) =>
    f.features.flatMap((feat) =>
      feat.$type === 'app.bsky.richtext.facet#link'
        ? [{ text: byteSlice(part.text, f.index.byteStart, f.index.byteEnd), uri: feat.uri }]
        : [],
    ),
  );
}

export function tagFacets(part: BlueskyPart): Array<{ text: string; tag: string }> {
  return part.facets.flatMap((f) =>
    f.features.flatMap((feat) =>
      feat.$type === 'app.bsky.richtext.facet#tag'
        ? [{ text: byteSlice(part.text, f.index.byteStart, f.index.byteEnd), tag: feat.tag }]
        : [],
    ),
  );
}

