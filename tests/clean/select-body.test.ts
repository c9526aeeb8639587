import { describe, expect, it } from 'vitest';
import { cleanBody, type BodyField, type BodyParagraph } from '../../src/clean/index.js';
import { LEAD_MAX_CHARS } from '../../src/clean/select-body.js';

const para = (text: string, href?: string): BodyParagraph => [href ? { text, href } : { text }];
const field = (name: string, role: 'summary' | 'content', ...paragraphs: BodyParagraph[]): BodyField => ({ field: name, role, read: () => paragraphs });
const text = (name: string, role: 'summary' | 'content', ...paragraphs: string[]) => field(name, role, ...paragraphs.map((p) => para(p)));
const TITLE = 'Good News! Google Chrome on Linux is Getting the Much Awaited Upgrade';
const CONTENT = text(
  'content:encoded',
  'content',
  'Here is the big news. Google plans to bring its flagship Chrome browser for ARM64 Linux devices.',
  'Which means you should be able to use Google Chrome on Raspberry Pi.',
);

describe('cleanBody: choosing the field', () => {
  it('takes a real summary over the full content, without reading the content', () => {
    let read = false;
    const content: BodyField = { field: 'content:encoded', role: 'content', read: () => ((read = true), [para('Full text here.')]) };
    const body = cleanBody([text('description', 'summary', 'A hand-written summary of the upgrade, in whole sentences, longer than its title.'), content], { title: TITLE });
    expect(body).toEqual({ summary: 'A hand-written summary of the upgrade, in whole sentences, longer than its title.', field: 'description' });
    expect(read).toBe(false);
  });

  it.each([
    ['shorter than the title', 'Raspberry Pi users might be even happier.'],
    ['one word', 'Upgrade'],
  ])('takes the content lead over a stub summary (%s)', (_why, stub) => {
    const body = cleanBody([text('description', 'summary', stub), CONTENT], { title: TITLE });
    expect(body.field).toBe('content:encoded');
    expect(body.summary).toMatch(/^Here is the big news\. .*\n\nWhich means .*Raspberry Pi\.$/s);
  });

  it('takes the content lead over a summary that is only a link', () => {
    const body = cleanBody([field('description', 'summary', para('https://example.org/chrome', 'https://example.org/chrome')), CONTENT]);
    expect(body.field).toBe('content:encoded');
  });

  it('takes the content lead over an automatic excerpt cut mid-sentence, and the excerpt to its last whole sentence when there is no content', () => {
    const cut = text('description', 'summary', 'Here is the big news. Google plans to bring its flagship Chrome browser for ARM64 […]');
    expect(cleanBody([cut, CONTENT], { title: 'Chrome for ARM64' }).field).toBe('content:encoded');
    expect(cleanBody([cut], { title: 'Chrome for ARM64' }).summary).toBe('Here is the big news.');
    const dots = text('description', 'summary', 'O termo de renovação foi assinado nesta semana pela prefeitura e pelo Sesc, e o programa terá continuidade em 2019. O termo de renovaç...');
    expect(cleanBody([dots, text('content:encoded', 'content', 'O termo de renovação foi assinado.')], { title: 'Apucarana' }).field).toBe('content:encoded');
  });

  it('prefers, of several real summaries, one that is not a copy of the full content (a podcast\'s itunes:summary)', () => {
    const notes = 'This week’s podcast features Danny Wilson and Harry Brady. St joins Harry to discuss the great start to the campaign.';
    const body = cleanBody(
      [
        text('description', 'summary', notes),
        text('itunes:summary', 'summary', 'Harry Brady & St Anthony chat about the Hearts & Killie game.'),
        text('content:encoded', 'content', notes),
      ],
      { title: 'Knowing Saint, Knowing Harry' },
    );
    expect(body).toEqual({ summary: 'Harry Brady & St Anthony chat about the Hearts & Killie game.', field: 'itunes:summary' });
  });

  it('never gives nothing when a field has text: the longest stub, else nothing', () => {
    expect(cleanBody([text('itunes:summary', 'summary', 'Summary'), text('description', 'summary', 'Short one.')], { title: TITLE }).summary).toBe('Short one.');
    expect(cleanBody([text('content', 'content', '3.9.0')], { title: 'v3.9.0' }).summary).toBe('3.9.0');
    expect(cleanBody([text('description', 'summary', 'See omnystudio.com/listener for privacy information.')])).toEqual({ summary: '' });
    expect(cleanBody([])).toEqual({ summary: '' });
  });

  it('takes whole paragraphs of a long content up to the lead size, without a dangling "…:" paragraph', () => {
    const sentence = 'The council met and agreed on the plan for the harbour. ';
    const long = sentence.repeat(5).trim(); // 279 characters
    const body = cleanBody([text('content', 'content', long, long, 'It said this:', long, long)]);
    expect(body.summary).toBe(`${long}\n\n${long}`);
    expect(body.summary.length).toBeLessThanOrEqual(LEAD_MAX_CHARS);
    // A first paragraph longer than the lead is cut after its last whole sentence that fits.
    const huge = sentence.repeat(60).trim();
    expect(cleanBody([text('content', 'content', huge, long)]).summary).toBe(sentence.repeat(12).trim());
    expect(cleanBody([text('content', 'content', `${'word '.repeat(400)}end.`)]).summary).toBe(`${'word '.repeat(400)}end.`);
  });
});

describe('cleanBody: the steps on each field', () => {
  it('reads the source line off the chosen field, past boilerplate and the title echo', () => {
    const body = cleanBody(
      [
        field(
          'description',
          'summary',
          para('Maria Lopez, Harbour Herald, June 25 2019:… The island ferry will leave every forty minutes. Ferry timetable changes from July'),
          para('Ferry timetable changes from July', 'https://digest.example.org/ferry/'),
        ),
      ],
      { title: 'Ferry timetable changes from July', itemUrl: 'https://digest.example.org/ferry/' },
    );
    expect(body).toEqual({
      summary: 'The island ferry will leave every forty minutes.',
      field: 'description',
      source: { attribution: 'Maria Lopez, Harbour Herald, June 25 2019', author: 'Maria Lopez', outlet: 'Harbour Herald', date: 'June 25 2019' },
    });
  });

  it('keeps the source line of another field when the chosen one has none', () => {
    const body = cleanBody([text('description', 'summary', 'Harbour Herald, June 25 2019: Ferry.'), text('content:encoded', 'content', 'The island ferry will leave every forty minutes from July.')], {
      title: 'Ferry timetable changes from July',
    });
    expect(body.field).toBe('content:encoded');
    expect(body.source?.outlet).toBe('Harbour Herald');
  });

  it('decodes double-escaped entities once, and leaves a literal &lt;b&gt; alone', () => {
    expect(cleanBody([text('description', 'summary', 'Таволга, или Лаба&#769;зник (лат. Filip&#233;ndula) — род трав.')]).summary).toBe('Таволга, или Лаба\u0301зник (лат. Filipéndula) — род трав.');
    expect(cleanBody([text('description', 'summary', 'Use &lt;b&gt; for bold, the editor says.')]).summary).toBe('Use &lt;b&gt; for bold, the editor says.');
  });
});

/** Real feed entries of the corpus (tests/fixtures/corpus), their fields as sources hands them to cleaning. */
describe('cleanBody: choosing among the fields real feeds offer', () => {
  const lines = (...l: string[]) => l.join('\n');

  it('takes a one-line summary over bullet-list show notes (netnewswire/atp.rss, "311: Mutually Assured Destruction")', () => {
    const notes = lines(
      '• Follow-up:',
      '• 👴🏻👴🏻👴🏻 screwed up "finsta"',
      '• Debate over the prevalence of the stage lighting problem',
      '• Silence of Siri and other IoT info',
      '• Wireless Accessory Config',
      '• Does anyone doubt that Facebook is straight garbage?',
    );
    const subtitle = "Facebook's Onavo scam, Apple's FaceTime bug, early iPhone rumors, and Overcast's Instant Search.";
    const body = cleanBody([text('description', 'summary', notes), text('itunes:subtitle', 'summary', subtitle)], { title: '311: Mutually Assured Destruction' });
    expect(body).toEqual({ summary: subtitle, field: 'itunes:subtitle' });
  });

  it('keeps show notes over a tagline of a few words (atp.rss, "300: First of All, It\'s Easy")', () => {
    const notes = lines('• 🎉 300th Episode Spectacular! 🎉', '• ATP #96: The Windows of Siracusa County', '• ATP #225: A Conversation with Siri', '• Follow-up:');
    const body = cleanBody([text('description', 'summary', notes), text('itunes:subtitle', 'summary', 'Our 300th Episode Spectacular!')], { title: "300: First of All, It's Easy" });
    expect(body.field).toBe('description');
  });

  it('takes the description over a joke itunes:subtitle (node-podcast-parser/coding-blocks.xml, "C# 6 and Roslyn")', () => {
    const paragraphs = [
      "This week we're taking pot shots from the peanut gallery!",
      'We talk about new features in C# 6. What we like, what we love...and binary literals.',
      'We also struggle to define Roslyn and BONUS! poetry reading from Michael Outlaw!',
    ];
    const body = cleanBody(
      [text('description', 'summary', ...paragraphs), text('itunes:subtitle', 'summary', 'Pour Some Sugar on Me'), text('content:encoded', 'content', ...paragraphs)],
      { title: 'C# 6 and Roslyn' },
    );
    expect(body).toEqual({ summary: paragraphs.join('\n\n'), field: 'description' });
  });

  it('takes the whole sentence over the feed\'s own cut of it (node-podcast-parser/design-details.xml, "0: Design Details Teaser")', () => {
    const whole =
      'This is a little teaser recording for us to test our equipment, set up our feeds and get the website up and running. You can subscribe to the podcast by heading to http://designdetails.fm and following on iTunes, RSS or email! The first Design Details episode is coming January 5th, 2015 - stay posted!';
    const cut = whole.slice(0, whole.indexOf('episode is coming') + 3); // "…The first Design Details epi"
    const body = cleanBody(
      [text('description', 'summary', whole), text('itunes:summary', 'summary', whole), text('itunes:subtitle', 'summary', cut), text('content:encoded', 'content', whole)],
      { title: '0: Design Details Teaser' },
    );
    expect(body.summary).toBe(whole);
  });

  it('takes the content lead, first paragraph of prose, over its long copy with the breaks lost (node-podcast-parser/javascript-air.xml)', () => {
    const content = [
      'Kicking off JavaScript Air with our first guest Brendan Eich (original creator of JavaScript) to talk about the past, present, and future of JavaScript.',
      lines('Show sponsors:', '• Egghead.io- Bite-sized web development video training', '• Frontend Masters- Expert front-end training', '• {Track:js}- JavaScript Error Monitoring'),
      lines('Links, Picks, and Tips:', 'Brendan Eich', '• Links: Brave', '• Tips: Learn JavaScript', '• Picks: JavaScript Code Smells'),
    ];
    const glued = `${content.join('').replace(/\n• /g, '').replace(/\n/g, '')}${' Kyle SimpsonPicks: Hour of CodeKent C. DoddsTips: Learn JavaScript with MDN'.repeat(6)}`;
    const fullContent = [...content, ...Array.from({ length: 6 }, () => 'Kyle Simpson\n• Picks: Hour of Code\nKent C. Dodds\n• Tips: Learn JavaScript with MDN')];
    const body = cleanBody([text('itunes:summary', 'summary', glued), text('content:encoded', 'content', ...fullContent)], {
      title: '000 jsAir - The Past, Present, and Future of JavaScript with Brendan Eich',
    });
    expect(body).toEqual({ summary: content[0], field: 'content:encoded' });
  });

  it('ends a YouTube description after its first paragraph, before the citations (rss-parser/atom-customfields.atom)', () => {
    const first = "This has been an awful year for Uber, which was the most valuable startup in the world. We'll see...";
    const citations =
      '(0:41) “‘Apple Is Sex’ Scott Galloway Cannes Lions 2017,” YouTube, June 2017. http://bit.ly/2uDOG3S (0:56) “Uber Loses at Least $1.2 Billion in First Half of 2016,” Bloomberg, August 2016. https://bloom.bg/2bYHoz5 (1:32) “Lyft Is Valued At $7.5 Billion After Raising A $500 Million Round,” recode, April 2017. http://bit.ly/2ufgXwN';
    const body = cleanBody([text('media:description', 'summary', first, citations, 'Episode 133')], { title: 'Scott Galloway: Asshole ≠ Innovative' });
    expect(body.summary).toBe('This has been an awful year for Uber, which was the most valuable startup in the world.');
  });

  it('takes the content lead over a "Read on…" teaser (feedreader/AtomBattleNet.xml, "New Versus Maps for Season 4, 2018")', () => {
    const lede =
      'Season 3 will end soon, which means we’re getting ready to spin up new maps for Season 4. For the next StarCraft II Versus season, we’re removing Acid Plant, Dreamcatcher, Lost and Found, and Fracture. Below you will find the new 1v1 maps we’re adding, as well as the new team maps.';
    const body = cleanBody([text('summary', 'summary', 'Read on to preview next season’s maps.'), text('content', 'content', lede)], { title: 'New Versus Maps for Season 4, 2018' });
    expect(body).toEqual({ summary: lede, field: 'content' });
    // A summary that only starts like one is a summary.
    const real = 'Read on the train, the new maps make more sense than they do at home.';
    expect(cleanBody([text('summary', 'summary', real), text('content', 'content', lede)], { title: 'New Versus Maps for Season 4, 2018' }).field).toBe('summary');
  });

  it('skips byline lines to the lede (rss-parser/many-links.rss, "The Inquiry Method for Test Planning")', () => {
    const lede = lines(
      'Creating a test plan is often a complex undertaking. An ideal test plan is accomplished by applying basic principles of cost-benefit analysis and risk analysis, optimally balancing these software development factors:',
      '• Implementation cost: The time and complexity of implementing testable features and automated tests for specific scenarios will vary, and this affects short-term development cost.',
      '• Maintenance cost: Some tests or test plans may vary from easy to difficult to maintain, and this affects long-term development cost.',
    );
    const body = cleanBody([text('content', 'content', 'by Anthony Vallone', 'updated: July 2016', lede)], { title: 'The Inquiry Method for Test Planning' });
    expect(body).toMatchObject({ summary: lede, field: 'content' });
    // A label that introduces what follows is no byline: a one-paragraph text keeps its first line.
    expect(cleanBody([text('content', 'content', 'Matt Birchler:', 'App thinning is not a magic bullet.')]).summary).toBe('Matt Birchler:\n\nApp thinning is not a magic bullet.');
  });

  it('keeps a line that says whose words follow (netnewswire/DaringFireball.atom, "Scott Galloway on Amazon and Whole Foods")', () => {
    const quote =
      'Amazon / Whole Foods will be the fourth-largest grocer in the US, and will likely post growth rates no $10B+ retailer, sans Amazon, has registered.';
    expect(cleanBody([text('content', 'content', 'Scott Galloway:', quote)], { title: 'Scott Galloway on Amazon and Whole Foods' }).summary).toBe(`Scott Galloway:\n\n${quote}`);
  });

  it('takes, of two summaries with the same words, the one that kept its paragraphs (podcast-parser/uyd.xml, "Episode 570 Apr 10th 2017")', () => {
    // The description is escaped HTML, so its line breaks are gone; itunes:summary is the same text as plain text.
    const paragraphs = ['Dancing in Genoa City', 'intro: Prime Time // Sven Atterton', 'outro: 247 / Ian Isiah'];
    const links = lines('http://uhhyeahdude.com', 'https://www.patreon.com/UHHYEAHDUDE?ty=h', 'http://twitter.com/UhhYeahDude', 'http://www.facebook.com/AmericasPodcast', '888 842 2357');
    const body = cleanBody(
      [
        text('description', 'summary', `${paragraphs.join(' ')} ${links.replace(/\n/g, ' ')}`),
        text('itunes:subtitle', 'summary', ...paragraphs),
        text('itunes:summary', 'summary', ...paragraphs, links),
      ],
      { title: 'Episode 570 Apr 10th 2017' },
    );
    expect(body.field).not.toBe('description');
    expect(body.summary).toBe(paragraphs.join('\n\n'));
  });

  it('ends a cut excerpt after a sentence closed by “ (simplepie RSS.com, "Why Communities Are so Important for Podcasters (#8)")', () => {
    const excerpt =
      'In this episode of Podcasting 101 with RSS.com, we chat with Bess Auer, the founder of Florida Blogger & Social Media Conference and author of “Unio, The Art of Intentional Community Building.“ You’ll […]';
    expect(cleanBody([text('description', 'summary', excerpt)], { title: 'Why Communities Are so Important for Podcasters (#8)' }).summary).toBe(excerpt.slice(0, excerpt.indexOf(' You’ll')));
  });
});

describe('cleanBody: a tagline beside the whole article, and where the lede ends', () => {
  it('takes the content lead over a hand-written tagline of a few words (feed-extractor/json-feed-standard-realworld.json, "Scale")', () => {
    const lede =
      'A few years back, Jessica got a ceiling fan for our living room. This might seem like a strange decision, considering we live in England. Most of the time, the problem in this country is that it’s too cold.';
    const content = text('content_html', 'content', lede, 'But then you get situations like this week, when the country experienced the hottest temperatures ever recorded.');
    const body = cleanBody([text('summary', 'summary', 'Temperature and music.'), content], { title: 'Scale' });
    expect(body.field).toBe('content_html');
    expect(body.summary.startsWith(lede)).toBe(true);
    // With nothing better beside it, a short summary of one whole sentence is the summary.
    expect(cleanBody([text('summary', 'summary', 'Temperature and music.')], { title: 'Scale' })).toEqual({ summary: 'Temperature and music.', field: 'summary' });
    // Beside a content that is only a list, the tagline stays.
    const list = text('content_html', 'content', '• Ceiling fans\n• Thermostats\n• Music apps\n• Tuners');
    expect(cleanBody([text('summary', 'summary', 'Temperature and music.'), list], { title: 'Scale' }).field).toBe('summary');
  });

  it('ends the lede before the first section heading (netnewswire/russcox.atom, "An Encoded Tree Traversal")', () => {
    const opening = [
      'Every basic data structures course identifies three ways to traverse a binary tree.',
      'It’s not entirely clear how to generalize them to k-ary trees, and I recently noticed an unexpected ordering that I’d like to know more about. If you know of references to this ordering, please leave a comment or email me (rsc@swtch.com).',
    ];
    const body = cleanBody(
      [
        text('summary', 'summary', 'An unexpected tree traversal ordering.'),
        text('content', 'content', ...opening, 'Binary Tree Orderings', 'First a refresher about binary-tree orderings to set up an analogy to k-ary trees.'),
      ],
      { title: 'An Encoded Tree Traversal' },
    );
    expect(body).toEqual({ summary: opening.join('\n\n'), field: 'content' });
  });

  it('leaves out a heading after a one-line opening and goes on (feedjira TypePad, "Typepad Release Notes")', () => {
    const opening = "Just in time for Valentine's Day, we have a sweet little treat for you by way of a new theme. Let's welcome Heartbeats to the theme family!";
    const next = "To help quickly navigate to the list of posts and pages, we've returned the List Posts and List Pages links.";
    expect(cleanBody([text('content', 'content', opening, 'Convenience', next)], { title: 'Typepad Release Notes' }).summary).toBe(`${opening}\n\n${next}`);
  });

  it('takes the first sentences of the long paragraph after a short opening (netnewswire/russcox.atom, "Go and Dogma")', () => {
    const note = '[Cross-posting from last year’s Go contributors AMA on Reddit, because it’s still important to remember.]';
    const first =
      'One of the perks of working on Go these past years has been the chance to have many great discussions with other language designers and implementers, for example about how well various design decisions worked out or the common problems of implementing what look like very different languages (for example both Go and Haskell need some kind of “green threads”, so there are more shared runtime challenges than you might expect).';
    const second = 'In one such conversation, when I was talking to a group of early Lisp hackers, one of them pointed out that these discussions are basically never dogmatic.';
    const rest = ' Designers and implementers remember the good things and the bad things about their own languages and are happy to discuss them.'.repeat(3);
    const body = cleanBody([text('content', 'content', note, `${first} ${second}${rest}`)], { title: 'Go and Dogma' });
    expect(body.summary).toBe(`${note}\n\n${first} ${second}`);
    // An opening that says enough on its own ends the lead before a paragraph too long to fit.
    const long = 'The Go team met in the spring to discuss what the language should look like in ten years. '.repeat(3).trim();
    expect(cleanBody([text('content', 'content', long, `${first} ${second}${rest}`)], { title: 'Go and Dogma' }).summary).toBe(long);
  });

  it('ends a commit message before its "---" trailers (miniflux/small_atom.xml, "Bump github.com/go-jose/go-jose/v3 from 3.0.1 to 3.0.3")', () => {
    const bumps = [
      'Bumps [github.com/go-jose/go-jose/v3](https://github.com/go-jose/go-jose) from 3.0.1 to 3.0.3.',
      '- [Release notes](https://github.com/go-jose/go-jose/releases)',
      '- [Changelog](https://github.com/go-jose/go-jose/blob/v3.0.3/CHANGELOG.md)',
      '- [Commits](https://github.com/go-jose/go-jose/compare/v3.0.1...v3.0.3)',
    ].join('\n');
    const trailers = '---\nupdated-dependencies:\n- dependency-name: github.com/go-jose/go-jose/v3\n  dependency-type: indirect\n...';
    const body = cleanBody([text('content', 'content', bumps, trailers, 'Signed-off-by: dependabot[bot] <support@github.com>')], {
      title: 'Bump github.com/go-jose/go-jose/v3 from 3.0.1 to 3.0.3',
    });
    expect(body.summary).toBe(bumps);
    // Dashes that open a line of prose are no break.
    expect(cleanBody([text('content', 'content', bumps, '--- and then the tests ran again, green this time.')]).summary).toBe(`${bumps}\n\n--- and then the tests ran again, green this time.`);
  });
});
