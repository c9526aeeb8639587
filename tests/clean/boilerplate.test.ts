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

describe('removeBoilerplate: seen in the real-feed corpus', () => {
  it('removes a bracketed "[read more]" link and marks the excerpt as cut (netnewswire/donthitsave.xml, "Budgets")', () => {
    const item = 'https://donthitsave.com/comic/2019/05/17/budgets';
    const body = [
      p(['It not easy to beat the sun at its own game.']),
      p(['• A decade ago, I woke up every morning at 4:30 in order to go running. I did this for over two years. This lasted until I... '], ['[read more]', item]),
    ];
    const result = removeBoilerplate(body, { itemUrl: item });
    expect(texts(result.paragraphs)).toEqual([
      'It not easy to beat the sun at its own game.',
      '• A decade ago, I woke up every morning at 4:30 in order to go running. I did this for over two years. This lasted until I...',
    ]);
    expect(result.cut).toBe(true);
  });

  it('keeps a writer\'s own "..." before a link that is not a read-more one', () => {
    const body = [p(['We waited and waited... '], ['the timetable', 'https://example.org/timetable'])];
    const result = removeBoilerplate(body, targets);
    expect(texts(result.paragraphs)).toEqual(['We waited and waited... the timetable']);
    expect(result.cut).toBe(false);
  });

  it('removes a closing advertisement with a link (feedjira/JoelonSoftware.xml, every item)', () => {
    const body = [
      p(['“Simply because one programmer’s idea translated visibly and directly into a lot of money…”']),
      p(
        ["Need to hire a really great programmer? Want a job that doesn't drive you crazy? Visit the "],
        ['Joel on Software Job Board', 'http://jobs.joelonsoftware.com/'],
        [': Great software jobs, great people.'],
      ),
    ];
    expect(texts(removeBoilerplate(body, targets).paragraphs)).toEqual(['“Simply because one programmer’s idea translated visibly and directly into a lot of money…”']);
  });

  it('keeps questions and a call without a link: the writer asking', () => {
    const body = [p(['Beds are ready.']), p(['Want to help with the planting? Visit the garden on Saturday morning.'])];
    expect(texts(removeBoilerplate(body, targets).paragraphs)).toEqual(['Beds are ready.', 'Want to help with the planting? Visit the garden on Saturday morning.']);
  });

  it("removes Medium's footer (rss-parser/content-encoded.rss)", () => {
    const body = [
      p(['Everything has a flavor.']),
      p(
        ['Wild Flavors All Year Round: Dry Infusions', 'https://medium.com/invironment/wild-flavors-all-year-round-dry-infusions-150b6e872537'],
        [' was originally published in '],
        ['Invironment', 'https://medium.com/invironment'],
        [' on Medium, where people are continuing the conversation by highlighting and responding to this story.'],
      ),
    ];
    expect(texts(removeBoilerplate(body, targets).paragraphs)).toEqual(['Everything has a flavor.']);
  });

  it('keeps a sentence that says where a story was first published', () => {
    const text = 'The essay was originally published in Harper’s in 1961.';
    expect(texts(removeBoilerplate([p([text])], targets).paragraphs)).toEqual([text]);
  });

  it('removes a call to comment wherever it stands, with the contest it is for (node-podcast-parser/coding-blocks.xml)', () => {
    const body = [
      p(['Maybe we should go full on OO and use Microtypes?']),
      p(['Win the other pre-worn, gently broken in, gray T-Shirt! Just leave a comment on this episode!']),
      p(['Our Favorite Tools']),
    ];
    expect(texts(removeBoilerplate(body, targets).paragraphs)).toEqual(['Maybe we should go full on OO and use Microtypes?', 'Our Favorite Tools']);
  });

  it.each([
    // netnewswire/russcox.atom, "An Encoded Tree Traversal" and "Zip Files All The Way Down": the writer's requests.
    'If you know of references to this ordering, please leave a comment or email me (rsc@swtch.com).',
    '(If you do manage either of these, please leave a comment.)',
    // feedjira/TypePadNews.xml: support's advice.
    'Simply leave us a comment or open a Help ticket and one of our support team members will be happy to assist you.',
  ])('keeps a request to comment inside a sentence: %j', (text) => {
    expect(texts(removeBoilerplate([p([text]), p(['More.'])], targets).paragraphs)).toEqual([text, 'More.']);
  });

  it('removes a WordPress shortcode left as a paragraph (node-podcast-parser/coding-blocks.xml, "[yop_poll id="12"]")', () => {
    const body = [p(['Episode 37 Show Notes']), p(['[yop_poll id="12"]']), p(['News and Random Discussions'])];
    expect(texts(removeBoilerplate(body, targets).paragraphs)).toEqual(['Episode 37 Show Notes', 'News and Random Discussions']);
  });

  it('keeps bracketed words that are no shortcode (feedjira/json_feed.json)', () => {
    const body = [p(['[Slight change of chords]']), p(['B & L: Teenage wasteland, oh yeah, only teenage wasteland [repeated]'])];
    expect(texts(removeBoilerplate(body, targets).paragraphs)).toEqual(['[Slight change of chords]', 'B & L: Teenage wasteland, oh yeah, only teenage wasteland [repeated]']);
  });
});
