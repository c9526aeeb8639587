import { describe, expect, it } from 'vitest';
import { stripBoilerplate } from '../../src/clean/boilerplate.js';
import { musicCreditsStart } from '../../src/clean/music-credits.js';

/** Texts from tests/fixtures/corpus/podcast-parser/uyd.xml, as its HTML description joins them into one paragraph. */
describe('music credits closing an episode', () => {
  it.each([
    ['Episode 616', 'Bad boy bone trainers. outro: Dino // Harmonia', 'Bad boy bone trainers.'],
    [
      'Episode 612',
      'Hop in with Carol and Cammy, your auto soulmates, as they take you on a trip down the backroads of America. intro: Seven Days Drunk // Robert Savage outro: The Story of My Life // Guitar Slim',
      'Hop in with Carol and Cammy, your auto soulmates, as they take you on a trip down the backroads of America.',
    ],
    [
      'Episode 609, a song title with a colon of its own',
      "Our dearest of Amy's. intro: Grand Canyon Suite: III. On The Trail // Leonard Bernstein & New York Philharmonic Orchestra outro: Masterpiece // Grover Washington Jr",
      "Our dearest of Amy's.",
    ],
  ])('removes them (%s)', (_episode, text, expected) => {
    expect(stripBoilerplate(text)).toBe(expected);
  });

  it.each([
    ['credits followed by more text', 'Peak quaint and comfort.\n\nintro: The Night // Valerie Dore\nThanks for listening to the end.'],
    ['a credit without its " // "', 'Peak quaint and comfort. intro: The Night by Valerie Dore'],
    ['"Intro:" opening a sentence of prose', 'We start the year slowly. Intro: this week we look back at the river cleanup and its helpers.'],
  ])('keeps %s', (_what, text) => {
    expect(musicCreditsStart(text)).toBeUndefined();
    expect(stripBoilerplate(text)).toBe(text);
  });
});
