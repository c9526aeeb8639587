/** Mastodon's count and the compose rules built on it: pure, against numbers worked out by hand. */
import { describe, expect, it } from 'vitest';
import { defaultTemplate } from '../../../src/config/template-schema.js';
import { composeForChannel } from '../../../src/platforms/compose-for-channel.js';
import { composeWithLimits, type MastodonPart } from '../../../src/platforms/mastodon/compose.js';
import { MastodonChannelSchema } from '../../../src/platforms/mastodon/config.js';
import { mastodonKit } from '../../../src/platforms/mastodon/kit.js';
import { countMastodon, fitsMastodon, MASTODON_DEFAULT_LIMITS } from '../../../src/platforms/mastodon/limits.js';
import { makeItem } from '../../support/items.js';

const limits = MASTODON_DEFAULT_LIMITS;

describe('countMastodon', () => {
  it('counts any URL with a scheme as 23, a bare domain as typed, graphemes not code units, and the content warning too', () => {
    expect(countMastodon('see https://example.org/a/very/long/path/that/goes/on/and/on?x=1', limits)).toBe(4 + 23);
    expect(countMastodon('see http://a.co', limits)).toBe(4 + 23);
    expect(countMastodon('see example.org', limits)).toBe(15);
    expect(countMastodon('👩‍👩‍👧‍👦 é', limits)).toBe(3);
    expect(countMastodon('hello', limits, 'CW')).toBe(7);
    expect(countMastodon('see https://example.org', { charactersReservedPerUrl: 30 })).toBe(4 + 30);
  });

  it('fits up to max_characters, the content warning included', () => {
    expect(fitsMastodon('a'.repeat(500), limits)).toBe(true);
    expect(fitsMastodon('a'.repeat(501), limits)).toBe(false);
    expect(fitsMastodon('a'.repeat(498), limits, 'CW')).toBe(true);
    expect(fitsMastodon('a'.repeat(499), limits, 'CW')).toBe(false);
    expect(fitsMastodon(`${'a'.repeat(476)} https://example.org/${'p'.repeat(200)}`, limits)).toBe(true);
  });
});

describe('composing for Mastodon', () => {
  const item = makeItem(1, { summary: Array.from({ length: 14 }, (_, i) => `Sentence ${i + 1} says something about the garden and the weather this week.`).join(' ') });
  const template = { ...defaultTemplate, maxParts: 5 };

  it('packs for the limit it is given, and preview measures each part against it', () => {
    const narrow = composeWithLimits(item, template, limits, undefined);
    const wide = composeWithLimits(item, template, { ...limits, maxCharacters: 1000 }, undefined);
    expect(wide.length).toBeLessThan(narrow.length);
    for (const p of narrow) expect(mastodonKit.measure(p)).toEqual({ length: countMastodon(p.text, limits), limit: 500, unit: 'characters', valid: true });
    expect(narrow[0]!.text).toContain(item.url);
    const warned = composeWithLimits(item, template, limits, 'x'.repeat(100));
    for (const p of warned) expect(p.characters).toBeLessThanOrEqual(500);
    for (const p of warned) expect(p.characters).toBe(countMastodon(p.text, limits) + 100);
    expect(mastodonKit.measure({ ...narrow[0]!, limit: 10 })).toMatchObject({ valid: false, limit: 10 });
    expect(mastodonKit.counters(narrow[0]!)).toBe(`${narrow[0]!.characters}/500 characters`);
  });

  it("composes for the channel's maxCharacters and content warning, and for a stock 500 without a channel", () => {
    const bare = composeForChannel(item, { platform: 'mastodon', template }).parts as MastodonPart[];
    expect(bare).toEqual(composeWithLimits(item, template, limits, undefined));
    const channel = MastodonChannelSchema.parse({ id: 'm', platform: 'mastodon', instance: 'https://mastodon.example', template, maxCharacters: 1000, spoilerText: 'Garden' });
    const roomy = composeForChannel(item, channel).parts as MastodonPart[];
    expect(roomy).toEqual(composeWithLimits(item, template, { ...limits, maxCharacters: 1000 }, 'Garden'));
    expect(roomy.every((p) => p.limit === 1000 && p.urlWeight === 23)).toBe(true);
    expect(Math.max(...roomy.map((p) => p.characters))).toBeGreaterThan(500);
  });
});
