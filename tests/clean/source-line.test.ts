import { describe, expect, it } from 'vitest';
import { extractAttribution, readSourceLine } from '../../src/clean/source-line.js';

const read = (text: string) => {
  const found = readSourceLine(text);
  return found && { ...found.line, rest: found.rest };
};

describe('readSourceLine: the forms editors type', () => {
  it.each([
    [
      'author, outlet, date',
      'Maria Lopez, Harbour Herald, June 25 2019:… The island ferry will leave.',
      { attribution: 'Maria Lopez, Harbour Herald, June 25 2019', author: 'Maria Lopez', outlet: 'Harbour Herald', date: 'June 25 2019', rest: 'The island ferry will leave.' },
    ],
    [
      'outlet and date, no author',
      'Coastal Courier, June 22 2019:… A protected cycle lane now runs.',
      { attribution: 'Coastal Courier, June 22 2019', outlet: 'Coastal Courier', date: 'June 22 2019', rest: 'A protected cycle lane now runs.' },
    ],
    [
      'the comma between author and outlet missing',
      'Jonas Berg Harbour Herald, June 21 2019:… The central library will open.',
      { attribution: 'Jonas Berg Harbour Herald, June 21 2019', author: 'Jonas Berg', outlet: 'Harbour Herald', date: 'June 21 2019', rest: 'The central library will open.' },
    ],
    [
      'a double comma',
      'A. B. Okafor,, June 18 2019:… Repairs ended early.',
      { attribution: 'A. B. Okafor, June 18 2019', author: 'A. B. Okafor', date: 'June 18 2019', rest: 'Repairs ended early.' },
    ],
    [
      'author, outlet, city, country, date',
      'Helen Park, Northern Ledger, Harbour Town, Norway, June 18 2019:… The market moves.',
      {
        attribution: 'Helen Park, Northern Ledger, Harbour Town, Norway, June 18 2019',
        author: 'Helen Park',
        outlet: 'Northern Ledger',
        date: 'June 18 2019',
        rest: 'The market moves.',
      },
    ],
    [
      'outlet and text, no date',
      "Harbour Herald: The primary school's leaking roof will be replaced.",
      { attribution: 'Harbour Herald', outlet: 'Harbour Herald', rest: "The primary school's leaking roof will be replaced." },
    ],
    [
      '"By", a numeric date',
      'By Tom Reyes, Coastal Courier, 16/06/2019: Night buses will run again.',
      { attribution: 'Tom Reyes, Coastal Courier, 16/06/2019', author: 'Tom Reyes', outlet: 'Coastal Courier', date: '16/06/2019', rest: 'Night buses will run again.' },
    ],
    [
      '"By", no date',
      'By Lena Fischer, Harbour Herald: More than four hundred people joined.',
      { attribution: 'Lena Fischer, Harbour Herald', author: 'Lena Fischer', outlet: 'Harbour Herald', rest: 'More than four hundred people joined.' },
    ],
    [
      'a weekday and a time (the time\'s colon is not the end)',
      'Jane Doe, Example Times, Tuesday, June 25, 2019, 10:30: Council approves the plan.',
      {
        attribution: 'Jane Doe, Example Times, Tuesday, June 25, 2019, 10:30',
        author: 'Jane Doe',
        outlet: 'Example Times',
        date: 'Tuesday, June 25, 2019, 10:30',
        rest: 'Council approves the plan.',
      },
    ],
    [
      'a French date and a space before the colon',
      'Le Monde, 25 juin 2019 : Le gouvernement présente son plan.',
      { attribution: 'Le Monde, 25 juin 2019', outlet: 'Le Monde', date: '25 juin 2019', rest: 'Le gouvernement présente son plan.' },
    ],
    [
      'a Portuguese date and a particle in the outlet',
      'Folha de S.Paulo, 25 de junho de 2019: O governo apresentou o plano.',
      { attribution: 'Folha de S.Paulo, 25 de junho de 2019', outlet: 'Folha de S.Paulo', date: '25 de junho de 2019', rest: 'O governo apresentou o plano.' },
    ],
    [
      'a German date',
      'Eva Roth, Hafenblatt, 25. Juni 2019: Die Fähre fährt seltener.',
      { attribution: 'Eva Roth, Hafenblatt, 25. Juni 2019', author: 'Eva Roth', outlet: 'Hafenblatt', date: '25. Juni 2019', rest: 'Die Fähre fährt seltener.' },
    ],
    [
      'an ISO date',
      'Jane Doe, Example Times, 2019-06-25: Council approves the plan.',
      { attribution: 'Jane Doe, Example Times, 2019-06-25', author: 'Jane Doe', outlet: 'Example Times', date: '2019-06-25', rest: 'Council approves the plan.' },
    ],
    [
      'a wire agency by its one-word name',
      'Reuters: The company said it would appeal.',
      { attribution: 'Reuters', outlet: 'Reuters', rest: 'The company said it would appeal.' },
    ],
    [
      'an outlet whose name starts like one ("The"), not split into author and outlet',
      'The New York Times, June 22 2019: The city council voted.',
      { attribution: 'The New York Times, June 22 2019', outlet: 'The New York Times', date: 'June 22 2019', rest: 'The city council voted.' },
    ],
    [
      'a weekday word inside an outlet name ("The Sun")',
      'The Sun, June 22 2019: Text here.',
      { attribution: 'The Sun, June 22 2019', outlet: 'The Sun', date: 'June 22 2019', rest: 'Text here.' },
    ],
  ])('reads %s', (_form, text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  it('says where the text after the source line starts, past a "…" lead-in', () => {
    const text = 'Coastal Courier, June 22 2019:… A protected cycle lane.';
    const found = readSourceLine(text)!;
    expect(text.slice(found.restStart)).toBe('A protected cycle lane.');
  });

  it('keeps the older shape for extractAttribution', () => {
    expect(extractAttribution('Jane Doe, Example Times, June 25 2019:… Council approves the plan.')).toEqual({
      attribution: 'Jane Doe, Example Times, June 25 2019',
      rest: 'Council approves the plan.',
    });
  });
});

describe('readSourceLine: sentences that stay body text', () => {
  it.each([
    'Warning: the road is closed',
    'Warning: The road is closed.',
    'Update: The meeting moved to Thursday.',
    'Breaking News: A fire broke out near the quay.',
    'Our View: We should act now.',
    "Editor's Note: This story was corrected.",
    'Ukraine: Russian forces advance near Kharkiv.',
    'Harbour Herald: the school is shut.',
    'Harbour Herald: Closed',
    'Giganten-Hochzeit in den USA: Der Computerkonzern IBM übernimmt Red Hat.',
    'Taverncast tosses around the age old topic: time travel! Where would you go?',
    'xxx: есть у кого жаба программер',
    'seth wrote:\n\nIt is also an awesome way to trash your local database.',
    'However, in Paris, people said: yes',
    'First, second, third: a list',
    'Jane Doe, Example Times, soon: not a date',
    'However, June 2019: the council met.',
    'Published June 25 2019: text',
    'June 25 2019: a date names no source',
    'We met Jane. Doe, Times, June 2019: a sentence first',
    'Note: Jane Doe, Example Times, June 25 2019: too late',
    'Jane Doe, Example Times, June 25 2019:',
    'See https://example.org/a: Then text.',
    `${'x'.repeat(190)}, Example Times, June 25 2019: beyond the first 200 characters`,
    'Jane Doe, Example Times\nJune 25 2019: not on the first line',
  ])('does not take %j for a source line', (text) => {
    expect(readSourceLine(text)).toBeUndefined();
  });

  it('reads a long hostile first line without backtracking for long', () => {
    const hostile = `${'Aa, '.repeat(40)}${'June 25 '.repeat(5)}:${' x'.repeat(50_000)}`;
    const started = Date.now();
    readSourceLine(hostile);
    readSourceLine(`${'By '.repeat(60)}:${' Word'.repeat(50_000)}`);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('readSourceLine: a paragraph that is only a byline', () => {
  it.each([
    // rss-parser/many-links.rss (Google Testing Blog), "The Inquiry Method for Test Planning".
    ['by Anthony Vallone', 'Anthony Vallone'],
    // rss-parser/uolNoticias.rss, a Reuters story with two authors.
    ['Por Matt Spetalnick e Jason Szep', 'Matt Spetalnick e Jason Szep'],
    // node-podcast-parser/neo4j.xml, once the title echo before it is gone.
    ['by The Neo4j Graph Database Community', 'The Neo4j Graph Database Community'],
  ])('reads %j', (text, name) => {
    expect(readSourceLine(text)).toEqual({ line: { attribution: name, author: name }, restStart: text.length, rest: '' });
  });

  it.each(['By Design', 'By the way, the ferry is late.', 'by popular demand', 'By Anthony Vallone\nupdated: July 2016'])('keeps %j as text', (text) => {
    expect(readSourceLine(text)).toBeUndefined();
  });
});
