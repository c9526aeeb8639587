import { describe, expect, it } from 'vitest';
import { removeTitleEcho } from '../../src/clean/title-echo.js';
import type { BodyParagraph } from '../../src/clean/types.js';

const para = (text: string, href?: string): BodyParagraph => [href ? { text, href } : { text }];
const texts = (paragraphs: BodyParagraph[]) => paragraphs.map((q) => q.map((r) => r.text).join(''));
const TITLE = 'Ferry timetable changes from July';

describe('removeTitleEcho', () => {
  it('removes the title repeated at the end of the text, after a sentence end', () => {
    const body = [para('The council asked for a review in September, when the boats are back. Ferry timetable changes from July')];
    expect(texts(removeTitleEcho(body, TITLE))).toEqual(['The council asked for a review in September, when the boats are back.']);
  });

  it('removes a closing paragraph that is the title as a link, and then the text echo before it', () => {
    const body = [para('The boats are back. Ferry timetable changes from July'), para(TITLE, 'https://digest.example.org/2019/06/ferry/')];
    expect(texts(removeTitleEcho(body, TITLE))).toEqual(['The boats are back.']);
  });

  it('removes the title at the start, as a heading paragraph or set off by punctuation, ignoring case and quote styles', () => {
    expect(texts(removeTitleEcho([para('Ferry Timetable Changes From July'), para('The island ferry will leave.')], TITLE))).toEqual(['The island ferry will leave.']);
    expect(texts(removeTitleEcho([para('“Ferry timetable changes from July.” The island ferry will leave.')], TITLE))).toEqual(['The island ferry will leave.']);
    expect(texts(removeTitleEcho([para('Ferry timetable changes from July – the island ferry will leave.')], TITLE))).toEqual(['the island ferry will leave.']);
    expect(texts(removeTitleEcho([para("What's next: the plan")], 'What’s next'))).toEqual(['the plan']);
  });

  it('removes the first item of a list that is the story itself (Google News)', () => {
    const list = [para('1. Coronavirus en Belgique: 200 cas détectés au total RTBF\n2. Coronavirus: 31 nouvelles infections Sudinfo.be')];
    expect(texts(removeTitleEcho(list, 'Coronavirus en Belgique: 200 cas détectés au total - RTBF'))).toEqual(['2. Coronavirus: 31 nouvelles infections Sudinfo.be']);
  });

  it('keeps the title words when they are part of a sentence', () => {
    const kept = [
      para('Ferry timetable changes from July affect the early crossings.'),
      para('Commuters complained that ferry timetable changes from July'),
    ];
    expect(texts(removeTitleEcho(kept, TITLE))).toEqual(texts(kept));
    // A short title is only removed when it is a whole paragraph.
    expect(texts(removeTitleEcho([para('Max schaukelt mit dem Fass.')], 'Max schaukelt'))).toEqual(['Max schaukelt mit dem Fass.']);
    expect(texts(removeTitleEcho([para('It went well. Max schaukelt')], 'Max schaukelt'))).toEqual(['It went well. Max schaukelt']);
  });

  it('leaves the body alone when there is no title or the title has no words', () => {
    const body = [para('Text.')];
    expect(removeTitleEcho(body, undefined)).toEqual(body);
    expect(removeTitleEcho(body, '🎉')).toEqual(body);
  });
});

describe('removeTitleEcho: seen in the real-feed corpus', () => {
  it('removes a heading that is the title between decorations (netnewswire/kc0011.rss)', () => {
    const body = [para('★★★低出爱藏MS66评级币★★★'), para('12506916----12506930\n一起24枚')];
    expect(texts(removeTitleEcho(body, '★★低出爱藏MS66评级币★★'))).toEqual(['12506916----12506930\n一起24枚']);
  });

  it('removes a paragraph that is the title in the middle of the body, with the sentence introducing it as a link (rss-parser/content-encoded.rss)', () => {
    const title = 'Eight Reasons You Shouldn’t Grow Your Own Food';
    const body = [
      para('Growing your own food might not be a good decision for you.'),
      para('This story is currently available to Medium Members at the following link:'),
      para(title, 'https://medium.com/@jeremypuma/eight-reasons-you-shouldnt-grow-your-own-food-1851c54fbce5'),
      para('The story will be unlocked and available to all of our readers after 30 days.'),
    ];
    expect(texts(removeTitleEcho(body, title))).toEqual([
      'Growing your own food might not be a good decision for you.',
      'The story will be unlocked and available to all of our readers after 30 days.',
    ]);
  });

  it('keeps a middle paragraph that holds more than the title, and a short title as a middle paragraph', () => {
    const body = [para('The boats are back.'), para('Ferry timetable changes from July are on the board.'), para('More.')];
    expect(texts(removeTitleEcho(body, TITLE))).toEqual(texts(body));
    const short = [para('The boats are back.'), para('Ferry news'), para('More.')];
    expect(texts(removeTitleEcho(short, 'Ferry news'))).toEqual(texts(short));
  });

  it('removes the title linked after a lead-in, with the lead-in (feedjira/JoelonSoftware.xml, "Thanks or No Thanks")', () => {
    const body = [
      para('“Simply because one programmer’s idea translated visibly and directly into a lot of money…”'),
      [{ text: 'From my latest Inc. column: ' }, { text: 'Thanks or No Thanks', href: 'http://www.joelonsoftware.com/inc.html?16' }],
    ];
    expect(texts(removeTitleEcho(body, 'Thanks or No Thanks'))).toEqual(['“Simply because one programmer’s idea translated visibly and directly into a lot of money…”']);
  });

  it('keeps the title after a colon when it is no link: a sentence may name it', () => {
    const body = [para('The boats are back.'), para('The notice board says it plainly: Ferry timetable changes from July')];
    expect(texts(removeTitleEcho(body, TITLE))).toEqual(texts(body));
  });

  it('removes the title after a name and a colon, and keeps the name (netnewswire/expertopinionent.atom)', () => {
    expect(texts(removeTitleEcho([para('Prof. Rodney Schlosser: Spontaneous CSF Leak- Presentation and Management')], 'Spontaneous CSF Leak- Presentation and Management'))).toEqual([
      'Prof. Rodney Schlosser',
    ]);
    expect(texts(removeTitleEcho([para('Dr. Larry Kalish: Douching the Nose')], 'Douching the Nose'))).toEqual(['Dr. Larry Kalish']);
    // A sentence before the colon names the title in its own words: it stays whole.
    const sentence = [para('Today we talk about it: Douching the Nose')];
    expect(texts(removeTitleEcho(sentence, 'Douching the Nose'))).toEqual(texts(sentence));
  });

  it('leaves the byline when the body is the title "by" someone (node-podcast-parser/neo4j.xml)', () => {
    const title = 'Podcast Interview With Paul Jongsma, Webtic';
    const body = [para(`${title} by The Neo4j Graph Database Community`)];
    expect(texts(removeTitleEcho(body, title))).toEqual(['by The Neo4j Graph Database Community']);
  });

  it('keeps the title and "by" words that name no one', () => {
    const body = [para('Ferry timetable changes from July by popular demand')];
    expect(texts(removeTitleEcho(body, TITLE))).toEqual(texts(body));
  });

  it.each([
    // node-podcast-parser/neo4j.xml's itunes:subtitle, clipped at 50 characters.
    ['Podcast Interview With Paul Jongsma, Webtic', 'Podcast Interview With Paul Jongsma, Webtic by Th…'],
    ['Podcast interview with Matt Wright, Stitched.io', 'Podcast interview with Matt Wright, Stitched.io b…'],
    ['Podcast Summary - part 1 - the best thing about Neo4j', 'Podcast Summary - part 1 - the best thing about N…'],
  ])('removes the title clipped by the feed: %j', (title, text) => {
    expect(texts(removeTitleEcho([para(text)], title))).toEqual([]);
  });

  it('keeps an excerpt that starts with the title and goes on past a clip', () => {
    const body = [para('Ferry timetable changes from July were announced on Monday by the harbour office, which…')];
    expect(texts(removeTitleEcho(body, TITLE))).toEqual(texts(body));
  });
});
