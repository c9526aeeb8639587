/**
 * Per-channel UTM tags on the item link (issue #15, point 4): how a URL is tagged, and what the tagged link
 * does to a composed thread on each platform.
 */
import twitterText from 'twitter-text';
import { describe, expect, it } from 'vitest';
import type { BlueskyPart } from '../../src/platforms/bluesky/parts.js';
import type { XPart } from '../../src/platforms/x/parts.js';
import { tagUrl, withChannelUtm, withoutUtm } from '../../src/compose/utm.js';
import { ChannelSchema } from '../../src/platforms/config-schema.js';
import { composeForChannel } from '../../src/platforms/compose-for-channel.js';
import { expectValidBluesky, expectValidX, graphemeCount, linkFacets, makeItem } from './helpers.js';

const values = { channel: 'bsky-main', source: 'news' };

describe('tagUrl', () => {
  it('fills {channel} and {source} and appends the tags in the order source, medium, campaign', () => {
    expect(tagUrl('https://example.org/a/', { source: '{channel}', medium: 'social', campaign: '{source}-weekly' }, values)).toBe(
      'https://example.org/a/?utm_source=bsky-main&utm_medium=social&utm_campaign=news-weekly',
    );
  });

  it('adds only the tags given', () => {
    expect(tagUrl('https://example.org/a', { source: 'bluesky' }, values)).toBe('https://example.org/a?utm_source=bluesky');
  });

  it('percent-encodes values: spaces, &, =, /, # and non-ASCII cannot break the query', () => {
    expect(tagUrl('https://example.org/a', { source: 'x', campaign: 'spring sale & more=2026/#1 café' }, values)).toBe(
      'https://example.org/a?utm_source=x&utm_campaign=spring%20sale%20%26%20more%3D2026%2F%231%20caf%C3%A9',
    );
  });

  it('keeps the other parameters byte for byte, in order', () => {
    expect(tagUrl('https://example.org/search?q=a+b&path=%2Fx&flag&lang=fr', { source: 'x' }, values)).toBe(
      'https://example.org/search?q=a+b&path=%2Fx&flag&lang=fr&utm_source=x',
    );
  });

  it('replaces every utm_* already there, whatever its case, instead of adding a second one', () => {
    const tagged = tagUrl('https://example.org/a?utm_source=old&id=7&UTM_Campaign=old&utm_content=banner', { source: 'x', medium: 'social' }, values);
    expect(tagged).toBe('https://example.org/a?id=7&utm_source=x&utm_medium=social');
    expect(new URL(tagged).searchParams.getAll('utm_source')).toEqual(['x']);
  });

  it('is stable: tagging a tagged URL again changes nothing', () => {
    const tags = { source: '{channel}', medium: 'social', campaign: 'a b' };
    const once = tagUrl('https://example.org/a?id=1#top', tags, values);
    expect(tagUrl(once, tags, values)).toBe(once);
  });

  it('puts the query before the fragment', () => {
    expect(tagUrl('https://example.org/a#section-2', { source: 'x' }, values)).toBe('https://example.org/a?utm_source=x#section-2');
    expect(tagUrl('https://example.org/a?id=1#top', { source: 'x' }, values)).toBe('https://example.org/a?id=1&utm_source=x#top');
  });

  it('tags a URL with no path, query or fragment', () => {
    expect(tagUrl('https://example.org', { source: 'x' }, values)).toBe('https://example.org/?utm_source=x');
  });

  it('leaves a URL that is not http(s) as it is', () => {
    expect(tagUrl('mailto:editor@example.org', { source: 'x' }, values)).toBe('mailto:editor@example.org');
  });
});

describe('withoutUtm', () => {
  it('takes the utm_* parameters out and keeps the rest', () => {
    expect(withoutUtm('https://example.org/a?id=1&utm_source=x&utm_medium=social#top')).toBe('https://example.org/a?id=1#top');
    expect(withoutUtm('https://example.org/a?utm_source=x')).toBe('https://example.org/a');
  });
});

describe('withChannelUtm', () => {
  it("tags the link with the channel id and the item's source id, and leaves the caller's item untouched", () => {
    const item = makeItem({ sourceId: 'harbour', url: 'https://example.org/a' });
    const tagged = withChannelUtm(item, { id: 'x-main', utm: { source: '{channel}', campaign: '{source}' } });
    expect(tagged.url).toBe('https://example.org/a?utm_source=x-main&utm_campaign=harbour');
    expect(item.url).toBe('https://example.org/a');
    expect({ ...tagged, url: item.url }).toEqual(item);
  });

  it('changes nothing for a channel without utm or an item without a link', () => {
    const item = makeItem({ url: 'https://example.org/a' });
    expect(withChannelUtm(item, { id: 'x-main' })).toBe(item);
    const bare = makeItem();
    expect(withChannelUtm(bare, { id: 'x-main', utm: { source: 'x' } })).toBe(bare);
  });
});

const UTM = { source: '{channel}', medium: 'social', campaign: '{source}' };
const LONG_URL = 'https://news.example.org/2026/12/the-harbour-board-publishes-its-plan-for-the-north-quay-and-the-old-fish-sheds/';
const item = makeItem({
  sourceId: 'harbour',
  url: LONG_URL,
  title: 'Harbour board publishes the north quay plan',
  summary: 'The plan keeps the slipway open. The full text is at https://council.example.org/plans/north-quay.pdf for comment.',
});

describe('composing for a channel with utm', () => {
  const x = (utm?: typeof UTM) => composeForChannel(item, ChannelSchema.parse({ id: 'x-main', platform: 'x', ...(utm ? { utm } : {}) })).parts as XPart[];
  const bluesky = (utm?: typeof UTM) =>
    composeForChannel(item, ChannelSchema.parse({ id: 'bsky-main', platform: 'bluesky', ...(utm ? { utm } : {}) })).parts as BlueskyPart[];

  it('posts the tagged link on X, at the same weighted length: t.co counts any URL as 23', () => {
    const plain = x();
    const tagged = x(UTM);
    expectValidX(tagged);
    const taggedUrl = `${LONG_URL}?utm_source=x-main&utm_medium=social&utm_campaign=harbour`;
    expect(twitterText.extractUrls(tagged[0]!.text)).toContain(taggedUrl);
    expect(tagged.map((p) => p.weightedLength)).toEqual(plain.map((p) => p.weightedLength));
    expect(tagged.map((p) => p.text.replace(taggedUrl, LONG_URL))).toEqual(plain.map((p) => p.text));
  });

  it('points the Bluesky link facet to the tagged URL while the text shows the link short and untagged', () => {
    const plain = bluesky();
    const tagged = bluesky(UTM);
    expectValidBluesky(tagged);
    const link = tagged.flatMap(linkFacets).find((f) => f.uri.startsWith(LONG_URL))!;
    expect(link.uri).toBe(`${LONG_URL}?utm_source=bsky-main&utm_medium=social&utm_campaign=harbour`);
    expect(graphemeCount(link.text)).toBeLessThanOrEqual(40);
    expect(link.text).toBe('news.example.org/2026/12/the-harbour-bo…');
    // Read and counted as without tags: the same text, part for part.
    expect(tagged.map((p) => [p.text, p.graphemes])).toEqual(plain.map((p) => [p.text, p.graphemes]));
  });

  it('shows a short tagged link on Bluesky in full, without its tags', () => {
    const short = makeItem({ sourceId: 'harbour', url: 'https://example.org/a/', title: 'Short link', summary: 'Hello there.' });
    const [part] = composeForChannel(short, ChannelSchema.parse({ id: 'bsky-main', platform: 'bluesky', utm: UTM })).parts as BlueskyPart[];
    expect(linkFacets(part!)).toEqual([{ text: 'https://example.org/a/', uri: 'https://example.org/a/?utm_source=bsky-main&utm_medium=social&utm_campaign=harbour' }]);
  });

  it('leaves links inside the summary as the author wrote them', () => {
    const summaryLink = 'https://council.example.org/plans/north-quay.pdf';
    expect(x(UTM).map((p) => p.text).join('\n')).toContain(`${summaryLink} for comment`);
    const facets = bluesky(UTM).flatMap(linkFacets);
    expect(facets.filter((f) => f.uri.startsWith('https://council.'))).toEqual([expect.objectContaining({ uri: summaryLink })]);
  });

  it('keeps the item it was given untagged, for identity and dedup', () => {
    x(UTM);
    bluesky(UTM);
    expect(item.url).toBe(LONG_URL);
  });
});
