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
