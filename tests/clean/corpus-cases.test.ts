/**
 * Whole items of the real-feed corpus through the cleaning stage (cleanBody): the fields as the sources hand them
 * over, and what is left to announce. Each case names its feed under tests/fixtures/corpus.
 */
import { describe, expect, it } from 'vitest';
import { cleanBody, type BodyField, type BodyParagraph } from '../../src/clean/index.js';

const field = (name: string, role: 'summary' | 'content', ...paragraphs: BodyParagraph[]): BodyField => ({ field: name, role, read: () => paragraphs });
const para = (text: string, href?: string): BodyParagraph => [href ? { text, href } : { text }];

describe('cleanBody on real items', () => {
  it('turns "<title> by <name>" into the attribution, and the clipped subtitle into nothing (node-podcast-parser/neo4j.xml)', () => {
    const title = 'Podcast Interview With Paul Jongsma, Webtic';
    const fields = [
      field('description', 'summary', para(`${title} by The Neo4j Graph Database Community`)),
      field('itunes:summary', 'summary', para(`${title} by The Neo4j Graph Database Community`)),
      field('itunes:subtitle', 'summary', para(`${title} by Th…`)),
    ];
    expect(cleanBody(fields, { title })).toEqual({
      summary: '',
      source: { attribution: 'The Neo4j Graph Database Community', author: 'The Neo4j Graph Database Community' },
    });
  });

  it('ends a podcast episode on its own words, without the contact block and music credits (podcast-parser/uyd.xml, "Episode 615")', () => {
    const block = 'http://uhhyeahdude.com https://www.patreon.com/UHHYEAHDUDE?ty=h http://twitter.com/UhhYeahDude http://www.facebook.com/AmericasPodcast 888 842 2357';
    const fields = [
      field('description', 'summary', para(`Peak quaint and comfort. intro: The Night // Valerie Dore ${block}`)),
      field('itunes:summary', 'summary', para('Peak quaint and comfort.'), para('intro: The Night // Valerie Dore'), para(block)),
    ];
    expect(cleanBody(fields, { title: 'Episode 615 Nov 20th 2017' }).summary).toBe('Peak quaint and comfort.');
  });

  it('ends an excerpt cut before "[read more]" on its last whole sentence (netnewswire/donthitsave.xml, "Budgets")', () => {
    const item = 'https://donthitsave.com/comic/2019/05/17/budgets';
    const fields = [
      field(
        'description',
        'summary',
        para("It's time I woke up before dawn again."),
        para('Voluntarily.'),
        [
          { text: '• A decade ago, I woke up every morning at 4:30 in order to go running. I did this for over two years. This lasted until I... ' },
          { text: '[read more]', href: item },
        ],
      ),
    ];
    expect(cleanBody(fields, { title: 'Budgets', itemUrl: item }).summary).toBe(
      "It's time I woke up before dawn again.\n\nVoluntarily.\n\n• A decade ago, I woke up every morning at 4:30 in order to go running. I did this for over two years.",
    );
  });
});
