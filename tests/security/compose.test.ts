/**
 * Issue #13, point 4: one long word stopped the service. Composing re-segmented the whole rest of a token on
 * every cut, so a single 1 MiB word took minutes, during which /healthz did not answer, no other source
 * published and SIGTERM waited. Compose now reads a bounded prefix of an item (textBudget) and cuts in time
 * linear in what it shows, so a 1 MiB item costs about what a 10 KiB one does: tens of milliseconds.
 *
 * Each hostile summary is composed for X and for Bluesky, with the default template and with the largest
 * one (25 parts, link on the last part, hashtags). Every part must be one the platform accepts, and each
 * compose must finish well inside HANG_GUARD_MS. That is a guard against a hang, not a speed test (see
 * `npm run bench`): the code before the fix ran for minutes to hours on each of these, or crashed.
 */
import { describe, expect, it } from 'vitest';
import { composeForBluesky } from '../../src/platforms/bluesky/compose.js';
import { composeWithLimits } from '../../src/platforms/mastodon/compose.js';
import { MASTODON_DEFAULT_LIMITS } from '../../src/platforms/mastodon/limits.js';
import { composeForX } from '../../src/platforms/x/compose.js';
import { type BlueskyPart } from '../../src/platforms/bluesky/parts.js';
import { type XPart } from '../../src/platforms/x/parts.js';
import type { Template } from '../../src/config/template-schema.js';
import { expectValidBluesky, expectValidX, makeItem, template } from '../compose/helpers.js';

const MiB = 1 << 20;
const HANG_GUARD_MS = 5_000;

/** `unit` repeated to at least 1 MiB (UTF-16 code units). */
const mebi = (unit: string): string => unit.repeat(Math.ceil(MiB / unit.length));

const TEMPLATES: Array<[string, Template]> = [
  ['default template', template()],
  ['25 parts, link last, hashtags', template({ maxParts: 25, link: 'last', hashtags: 2 })],
];

function composeBoth(summary: string, tpl: Template): { x: XPart[]; bluesky: BlueskyPart[] } {
  const item = makeItem({
    title: 'Hostile input',
    summary,
    url: 'https://example.org/news/hostile',
    tags: ['Security', 'Compose'],
  });
  return { x: composeForX(item, tpl), bluesky: composeForBluesky(item, tpl) };
}

function expectThread(parts: ReadonlyArray<{ text: string }>, tpl: Template): void {
  expect(parts.length).toBeGreaterThanOrEqual(1);
  expect(parts.length).toBeLessThanOrEqual(tpl.maxParts);
  expect(parts[0]!.text).toContain('Hostile input');
}

describe('the shapes from issue #13: 1 MiB without a single break', () => {
  const cases: Array<[string, string, string]> = [
    // name, summary, text the first part must show from it
    ['a single 1 MiB word', mebi('a'), 'aaaaaaaaaa'],
    ['1 MiB of emoji ZWJ sequences', mebi('👩‍👩‍👧‍👦'), '👩‍👩‍👧‍👦👩‍👩‍👧‍👦'],
    ['1 MiB of CJK without spaces', mebi('我们今天去公园天气非常好'), '我们今天'],
    ['a 1 MiB URL', `https://example.com/${mebi('a')}`, 'https://example.com/aaaa'],
  ];
  for (const [name, summary, shown] of cases) {
    for (const [label, tpl] of TEMPLATES) {
      it(`${name} (${label}): every part valid on X and Bluesky, the start shown, the rest cut with "…"`, () => {
        const { x, bluesky } = composeBoth(summary, tpl);
        for (const parts of [x, bluesky]) {
          expectThread(parts, tpl);
          expect(parts.map((p) => p.text).join('\n')).toContain(shown);
          expect(parts.some((p) => p.text.includes('\u2026'))).toBe(true);
        }
        expectValidX(x);
        expectValidBluesky(bluesky);
      }, HANG_GUARD_MS);
    }
  }

  // One grapheme cluster longer than any part can hold: it can never be shown, so it is left out, and the
  // rest of the item (title, link, text after it) still goes out. It must never loop or throw.
  for (const [label, tpl] of TEMPLATES) {
    it(`1 MiB of combining marks on one base character (${label}): left out, the rest still goes out`, () => {
      for (const summary of [`a${'\u0301'.repeat(MiB)}`, `Before it. a${'\u0301'.repeat(20_000)} After it.`]) {
        const { x, bluesky } = composeBoth(summary, tpl);
        for (const parts of [x, bluesky]) {
          expectThread(parts, tpl);
          expect(parts.every((p) => !p.text.includes('\u0301'.repeat(300)))).toBe(true);
          expect(parts.map((p) => p.text).join('\n')).toContain('https://example.org/news/hostile');
        }
        expectValidX(x);
        expectValidBluesky(bluesky);
      }
    }, HANG_GUARD_MS);
  }
});

describe('other shapes that stalled or crashed compose before', () => {
  const cases: Array<[string, string]> = [
    // twitter-text's URL pattern backtracks over every run of domain characters once the text holds a "."
    ['1 MiB of dotted CJK ("我.我.…")', mebi('我.')],
    ['1 MiB of dotted letters ("a.a.…")', mebi('a.')],
    // what the clean-up pass removes or rewrites, a million times over; the 350 000 one-character words left
    // overflowed the stack before ("Maximum call stack size exceeded")
    ['1 MiB of NULs, CRs and lone surrogates around a few words', `${mebi('\u0000\r\ud800')} words after it`],
    ['1 MiB of flags', mebi('🇺🇦')],
    ['1 MiB of sentences that end in abbreviations ("Dr. Dr. …")', mebi('Dr. ')],
  ];
  for (const [name, summary] of cases) {
    for (const [label, tpl] of TEMPLATES) {
      it(`${name} (${label}): every part valid on X and Bluesky`, () => {
        const { x, bluesky } = composeBoth(summary, tpl);
        expectThread(x, tpl);
        expectThread(bluesky, tpl);
        expectValidX(x);
        expectValidBluesky(bluesky);
      }, HANG_GUARD_MS);
    }
  }

  it('a 1 MiB category: not made a hashtag, and bounded', () => {
    const tpl = template({ hashtags: 2 });
    const item = makeItem({ summary: 'Short.', tags: [mebi('Tag '), 'Real Tag'], url: 'https://example.org/x' });
    const x = composeForX(item, tpl);
    expectValidX(x);
    expect(x.at(-1)!.text).toContain('#RealTag');
    expect(x.at(-1)!.text).not.toContain('#TagTag');
    expectValidBluesky(composeForBluesky(item, tpl));
  }, HANG_GUARD_MS);

  it('a 1 MiB title and a 1 MiB attribution: bounded too', () => {
    const tpl = template({ attribution: true });
    const item = makeItem({ title: mebi('t'), attribution: mebi('w'), summary: 'Short.', url: 'https://example.org/x' });
    expectValidX(composeForX(item, tpl));
    expectValidBluesky(composeForBluesky(item, tpl));
  }, HANG_GUARD_MS);
});

// twitter-text's URL pattern reads a run of letters, CJK, emoji or combining marks again from every position it
// may start a URL at. A grapheme of thousands of combining marks is one character on Mastodon and Bluesky, so a part
// can hold it; measured whole beside a link, one part took 2.5 s and one item 8 to 28 s on Mastodon, 11 s on X,
// while /healthz waited; in the same word as the link, about 20 s on Mastodon even when URLs were looked for word
// by word. URLs are now found in linear time (src/compose/url-scan.ts), with twitter-text's answers.
describe('a link beside a long run of one grapheme, CJK or emoji (found in review)', () => {
  const cluster = (marks: number) => `a${'\u0301'.repeat(marks)}`;
  const cases: Array<[string, string]> = [
    ['one grapheme of 16,000 combining marks after a link', `See https://example.com/a ${cluster(16_000)} after it.`],
    ['800 graphemes of 20 combining marks each after a link', `See https://example.com/a ${cluster(20).repeat(800)} after it.`],
    ['5,000 ZWJ-joined emoji after a link', `See https://example.com/a ${'👩\u200d'.repeat(5_000)} after it.`],
    ['"x.yz." and the grapheme', `See x.yz.${cluster(16_000)} after it.`],
    ['one grapheme of 16,000 combining marks glued to a link', `See ${cluster(16_000)}https://example.com/a after it.`],
    ['16,000 CJK characters glued to a link', `See ${'我'.repeat(16_000)}https://example.com/a after it.`],
    ['".co:" and 355 marks, twelve times in one word', `See ${`.co:${'\u0301'.repeat(355)}`.repeat(12)}https://example.com/a after it.`],
  ];
  for (const [name, summary] of cases) {
    for (const [label, tpl] of TEMPLATES) {
      it(`${name} (${label}): valid parts on X, Bluesky and Mastodon`, () => {
        const { x, bluesky } = composeBoth(summary, tpl);
        expectThread(x, tpl);
        expectThread(bluesky, tpl);
        expectValidX(x);
        expectValidBluesky(bluesky);
        const item = makeItem({ title: 'Hostile input', summary, url: 'https://example.org/news/hostile' });
        const mastodon = composeWithLimits(item, tpl, MASTODON_DEFAULT_LIMITS, undefined);
        expectThread(mastodon, tpl);
        for (const part of mastodon) expect(part.characters).toBeLessThanOrEqual(MASTODON_DEFAULT_LIMITS.maxCharacters);
        expect(mastodon.map((p) => p.text).join('\n')).toContain('https://example.org/news/hostile');
      }, HANG_GUARD_MS);
    }
  }
});
