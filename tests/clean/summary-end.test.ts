/**
 * Issue #14: the thread ends on whole sentences. An excerpt software cut short ("… [&#8230;]", "...", or Chinese
 * text that stops without its 。) ends on its last whole sentence; a "read more at <link>" tail, NRK's app link and a
 * "please click here" without anything to click go; a page's <title> inside a description is a heading of its own.
 */
import { describe, expect, it } from 'vitest';
import { removeBoilerplate } from '../../src/clean/boilerplate.js';
import { cleanBody, type BodyField, type BodyParagraph } from '../../src/clean/index.js';
import { wholeSentences } from '../../src/clean/select-body.js';
import { canonicalUrl } from '../../src/sources/canonical-url.js';
import { htmlToBody } from '../../src/sources/plain-text.js';

const p = (...runs: Array<[string, string?]>): BodyParagraph => runs.map(([text, href]) => (href ? { text, href } : { text }));
const texts = (paragraphs: BodyParagraph[]) => paragraphs.map((q) => q.map((r) => r.text).join(''));
const summary = (...paragraphs: string[]): BodyField => ({ field: 'description', role: 'summary', read: () => paragraphs.map((t) => p([t])) });

describe('an excerpt cut by software ends on its last whole sentence', () => {
  it.each([
    ['[…] mark', 'Two witnesses gave evidence today. The men pleaded not guilty to murder and robbery in the circuit court [\u2026]'],
    ['three dots', 'Two witnesses gave evidence today. The men pleaded not guilty to murder and robbery in the circu...'],
    ['ellipsis glued to a word', 'Two witnesses gave evidence today. The men pleaded not guilty, written\u2026'],
  ])('%s', (_what, text) => {
    expect(cleanBody([summary(text)], { title: 'Trial goes on' }).summary).toBe('Two witnesses gave evidence today.');
  });

  it('keeps the last sentence when the mark comes right after it', () => {
    for (const mark of ['[&hellip;]', '[\u2026]', '...']) {
      const text = `Two witnesses gave evidence today. The men pleaded not guilty to all charges. ${mark}`;
      expect(cleanBody([summary(text)], { title: 'Trial goes on' }).summary).toBe('Two witnesses gave evidence today. The men pleaded not guilty to all charges.');
    }
  });

  it('ends a cut full content on a whole sentence only when its lead reaches the cut', () => {
    const content = (...paragraphs: string[]): BodyField => ({ field: 'content:encoded', role: 'content', read: () => paragraphs.map((t) => p([t])) });
    const long = `${'A third paragraph that is long. '.repeat(30)}And then it was cut [\u2026]`;
    const body = cleanBody([summary('Court'), content('The trial opened on Monday morning in the circuit court.', 'Both men pleaded not guilty to all charges.', long)], { title: 'Trial' });
    expect(body.summary).toBe('The trial opened on Monday morning in the circuit court.\n\nBoth men pleaded not guilty to all charges.');
  });

  it('drops a last paragraph that is one unfinished sentence when paragraphs before it remain', () => {
    const body = cleanBody([summary('A Tokyo court has ordered a publisher to suspend a book.', 'Published last year, "Nippon Kaigi no Kenkyu", written\u2026')], { title: 'Court order' });
    expect(body.summary).toBe('A Tokyo court has ordered a publisher to suspend a book.');
  });

  it('keeps a text that is one unfinished sentence, with its "…"', () => {
    expect(texts(wholeSentences([p(['The island ferry will leave every forty minutes from the first of\u2026'])]))).toEqual([
      'The island ferry will leave every forty minutes from the first of\u2026',
    ]);
  });

  it('does not take an abbreviation for a sentence end', () => {
    expect(texts(wholeSentences([p(['Dr. Smith and the board e.g. agreed on the plan [\u2026]'])]))).toEqual(['Dr. Smith and the board e.g. agreed on the plan [\u2026]']);
  });

  it('ends Chinese text that stops without its 。 on its last whole sentence', () => {
    const text = '又是一年9.18，求是网带您一起回顾这些话！为什么要崇尚英雄？实现中华民族伟大';
    expect(cleanBody([summary(text)], { title: '崇尚英雄', language: 'zh-CN' }).summary).toBe('又是一年9.18，求是网带您一起回顾这些话！为什么要崇尚英雄？');
  });

  it('leaves whole text alone', () => {
    const text = 'Two witnesses gave evidence today. The men pleaded not guilty.';
    expect(cleanBody([summary(text)], { title: 'Trial goes on' }).summary).toBe(text);
  });
});

describe('boilerplate found on real feeds', () => {
  it('"Leia mais no <link>!" goes, a sentence that mentions reading more stays', () => {
    const body = [p(['No momento do acidente, ele empurrava um carro. Leia mais no '], ['Massa News', 'http://massanews.com/x'], ['!'])];
    expect(texts(removeBoilerplate(body).paragraphs)).toEqual(['No momento do acidente, ele empurrava um carro.']);
    const prose = [p(['The council says residents can read more at the library.'])];
    expect(texts(removeBoilerplate(prose).paragraphs)).toEqual(['The council says residents can read more at the library.']);
  });

  it("NRK's app link and Spanish WordPress's \"Continúa leyendo <title>\" link go", () => {
    const nrk = [p(['Høydepunkter fra 2022 - nr.11. '], ['Hør episoden i appen NRK Radio', 'https://radio.nrk.no/podkast/x'])];
    expect(texts(removeBoilerplate(nrk).paragraphs)).toEqual(['Høydepunkter fra 2022 - nr.11.']);
    const es = [p(['Venezuela, con las mayores reservas, así \u2026 '], ['Continúa leyendo El potencial de Venezuela', 'https://example.org/venezuela'])];
    expect(texts(removeBoilerplate(es).paragraphs)).toEqual(['Venezuela, con las mayores reservas, así \u2026']);
  });

  it('a last sentence that only says "click here", with nothing to click, goes whole; "click here" in other prose stays', () => {
    expect(texts(removeBoilerplate([p(['This article has moved, please click here'])]).paragraphs)).toEqual([]);
    expect(texts(removeBoilerplate([p(['Forms are easy. To register for the event, click here.'])]).paragraphs)).toEqual(['Forms are easy.']);
    for (const prose of ['He told reporters: "I never click here."', 'You can complete the whole form with a single click here and there.']) {
      expect(texts(removeBoilerplate([p([prose])]).paragraphs)).toEqual([prose]);
    }
  });

  it("a page's <title> pasted into a description is a paragraph of its own, so its repeat of the title goes", () => {
    const html = '<a href="http://apod.nasa.gov/x.html"><img src="a.jpg"/></a>\n<title>Venus, Moon, and the Smoking Mountain</title>\n\nVenus has returned as a morning star.';
    const field: BodyField = { field: 'description', role: 'summary', read: () => htmlToBody(html) };
    expect(cleanBody([field], { title: 'Venus, Moon, and the Smoking Mountain' }).summary).toBe('Venus has returned as a morning star.');
  });
});

describe('links escaped twice', () => {
  it('reads "&amp;" between query parameters as "&", so tracking parameters behind it go too', () => {
    const r = canonicalUrl('https://aeromagazine.uol.com.br/artigo/a.html?utm_source=Feed%20UOL&amp;utm_medium=site&amp;xid=2310');
    expect(r).toEqual({ ok: true, url: 'https://aeromagazine.uol.com.br/artigo/a.html?xid=2310', identity: '//aeromagazine.uol.com.br/artigo/a.html?xid=2310' });
  });
});
