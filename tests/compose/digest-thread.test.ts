/**
 * Issue #14, "Done when", on the news-digest fixture (every source-line form editors type: author and outlet,
 * outlet only, comma missing, double comma, city and country, "Outlet:", "By Author, Outlet", numeric dates), with
 * the channels of the shipped config (config/threadcast.yaml): every item names its source, no "date:…" lead-in
 * is left, part 1 carries the lede, the title is not repeated, at most 3 parts, no part of a few words.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/platforms/config-schema.js';
import { composeForChannel } from '../../src/platforms/compose-for-channel.js';
import { parseFeed } from '../../src/sources/parse-feed.js';

const FIXTURE = 'tests/fixtures/feeds/news-digest.xml';
const feed = parseFeed(readFileSync(FIXTURE, 'utf8'), { sourceId: 'digest', location: 'https://digest.example.org/feed/' });
const { config } = parseConfigText(readFileSync('config/threadcast.yaml', 'utf8'), 'config/threadcast.yaml', {});
const COUNTER = / \d+\/\d+$/u;

/** A part's paragraphs other than the title, the attribution and the link, with the counter off. */
function bodyOf(text: string, title: string): string {
  return text
    .replace(COUNTER, '')
    .split('\n\n')
    .filter((b) => b !== title && !b.startsWith('\u2014 ') && !/^(?:https:\/\/)?digest\.example\.org\//u.test(b))
    .join(' ');
}

const words = (text: string): number => text.split(/\s+/u).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

describe('a digest feed as followers see it', () => {
  it('has every form of source line and both shipped channels', () => {
    expect(feed.items).toHaveLength(11);
    expect(config.channels.map((c) => c.platform).sort()).toEqual(['bluesky', 'x']);
  });

  for (const channel of config.channels) {
    describe(channel.platform, () => {
      it.each(feed.items.map((item) => [item.title!, item] as const))('%s', (title, item) => {
        const parts = composeForChannel(item, channel).parts.map((p) => p.text);
        const [first] = parts;
        // The source, as the editor typed it, right under the title; no "June 25 2019:…" left in the text.
        expect(first!.startsWith(`${title}\n\n\u2014 ${item.attribution}`)).toBe(true);
        expect(item.author ?? item.outlet).toBeTruthy();
        for (const part of parts) expect(bodyOf(part, title)).not.toMatch(/\d{4}:|:\u2026|^\s*…?\s*(?:By |Harbour Herald|Coastal Courier)/u);
        // Part 1 carries the lede: the summary's first words.
        const lede = item.summary.split(/\s+/u).slice(0, 4).join(' ');
        expect(bodyOf(first!, title).startsWith(lede), first).toBe(true);
        // No title echo anywhere in the body.
        for (const part of parts) expect(bodyOf(part, title).toLowerCase()).not.toContain(title.toLowerCase());
        expect(parts.length).toBeLessThanOrEqual(3);
        if (parts.length >= 2) for (const part of parts.slice(1)) expect(words(bodyOf(part, title)), part).toBeGreaterThanOrEqual(6);
        // The thread ends on a full sentence.
        expect(bodyOf(parts.at(-1)!, title)).toMatch(/[.!?]$/u);
      });
    });
  }
});
