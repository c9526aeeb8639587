/**
 * A feed's `@name` must not make the channel's account mention anyone on X or Mastodon, where a mention in a post's
 * text notifies the account (and on Mastodon a bare `@name` is an account on the posting instance). Protects:
 * quietMentions ends every mention either network would read, leaves addresses and links as they are, and
 * composeForChannel applies it to a feed item's text on the networks that notify, never to an editor's
 * announcement or to the channel's own template text. Checked against twitter-text's mention extraction (what X
 * reads) and Mastodon's mention pattern.
 */
import twitterText from 'twitter-text';
import { describe, expect, it } from 'vitest';
import { EDITOR_SOURCE_ID } from '../../src/config/schema.js';
import { quietMentions } from '../../src/compose/mentions.js';
import { ChannelSchema } from '../../src/platforms/config-schema.js';
import { composeForChannel } from '../../src/platforms/compose-for-channel.js';
import { expectValidX, makeItem } from './helpers.js';

/**
 * Mastodon 4's Account::MENTION_RE (app/models/account.rb): `(?<![=/[:word:]])@((USERNAME)(?:@domain)?)` with
 * USERNAME `[a-z0-9_]+([.-]+[a-z0-9_]+)*`, case-insensitive; Ruby's [:word:] is Unicode letters, marks, digits
 * and connector punctuation.
 */
const MASTODON_MENTION = /(?<![=/\p{L}\p{M}\p{Nd}\p{Pc}])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@[\p{L}\p{M}\p{Nd}\p{Pc}]+(?:[.-]+[\p{L}\p{M}\p{Nd}\p{Pc}]+)*)?/giu;
const mastodonMentions = (text: string) => [...text.matchAll(MASTODON_MENTION)].map((m) => m[1]);
const xMentions = (text: string) => twitterText.extractMentions(text);

const MENTIONING = [
  'Thanks @Gargron@mastodon.social and @jack',
  '(@jack) "@jack" RT @jack: .@jack',
  '＠jack wrote it',
  'é@jack and !@jack and -@jack_2',
  '@jack at the start, @j.a.c.k in the middle, @jack. at the end',
  'Line one\n@jack on a line of its own',
  'RT@jack and see RT@jack now, Rt:@jack_2, (rt@jill)',
];

const LEFT_ALONE = [
  'Write to desk@example.org or news_desk@example.org',
  'https://mastodon.social/@Gargron and mastodon.social/@Gargron and https://example.org/a@b',
  'An @ alone, @@ twice, x@, @-dash, @.dot',
  'Write to support@example.org, art@gallery.example, xrt@example.net',
  'No at sign here at all',
];

describe('quietMentions', () => {
  it.each(MENTIONING)('ends every mention X or Mastodon would read in %j', (text) => {
    expect(xMentions(text).length + mastodonMentions(text).length).toBeGreaterThan(0);
    const quiet = quietMentions(text);
    expect(xMentions(quiet)).toEqual([]);
    expect(mastodonMentions(quiet)).toEqual([]);
    // It reads the same: only invisible word joiners were added, one after an @.
    expect(quiet.replaceAll('\u2060', '')).toBe(text);
    expect(quietMentions(quiet)).toBe(quiet);
  });

  it.each(LEFT_ALONE)('leaves addresses, links and lone signs in %j as they are', (text) => {
    expect(quietMentions(text)).toBe(text);
    expect(twitterText.extractUrls(quietMentions(text))).toEqual(twitterText.extractUrls(text));
  });

  it('is linear on a long text full of @', () => {
    const text = `${'@a '.repeat(100_000)}${'x@y'.repeat(100_000)}`;
    const quiet = quietMentions(text);
    expect(quiet.split('\u2060')).toHaveLength(100_001);
  });
});

describe('composing a feed item', () => {
  const feedItem = makeItem({ title: 'Thanks @jack and @Gargron@mastodon.social', summary: 'Said @someone. Mail desk@example.org.', url: 'https://example.org/story' });
  const channel = (platform: 'x' | 'mastodon' | 'bluesky', extra: Record<string, unknown> = {}) =>
    ChannelSchema.parse({ id: `${platform}-main`, platform, ...(platform === 'mastodon' ? { instance: 'https://social.example' } : {}), ...extra });
  const text = (platform: 'x' | 'mastodon' | 'bluesky', item = feedItem, extra: Record<string, unknown> = {}) =>
    composeForChannel(item, channel(platform, extra))
      .parts.map((p) => p.text)
      .join('\n');

  it('mentions no one on X or Mastodon, and stays valid', () => {
    for (const platform of ['x', 'mastodon'] as const) {
      const posted = text(platform);
      expect(posted).toContain('desk@example.org');
      expect(xMentions(posted), platform).toEqual([]);
      expect(mastodonMentions(posted), platform).toEqual([]);
      expect(posted.replaceAll('\u2060', '')).toContain('Thanks @jack and @Gargron@mastodon.social');
    }
    expectValidX(composeForChannel(feedItem, channel('x')).parts as never);
  });

  it('keeps the text as written on Bluesky, where text alone mentions no one', () => {
    expect(text('bluesky')).not.toContain('\u2060');
  });

  it("keeps an editor's announcement's mentions, and the template's own", () => {
    const announcement = makeItem({ sourceId: EDITOR_SOURCE_ID, title: 'Thanks @jack', summary: '', url: 'https://example.org/a' });
    expect(xMentions(text('x', announcement))).toEqual(['jack']);
    const templated = text('mastodon', feedItem, { template: { text: '{title} via @newsdesk' } });
    expect(mastodonMentions(templated)).toEqual(['newsdesk']);
  });
});
