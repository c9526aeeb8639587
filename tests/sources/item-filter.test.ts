import { describe, expect, it } from 'vitest';
import { MatchRulesSchema } from '../../src/config/rules-schema.js';
import { describeDropRule, itemFilterFor, REGEX_TEXT_LIMIT } from '../../src/sources/item-filter.js';
import { applySourceRules } from '../../src/sources/source-rules.js';
import { makeItem } from '../support/items.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const rules = (fields: object) => MatchRulesSchema.parse(fields);
const verdict = (source: Parameters<typeof itemFilterFor>[0], item: ReturnType<typeof makeItem>) => itemFilterFor(source, NOW)?.(item);

describe('source rules: keywords', () => {
  const exclude = (...keywords: string[]) => ({ exclude: rules({ keywords }) });

  it('match whole words in any case, in the title or the summary', () => {
    expect(verdict(exclude('rust'), makeItem(1, { title: 'RUST 2.0 is out' }))).toEqual({ list: 'exclude', by: 'keyword', value: 'rust' });
    expect(verdict(exclude('rust'), makeItem(2, { summary: 'Why we moved to Rust.' }))).toMatchObject({ by: 'keyword' });
    expect(verdict(exclude('rust'), makeItem(3, { title: 'A rusty gate', summary: 'We trust it.' }))).toBeUndefined();
  });

  it('read letters of every script as word letters, and accents as part of the word', () => {
    expect(verdict(exclude('café'), makeItem(1, { summary: 'Le CAFÉ ouvre.' }))).toMatchObject({ by: 'keyword' });
    // NFD text (e + combining acute) is the same word as the NFC keyword.
    expect(verdict(exclude('café'), makeItem(2, { summary: 'Le cafe\u0301 ouvre.' }))).toMatchObject({ by: 'keyword' });
    expect(verdict(exclude('café'), makeItem(3, { summary: 'Le cafés ouvrent.' }))).toBeUndefined();
    expect(verdict(exclude('кот'), makeItem(4, { summary: 'Наш Кот спит.' }))).toMatchObject({ by: 'keyword' });
    expect(verdict(exclude('кот'), makeItem(5, { summary: 'Котёнок спит.' }))).toBeUndefined();
    expect(verdict(exclude('γάτα'), makeItem(6, { summary: 'Η ΓΆΤΑ κοιμάται.' }))).toMatchObject({ by: 'keyword' });
  });

  it('find a keyword in a script written without spaces anywhere in the text', () => {
    expect(verdict(exclude('東京'), makeItem(1, { summary: '東京タワーが再開した。' }))).toMatchObject({ by: 'keyword' });
    expect(verdict(exclude('大阪'), makeItem(2, { summary: '東京タワーが再開した。' }))).toBeUndefined();
  });

  it('take a phrase across any whitespace, and symbols without a word boundary where the keyword has none', () => {
    expect(verdict(exclude('open source'), makeItem(1, { summary: 'An Open\n  Source release.' }))).toMatchObject({ by: 'keyword' });
    expect(verdict(exclude('C++'), makeItem(2, { summary: 'New in C++17.' }))).toMatchObject({ by: 'keyword' });
    expect(verdict(exclude('a.b'), makeItem(3, { summary: 'axb' }))).toBeUndefined();
  });
});

describe('source rules: categories, regex, include', () => {
  it('compare categories whole and in any case', () => {
    const source = { exclude: rules({ categories: ['Sponsored Post'] }) };
    expect(verdict(source, makeItem(1, { tags: ['news', 'sponsored  post'] }))).toEqual({ list: 'exclude', by: 'category', value: 'Sponsored Post' });
    expect(verdict(source, makeItem(2, { tags: ['Sponsored'] }))).toBeUndefined();
  });

  it('match regexes case-insensitively against the title and the start of the summary only', () => {
    const source = { exclude: rules({ regex: ['\\bv\\d+\\.\\d+'] }) };
    expect(verdict(source, makeItem(1, { title: 'Release V2.1' }))).toEqual({ list: 'exclude', by: 'regex', value: '\\bv\\d+\\.\\d+' });
    const far = `${'word '.repeat(REGEX_TEXT_LIMIT / 5)}v3.0`;
    expect(verdict(source, makeItem(2, { summary: far }))).toBeUndefined();
  });

  it('take only items that match an include rule; exclude wins over include', () => {
    const source = { include: rules({ keywords: ['garden'], categories: ['roses'] }), exclude: rules({ keywords: ['weeds'] }) };
    expect(verdict(source, makeItem(1, { title: 'Pruning', summary: 'Cut back.', tags: ['Roses'] }))).toBeUndefined();
    expect(verdict(source, makeItem(2, { title: 'Garden note', summary: 'Sun.' }))).toBeUndefined();
    expect(verdict(source, makeItem(3, { title: 'Kitchen', summary: 'Soup.' }))).toEqual({ list: 'include', by: 'none' });
    expect(verdict(source, makeItem(4, { title: 'Garden weeds', summary: '' }))).toMatchObject({ list: 'exclude', value: 'weeds' });
  });

  it('has no filter when no rule is set', () => {
    expect(itemFilterFor({}, NOW)).toBeUndefined();
    expect(itemFilterFor({ include: rules({}) }, NOW)).toBeUndefined();
  });
});

describe('source rules: maxAge', () => {
  it('drops items dated longer ago than maxAge and keeps undated ones', () => {
    const source = { maxAge: '7d' };
    const old = makeItem(1, { publishedAt: '2026-02-21T12:00:00Z' });
    expect(verdict(source, old)).toEqual({ list: 'maxAge', maxAge: '7d', publishedAt: '2026-02-21T12:00:00Z' });
    expect(verdict(source, makeItem(2, { publishedAt: '2026-02-23T12:00:00Z' }))).toBeUndefined();
    expect(verdict(source, makeItem(3, { publishedAt: undefined }))).toBeUndefined();
    expect(verdict({ maxAge: '48h' }, makeItem(4, { publishedAt: '2026-02-27T11:00:00Z' }))).toMatchObject({ list: 'maxAge' });
    expect(describeDropRule(verdict(source, old)!)).toBe('maxAge 7d (published 2026-02-21T12:00:00Z)');
  });
});

describe('applySourceRules', () => {
  it("puts the source's template on every item and leaves items alone without one", () => {
    const items = [makeItem(1), makeItem(2)];
    expect(applySourceRules({ template: { text: '{title}: {url}' } }, items, NOW).items.map((i) => i.template)).toEqual(['{title}: {url}', '{title}: {url}']);
    expect(applySourceRules({}, items, NOW).items).toEqual(items);
  });
});
