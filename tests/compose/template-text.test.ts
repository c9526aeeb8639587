/**
 * Free-text templates (issue #18, point 6): placeholders, which template wins (source, then channel, then the default
 * layout), and what a placed {url} or {tags} does to the rest of the thread.
 */
import { describe, expect, it } from 'vitest';
import type { BlueskyPart } from '../../src/platforms/bluesky/parts.js';
import type { XPart } from '../../src/platforms/x/parts.js';
import { ChannelSchema } from '../../src/platforms/config-schema.js';
import { composeForChannel } from '../../src/platforms/compose-for-channel.js';
import { EDITOR_SOURCE_ID } from '../../src/config/schema.js';
import { expectValidBluesky, expectValidX, makeItem } from './helpers.js';

const item = makeItem({
  sourceId: 'news',
  title: 'Harbour reopens',
  summary: 'The harbour opened again on Monday.\n\nBoats came back at noon.',
  author: 'Sam Ortiz',
  outlet: 'Harbour Herald',
  url: 'https://example.org/harbour/',
  tags: ['Harbour life', 'boats', '2024'],
});

const x = (template: object, it = item) => composeForChannel(it, ChannelSchema.parse({ id: 'x-main', platform: 'x', template })).parts as XPart[];
const bsky = (template: object, it = item) => composeForChannel(it, ChannelSchema.parse({ id: 'bsky-main', platform: 'bluesky', template })).parts as BlueskyPart[];
const texts = (parts: Array<{ text: string }>) => parts.map((p) => p.text);

describe('template text', () => {
  it('fills every placeholder and keeps the text between them', () => {
    const parts = x({ text: '{title} ({outlet}, {author})\n\n{summary}\n\n{tags}\n{url}' });
    expectValidX(parts);
    expect(texts(parts)).toEqual([
      'Harbour reopens (Harbour Herald, Sam Ortiz)\n\nThe harbour opened again on Monday.\n\nBoats came back at noon.\n\n#HarbourLife #boats\nhttps://example.org/harbour/',
    ]);
  });

  it('leaves out a line whose placeholders are all empty', () => {
    const anonymous = { ...item, author: undefined };
    expect(texts(x({ text: '{title}\nby {author}\n\n{summary}' }, anonymous))[0]).toBe(
      'Harbour reopens\n\nThe harbour opened again on Monday.\n\nBoats came back at noon.\n\nhttps://example.org/harbour/',
    );
  });

  it('places the link and the tags where the text says and does not add them again at the end', () => {
    const parts = bsky({ text: '{url} {title}\n\n{tags}', hashtags: 3, link: 'every' });
    expectValidBluesky(parts);
    expect(texts(parts)).toEqual(['https://example.org/harbour/ Harbour reopens\n\n#HarbourLife #boats']);
    expect(parts[0]!.facets.filter((f) => f.features.some((feature) => feature.$type === 'app.bsky.richtext.facet#link'))).toHaveLength(1);
    // Without {url} and {tags} the channel's link and hashtags settings still apply.
    expect(texts(x({ text: '{title}', hashtags: 1 }))).toEqual(['Harbour reopens\n\n#HarbourLife\n\nhttps://example.org/harbour/']);
  });

  it("uses the source's text before the channel's, and the channel's before the default layout", () => {
    const channel = { text: 'Channel: {title}', link: 'none' };
    expect(texts(x(channel, { ...item, template: 'Source: {title}' }))).toEqual(['Source: Harbour reopens']);
    expect(texts(x(channel))).toEqual(['Channel: Harbour reopens']);
    expect(texts(x({ link: 'none' }))[0]).toBe('Harbour reopens\n\nThe harbour opened again on Monday.\n\nBoats came back at noon.');
  });

  it('posts an announcement as written, whatever the templates say', () => {
    const announcement = makeItem({ sourceId: EDITOR_SOURCE_ID, summary: 'We are hiring an editor.', template: 'Source: {title}' });
    expect(texts(x({ text: 'Channel: {title}' }, announcement))).toEqual(['We are hiring an editor.']);
  });

  it('shortens a long {summary} by whole sentences like the default layout, across parts', () => {
    const long = { ...item, summary: Array.from({ length: 40 }, (_, i) => `Sentence number ${i + 1} tells a little more about the harbour.`).join(' ') };
    const parts = x({ text: '{title}\n\n{summary}', maxParts: 2, link: 'none' }, long);
    expectValidX(parts);
    expect(parts).toHaveLength(2);
    expect(parts[0]!.text.startsWith('Harbour reopens\n\nSentence number 1 ')).toBe(true);
    expect(parts[1]!.text).toMatch(/harbour\. 2\/2$/);
  });
});
