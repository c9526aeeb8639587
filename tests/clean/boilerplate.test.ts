import { describe, expect, it } from 'vitest';
import { pointsHome, removeBoilerplate, removeSponsorLead, stripBoilerplate } from '../../src/clean/boilerplate.js';
import type { BodyParagraph } from '../../src/clean/types.js';

/** A paragraph from [text, href?] pairs. */
const p = (...runs: Array<[string, string?]>): BodyParagraph => runs.map(([text, href]) => (href ? { text, href } : { text }));
const texts = (paragraphs: BodyParagraph[]) => paragraphs.map((q) => q.map((r) => r.text).join(''));
const ITEM = 'https://digest.example.org/2019/06/ferry/';
const targets = { itemUrl: ITEM, siteUrl: 'https://digest.example.org/' };

describe('stripBoilerplate: by pattern, in the languages our feeds use', () => {
  it.each([
    ['English WordPress footer', 'Beds are ready.\n\nThe post Beds appeared first on Garden.', 'Beds are ready.'],
    ['German WordPress footer', 'Die Beete sind fertig.\n\nDer Beitrag Beete erschien zuerst auf Gartenblog.', 'Die Beete sind fertig.'],
    ['French WordPress footer', "Les bacs sont prêts.\n\nL'article Bacs est apparu en premier sur Jardin.", 'Les bacs sont prêts.'],
    ['Portuguese WordPress footer', 'Os canteiros estão prontos.\n\nO post Canteiros apareceu primeiro em Horta.', 'Os canteiros estão prontos.'],
    ['Spanish WordPress footer', 'Los bancales están listos.\n\nLa entrada Bancales se publicó primero en Huerto.', 'Los bancales están listos.'],
    ['Swedish WordPress footer', 'Bäddarna är klara.\n\nInlägget Bäddar dök först upp på Trädgård.', 'Bäddarna är klara.'],
    ['"Read more"', 'The beds are ready. Read more', 'The beds are ready.'],
    ['"Read more »" as its own paragraph', 'The beds are ready.\n\nRead more »', 'The beds are ready.'],
    ['"Continue reading Title →"', 'Beans are up. Continue reading Beans →', 'Beans are up.'],
    ['"Read full article >>"', 'The beds are ready. Read full article >>', 'The beds are ready.'],
    ['Swedish "Läs mer »"', 'Bäddarna är klara. Läs mer »', 'Bäddarna är klara.'],
    ['German "Weiterlesen…"', 'Die Beete sind fertig. Weiterlesen…', 'Die Beete sind fertig.'],
    ['French "Lire la suite"', 'Les bacs sont prêts. Lire la suite', 'Les bacs sont prêts.'],
    ['Portuguese "Leia mais (date)" glued to the sentence', 'Os canteiros estão prontos.Leia mais (01/03/2025 - 23h00)', 'Os canteiros estão prontos.'],
    ['Spanish "Leer más"', 'Los bancales están listos. Leer más', 'Los bancales están listos.'],
    ['a "Read more" sentence flattened from a link, after a list', "New distributions: BredOS Read more in this week's issue of the Weekly....", 'New distributions: BredOS'],
    ['Omny\'s privacy line', 'Die wichtigsten Nachrichten. See omnystudio.com/listener for privacy information.', 'Die wichtigsten Nachrichten.'],
    ['a comment count as the last paragraph', 'Nice work.\n\n12 comments', 'Nice work.'],
    ['the excerpt mark after a whole sentence', 'We planted beans. […]', 'We planted beans.'],
    ['the excerpt mark mid-sentence, which leaves "…"', 'We planted beans and [&#8230;]', 'We planted beans and…'],
    ['SPIP\'s "(…)" mark', 'Ils craignent un affaiblissement des normes (…)', 'Ils craignent un affaiblissement des normes…'],
    ['several layers at once', 'Beans. [...]\n\nThe post Beans appeared first on Garden.', 'Beans.'],
    ['"Reader comments" flattened from a link (DistroWatch)', 'New distributions: BredOS, Red OS Reader comments', 'New distributions: BredOS, Red OS'],
    ['Google News\'s "full coverage" list item with its number', '1. Story one Outlet\n2. Voir la couverture complète sur Google Actualités', '1. Story one Outlet'],
  ])('removes %s', (_what, text, expected) => {
    expect(stripBoilerplate(text)).toBe(expected);
  });

  it.each([
    'Read more about beans on the notice board.',
    'We read more than ever.',
    'Please leave your thoughts in the Comments',
    'Bitte schreiben Sie in die Kommentare',
    'There were 12 comments',
    'Pour en savoir plus, venez samedi.',
    'He said we should continue reading the signs.',
  ])('keeps the words of %j', (text) => {
    expect(stripBoilerplate(text)).toBe(text);
  });
});

describe('removeBoilerplate: by structure', () => {
  it('removes a closing paragraph that only links to the item itself (its title as a link) or to the home page', () => {
    const body = [p(['The ferry will leave every forty minutes.']), p(['Ferry timetable changes from July', ITEM])];
    expect(texts(removeBoilerplate(body, targets).paragraphs)).toEqual(['The ferry will leave every forty minutes.']);
    const home = [p(['Text.']), p(['Harbour Town Digest', 'https://www.digest.example.org'])];
    expect(texts(removeBoilerplate(home, targets).paragraphs)).toEqual(['Text.']);
    // Without a site URL the item's host root counts as home.
    expect(texts(removeBoilerplate(home, { itemUrl: ITEM }).paragraphs)).toEqual(['Text.']);
  });

  it('keeps a closing paragraph that links elsewhere, and a paragraph with words of its own beside the link', () => {
    const other = [p(['Text.']), p(['Last week: the bridge works', 'https://digest.example.org/2019/06/bridge/'])];
    expect(texts(removeBoilerplate(other, targets).paragraphs)).toEqual(['Text.', 'Last week: the bridge works']);
    const mixed = [p(['Text.']), p(['Timetables are at '], ['the harbour office', 'https://digest.example.org/'], ['.'])];
    expect(texts(removeBoilerplate(mixed, targets).paragraphs)).toEqual(['Text.', 'Timetables are at the harbour office.']);
  });

  it('removes a "Lire la suite" link followed by rubric and tag links (Reporterre)', () => {
    const body = [
      p(['Le texte.']),
      p(['Lire la suite', ITEM], [' - '], ['En bref', 'https://reporterre.net/Breves-20'], [' / '], ['Europe', 'https://reporterre.net/Europe']),
    ];
    expect(texts(removeBoilerplate(body, targets).paragraphs)).toEqual(['Le texte.']);
  });

  it('removes comment and share links at the end, and Reddit\'s "submitted by … [link] [comments]"', () => {
    const share = [p(['Body text. '], ['Share', 'https://social.example/s'], [' | '], ['Tweet', 'https://social.example/t'], [' · '], ['3 Comments', `${ITEM}#comments`])];
    expect(texts(removeBoilerplate(share, targets).paragraphs)).toEqual(['Body text.']);
    const reddit = [p(['The wiki lists known issues.']), p(['submitted by '], ['/u/Mlakuss', 'https://www.reddit.com/user/Mlakuss'], [' '], ['[link]', 'https://x'], [' '], ['[comments]', 'https://y'])];
    expect(texts(removeBoilerplate(reddit, targets).paragraphs)).toEqual(['The wiki lists known issues.']);
    // Reddit's RSS: the user without /u/ but as a link, the subreddit, and a comment count in brackets.
    const redditRss = [
      p(['A gif.']),
      p(['submitted by '], ['cakebeerandmorebeer', 'https://www.reddit.com/user/cakebeerandmorebeer'], [' to '], ['funny', 'https://www.reddit.com/r/funny/'], [' '], ['[link]', 'https://i.example/x'], [' '], ['[275 comments]', 'https://www.reddit.com/r/funny/comments/3skxqc/']),
    ];
    expect(texts(removeBoilerplate(redditRss, targets).paragraphs)).toEqual(['A gif.']);
    // The same words as prose, with no link for the name, stay.
    expect(texts(removeBoilerplate([p(['Text.']), p(['submitted by Jane'])], targets).paragraphs)).toEqual(['Text.', 'submitted by Jane']);
    expect(texts(removeBoilerplate([p(['Comments', 'https://news.ycombinator.com/item?id=1'])], targets).paragraphs)).toEqual([]);
  });

  it('removes a "Read more" link even without a sentence end before it', () => {
    expect(texts(removeBoilerplate([p(['The council discussed the proposal '], ['Read more', ITEM])], targets).paragraphs)).toEqual([
      'The council discussed the proposal',
    ]);
  });

  it('takes a WordPress footer in a paragraph with links only when the footer holds one of them', () => {
    const footer = [p(['Body text. The post '], ['Beans', ITEM], [' appeared first on '], ['Garden', 'https://digest.example.org/'], ['.'])];
    expect(texts(removeBoilerplate(footer, targets).paragraphs)).toEqual(['Body text.']);
    const prose = [p(['See the '], ['map', 'https://maps.example/'], ['. The post office appeared first on the list.'])];
    expect(texts(removeBoilerplate(prose, targets).paragraphs)).toEqual(['See the map. The post office appeared first on the list.']);
  });

  it('says when an excerpt mark was removed', () => {
    expect(removeBoilerplate([p(['Beans and […]'])]).cut).toBe(true);
    expect(removeBoilerplate([p(['Beans.'])]).cut).toBe(false);
  });
});

describe('pointsHome', () => {
  it('matches the item (trailing slash, www) and the site root, not other pages', () => {
    expect(pointsHome('https://www.digest.example.org/2019/06/ferry', targets)).toBe(true);
    expect(pointsHome('https://digest.example.org/', targets)).toBe(true);
    expect(pointsHome('https://digest.example.org/?p=1', targets)).toBe(false);
    expect(pointsHome('https://digest.example.org/about/', targets)).toBe(false);
    expect(pointsHome('https://other.example/', targets)).toBe(false);
    expect(pointsHome('not a url', targets)).toBe(false);
  });
});

describe('removeSponsorLead', () => {
  it('removes a sponsor\'s opening sentence and keeps the rest of the paragraph', () => {
    const body = [p(['The DistroWatch Weekly news feed is brought to you by '], ['TUXEDO COMPUTERS', 'https://www.tuxedocomputers.com/'], ['. This week in DistroWatch Weekly: Review: Liya 2.0'])];
    expect(texts(removeSponsorLead(body))).toEqual(['This week in DistroWatch Weekly: Review: Liya 2.0']);
  });

  it('keeps a first sentence that only mentions sponsorship later on, and a body that is nothing but the sponsor line', () => {
    const later = [p(['The council met on Monday. The fair is sponsored by the bank.'])];
    expect(texts(removeSponsorLead(later))).toEqual(['The council met on Monday. The fair is sponsored by the bank.']);
    const only = [p(['This podcast is brought to you by Acme.'])];
    expect(texts(removeSponsorLead(only))).toEqual(['This podcast is brought to you by Acme.']);
  });
});
