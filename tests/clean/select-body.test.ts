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
