/**
 * Thread layout rules shared by both platforms: block order, link placement, numbering, maxParts
 * truncation, hashtags, partial/empty items, whitespace and determinism.
 */
import { describe, expect, it } from 'vitest';
import { composeForBluesky } from '../../src/platforms/bluesky/compose.js';
import { composeForX } from '../../src/platforms/x/compose.js';
import { type BlueskyPart } from '../../src/platforms/bluesky/parts.js';
import { type XPart } from '../../src/platforms/x/parts.js';
import type { Item } from '../../src/core/item.js';
import type { Template } from '../../src/config/template-schema.js';
import { expectValidBluesky, expectValidX, makeItem, template } from './helpers.js';

const URL = 'https://example.com/a';

function both(item: Item, tpl: Template): { x: XPart[]; bsky: BlueskyPart[] } {
  const x = composeForX(item, tpl);
  const bsky = composeForBluesky(item, tpl);
  expectValidX(x);
  expectValidBluesky(bsky);
  return { x, bsky };
}

const texts = (parts: Array<{ text: string }>): string[] => parts.map((p) => p.text);

/** "Sentence number 1 is here." … — distinct, short sentences so boundaries are easy to check. */
function sentences(n: number, from = 1): string {
  return Array.from({ length: n }, (_, i) => `Sentence number ${i + from} is right here.`).join(' ');
}

const COUNTER = / (\d+)\/(\d+)$/u;
const withoutCounter = (t: string): string => t.replace(COUNTER, '');

describe('short items', () => {
  it('fit in one part with title, blank line, summary, and the link on its own last line', () => {
    const item = makeItem({ title: 'A short title', summary: 'One short sentence.', url: URL });
    const { x, bsky } = both(item, template());
    const expected = `A short title\n\nOne short sentence.\n\n${URL}`;
    expect(texts(x)).toEqual([expected]);
    expect(texts(bsky)).toEqual([expected]);
  });

  it('put the attribution line after the title as "— {attribution}" only when the template asks', () => {
    const item = makeItem({ title: 'T', attribution: 'Jane Doe, Example Times', summary: 'Body.' });
    expect(texts(composeForX(item, template()))).toEqual(['T\n\n— Jane Doe, Example Times\n\nBody.']);
    expect(texts(composeForX(item, template({ attribution: false })))).toEqual(['T\n\nBody.']);
    expect(texts(composeForX(item, template({ title: false })))).toEqual(['— Jane Doe, Example Times\n\nBody.']);
  });

  it('keep paragraphs apart with one blank line', () => {
    const item = makeItem({ summary: 'First paragraph.\n\nSecond paragraph.\n  \nThird.' });
    expect(texts(composeForX(item, template()))).toEqual(['First paragraph.\n\nSecond paragraph.\n\nThird.']);
  });
});

describe('long summaries', () => {
  const item = makeItem({ title: 'Title here', summary: sentences(30), url: URL });

  it('split into several parts at sentence boundaries, keeping every sentence whole and in order', () => {
    for (const parts of Object.values(both(item, template({ maxParts: 25 })))) {
      expect(parts.length).toBeGreaterThan(1);
      const bodies = parts.map((p) => withoutCounter(p.text).replace(/\n\n\S+$/u, '').replace(/^Title here\n\n/u, ''));
      for (const body of bodies) expect(body).toMatch(/^Sentence number \d+ is right here\.( Sentence number \d+ is right here\.)*$/u);
      expect(bodies.join(' ')).toBe(sentences(30));
    }
  });

  it('number parts " i/n" with the same n everywhere and n equal to the part count', () => {
    for (const parts of Object.values(both(item, template({ maxParts: 25 })))) {
      parts.forEach((p, i) => expect(p.text.endsWith(` ${i + 1}/${parts.length}`)).toBe(true));
    }
  });

  it('leave parts unnumbered when numbering is off, and a single part unnumbered always', () => {
    const { x } = both(item, template({ maxParts: 25, numbering: false }));
    expect(x.length).toBeGreaterThan(1);
    for (const p of x) expect(p.text).not.toMatch(COUNTER);
    const one = both(makeItem({ summary: 'Just one.' }), template({ numbering: true }));
    expect(texts(one.x)).toEqual(['Just one.']);
  });

  it('repack when the counter gains a digit (9 → 10 parts) so every part still fits', () => {
    // Sizes around the 9/10 boundary: whichever side a size lands on, counters must agree and fit.
    for (let words = 400; words <= 520; words += 6) {
      const body = Array.from({ length: words }, (_, i) => `w${i % 10}`).join(' ');
      const { x, bsky } = both(makeItem({ summary: body }), template({ maxParts: 25 }));
      for (const parts of [x, bsky]) {
        parts.forEach((p, i) => expect(p.text.endsWith(` ${i + 1}/${parts.length}`)).toBe(true));
      }
    }
  });
});

describe('maxParts', () => {
  const long = makeItem({ summary: `${sentences(40)} Final words of the text.`, url: URL });

  it('keeps maxParts parts and shortens by whole sentences, so the thread ends on a full sentence', () => {
    const input = sentences(40).split(/(?<=\.) /u);
    for (const parts of Object.values(both(long, template({ maxParts: 2, link: 'first' })))) {
      expect(parts).toHaveLength(2);
      expect(parts[1]!.text.endsWith(' 2/2')).toBe(true);
      const shown = parts.map((p, i) => withoutCounter(p.text).replace(i === 0 ? `\n\n${URL}` : '', '')).join(' ');
      expect(shown).not.toContain('\u2026');
      // What is shown is the first sentences, each whole; the rest is left out.
      const kept = shown.split(/(?<=\.) /u);
      expect(kept).toEqual(input.slice(0, kept.length));
      expect(kept.length).toBeLessThan(input.length);
    }
  });

  it('still places the link (mode last) and the counter after the last whole sentence', () => {
    const { x, bsky } = both(long, template({ maxParts: 3, link: 'last' }));
    expect(x).toHaveLength(3);
    expect(x[2]!.text).toMatch(new RegExp(`here\\.\\n\\n${URL.replace(/[./]/g, '\\$&')} 3/3$`, 'u'));
    expect(bsky[2]!.text).toMatch(/here\.\n\nhttps:\/\/example\.com\/a 3\/3$/u);
  });

  it('maxParts 1 gives a single part of whole sentences with no counter', () => {
    const { x } = both(long, template({ maxParts: 1, link: 'first' }));
    expect(x).toHaveLength(1);
    expect(x[0]!.text).toMatch(/^Sentence number 1 is right here\. .*here\.\n\nhttps:\/\/example\.com\/a$/su);
  });

  it('ends on "…" only when the one sentence left cannot fit a part whole', () => {
    const item = makeItem({ summary: `${'word '.repeat(120)}end.`, url: URL });
    for (const parts of Object.values(both(item, template({ maxParts: 2, link: 'none' })))) {
      expect(parts).toHaveLength(2);
      expect(withoutCounter(parts[0]!.text)).toMatch(/word\u2026$/u);
      expect(withoutCounter(parts[1]!.text)).toMatch(/^\u2026word .*word\u2026$/u);
    }
  });

  it('trims trailing punctuation before the ellipsis', () => {
    const item = makeItem({ summary: 'alpha, '.repeat(200).trim() });
    for (const parts of Object.values(both(item, template({ maxParts: 1 })))) {
      expect(parts[0]!.text).toMatch(/alpha\u2026$/u);
    }
  });
});

describe('link modes', () => {
  const item = makeItem({ title: 'Title', summary: sentences(25), url: URL });
  const linkLine = /\n\nhttps:\/\/example\.com\/a( \d+\/\d+)?$/u;
  const withLink = (parts: XPart[] | BlueskyPart[]): boolean[] => parts.map((p) => linkLine.test(p.text));

  it('first: only part 1 carries the link, on its own line at the end', () => {
    for (const parts of Object.values(both(item, template({ link: 'first', maxParts: 25 })))) {
      expect(withLink(parts)).toEqual(parts.map((_, i) => i === 0));
      expect(parts.filter((p) => p.text.includes(URL))).toHaveLength(1);
    }
  });

  it('last: only the last part carries it', () => {
    for (const parts of Object.values(both(item, template({ link: 'last', maxParts: 25 })))) {
      expect(withLink(parts)).toEqual(parts.map((_, i) => i === parts.length - 1));
    }
  });

  it('every: each part carries it', () => {
    for (const parts of Object.values(both(item, template({ link: 'every', maxParts: 25 })))) {
      expect(withLink(parts).every(Boolean)).toBe(true);
    }
  });

  it('none: no part carries it', () => {
    for (const parts of Object.values(both(item, template({ link: 'none', maxParts: 25 })))) {
      expect(parts.some((p) => p.text.includes('example.com'))).toBe(false);
    }
  });

  it('last: the final part always has text besides the link (never a link-only part)', () => {
    // Sweep lengths across the point where the text fits one part without the link but not with it.
    for (let n = 150; n <= 290; n += 3) {
      const summary = 'x '.repeat(n).trim();
      for (const parts of Object.values(both(makeItem({ summary, url: URL }), template({ link: 'last' })))) {
        for (const p of parts) expect(withoutCounter(p.text).replace(linkLine, '').trim()).not.toBe('');
      }
    }
  });
});

describe('hashtags', () => {
  const tags = ['machine learning', 'C++', '2024', 'Node.js', 'Machine Learning', '  ', 'extra'];

  it('appends up to N hashtag-safe tags to the last part only', () => {
    const item = makeItem({ summary: sentences(12), tags });
    for (const parts of Object.values(both(item, template({ hashtags: 3, maxParts: 25 })))) {
      const last = withoutCounter(parts.at(-1)!.text);
      expect(last.endsWith('\n\n#MachineLearning #C #Nodejs')).toBe(true);
      for (const p of parts.slice(0, -1)) expect(p.text).not.toContain('#');
    }
  });

  it('adds none when hashtags is 0', () => {
    const item = makeItem({ summary: 'Body.', tags });
    expect(texts(composeForX(item, template({ hashtags: 0 })))).toEqual(['Body.']);
  });

  it('goes before the link line in the last part', () => {
    const item = makeItem({ summary: 'Body.', tags: ['news'], url: URL });
    expect(texts(composeForX(item, template({ hashtags: 1, link: 'last' })))).toEqual([`Body.\n\n#news\n\n${URL}`]);
  });

  it('drops tags that do not fit instead of adding a part', () => {
    const full = 'y '.repeat(138).trim(); // 275 weighted: room for "#ab" style tags only
    const item = makeItem({ summary: full, tags: ['averyveryverylongtag', 'ab'] });
    const x = composeForX(item, template({ hashtags: 2 }));
    expectValidX(x);
    expect(x).toHaveLength(1);
    expect(x[0]!.text).not.toContain('#averyveryverylongtag');
    expect(x[0]!.text.endsWith('\n\n#ab')).toBe(true);
  });

  it('never makes a thread out of hashtags alone', () => {
    expect(composeForX(makeItem({ tags: ['news'] }), template({ hashtags: 3 }))).toEqual([]);
  });
});

describe('partial and empty items', () => {
  it('an item with nothing gives an empty thread', () => {
    const empty = makeItem({ summary: '   \n\n  ' });
    expect(both(empty, template())).toEqual({ x: [], bsky: [] });
    expect(both(makeItem({ url: URL }), template({ link: 'none' }))).toEqual({ x: [], bsky: [] });
  });

  it.each([
    ['title only', { title: 'Only a title' }, ['Only a title']],
    ['URL only', { url: URL }, [URL]],
    ['summary only', { summary: 'Only a summary.' }, ['Only a summary.']],
    ['title and URL', { title: 'T', url: URL }, [`T\n\n${URL}`]],
    ['summary and URL', { summary: 'S.', url: URL }, [`S.\n\n${URL}`]],
    ['title and summary', { title: 'T', summary: 'S.' }, ['T\n\nS.']],
  ] as const)('%s works', (_, fields, expected) => {
    const { x, bsky } = both(makeItem(fields), template());
    expect(texts(x)).toEqual(expected);
    expect(texts(bsky)).toEqual(expected);
  });

  it('a title that is switched off is not shown', () => {
    expect(texts(composeForX(makeItem({ title: 'T', summary: 'S.' }), template({ title: false })))).toEqual(['S.']);
  });
});

describe('whitespace', () => {
  it('collapses runs, keeps paragraph and line breaks and never starts or ends a part with whitespace', () => {
    const summary = '  Lots   of\tspaces\u00A0and\nsoft breaks.  \r\n\r\n  Next\u3000paragraph.   ' + ' More filler  words here.'.repeat(40);
    const { x, bsky } = both(makeItem({ title: '  Spaced   title ', summary }), template({ maxParts: 25 }));
    expect(x[0]!.text.startsWith('Spaced title\n\nLots of spaces and\nsoft breaks.\n\nNext paragraph.')).toBe(true);
    for (const p of [...x, ...bsky]) {
      expect(p.text).not.toMatch(/ {2}|\t|\n{3}|^\s|\s$/u);
    }
  });
});

describe('lines', () => {
  // DistroWatch's weekly digest (tests/fixtures/corpus/capyreader/feed-rdf-distrowatch.xml) is one <br> list.
  const digest = [
    'This week in DistroWatch Weekly:',
    'Review: Liya 2.0',
    'News: Haiku introduces performance improvements, Redcore merges major upgrade, Gentoo dropping IA-64 support',
    'Questions and answers: Dual boot with encryption',
    'Released last week: Tails 6.6, RebeccaBlackOS 2024-08-12, deepin 23',
    'Torrent corner: deepin, Endless OS, SparkyLinux, Tails',
    'Upcoming releases: FreeBSD 13.4-RC1',
    'Opinion poll: Do you encrypt your root filesystem or home directories?',
    'New distributions: BredOS, Red OS',
  ];

  it('keeps a paragraph\'s lines as lines, breaks parts between them, and never marks a break between lines as a cut', () => {
    const { x, bsky } = both(makeItem({ title: 'DistroWatch Weekly, Issue 1084', summary: digest.join('\n'), url: URL }), template({ maxParts: 4 }));
    for (const parts of [x, bsky]) {
      expect(parts.length).toBeGreaterThan(1);
      const bodies = parts.map((p) => p.text.replace(/^[^]*?\n\n/u, '').replace(/\n\nhttps:\S+/u, '').replace(/ \d+\/\d+$/u, '').replace(/^…/u, ''));
      expect(parts.map((p) => p.text).join('\n')).not.toContain('…');
      expect(bodies.join('\n').split('\n')).toEqual(digest);
    }
  });

  it('keeps a list item\'s number with its line', () => {
    const summary = ['1. Coronavirus: 31 nouvelles infections en Belgique Sudinfo.be', '2. La Belgique annonce 31 nouveaux cas dh.be', '3. Covid-19 : deux premiers cas confirmés Notélé'].join('\n');
    const { x } = both(makeItem({ title: 'Coronavirus en Belgique', summary }), template({ maxParts: 3 }));
    const lines = x.flatMap((p) => p.text.split('\n'));
    for (const n of ['1.', '2.', '3.']) expect(lines.some((l) => l.startsWith(`${n} `))).toBe(true);
    expect(lines.some((l) => /^\d\.$/u.test(l.trim()) || /\s\d\.$/u.test(l.replace(/ \d+\/\d+$/u, '')))).toBe(false);
  });
});

describe('determinism', () => {
  it('composing the same input twice gives identical output, byte for byte', () => {
    const item = makeItem({
      title: 'Dr. Who’s “guide”',
      attribution: 'A. Writer, The Paper',
      summary: `${sentences(20)} 👩‍👩‍👧‍👦 🇺🇦 東京タワーに行きました。 https://example.org/${'p'.repeat(80)} #tag\n\nمرحبا بالعالم`,
      url: `${URL}/${'q'.repeat(100)}`,
      tags: ['one tag', 'two'],
      language: 'en',
    });
    const tpl = template({ hashtags: 2, link: 'every', maxParts: 6 });
    expect(JSON.stringify(composeForX(item, tpl))).toBe(JSON.stringify(composeForX(structuredClone(item), tpl)));
    expect(JSON.stringify(composeForBluesky(item, tpl))).toBe(
      JSON.stringify(composeForBluesky(structuredClone(item), tpl)),
    );
  });
});
