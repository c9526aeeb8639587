import { describe, expect, it } from 'vitest';
import { stripBoilerplate } from '../../src/clean/boilerplate.js';
import { contactBlockStart } from '../../src/clean/contact-block.js';

/** Texts are the corpus's own, as the sources hand them to cleaning (HTML line breaks joined into the paragraph). */
describe('a closing contact block', () => {
  it.each([
    [
      // tests/fixtures/corpus/podcast-parser/uyd.xml, "Episode 617 Nov 28th 2017": on all 200 episodes.
      'a podcast\'s site, profile links and phone number',
      'Old souls. Late bloomers. http://uhhyeahdude.com https://www.patreon.com/UHHYEAHDUDE?ty=h http://twitter.com/UhhYeahDude http://www.facebook.com/AmericasPodcast 888 842 2357',
      'Old souls. Late bloomers.',
    ],
    [
      // tests/fixtures/corpus/rss-parser/customfields.rss, the ISUZU mu-X item: the lead-in left without its data goes too.
      'links after a lead-in ending in a dash',
      'The company has dedicated dealer outlets, strategically located in 28 locations across the country. For more information on the company, and its products/services, please visit - www.isuzu.in, www.isuzumux.in, www.facebook.com/Isuzumuxindia',
      'The company has dedicated dealer outlets, strategically located in 28 locations across the country.',
    ],
    [
      // tests/fixtures/corpus/capyreader/feed-npr-world.json, "Eggs and Bananas": a glued sentence ("org.Email").
      'an e-mail address after "Email us at"',
      'For sponsor-free episodes of Consider This, sign up for Consider This+ via Apple Podcasts or at plus.npr.org.Email us at considerthis@npr.org.',
      'For sponsor-free episodes of Consider This, sign up for Consider This+ via Apple Podcasts or at plus.npr.org.',
    ],
  ])('removes %s', (_what, text, expected) => {
    expect(stripBoilerplate(text)).toBe(expected);
  });

  it('starts the block after the words before it, a music credit included (podcast-parser/uyd.xml, "Episode 616")', () => {
    const kept = 'Bad boy bone trainers. outro: Dino // Harmonia';
    const text = `${kept} http://uhhyeahdude.com https://www.patreon.com/UHHYEAHDUDE?ty=h http://twitter.com/UhhYeahDude http://www.facebook.com/AmericasPodcast 888 842 2357`;
    expect(contactBlockStart(text)).toBe(kept.length + 1);
  });

  it.each([
    [
      // tests/fixtures/corpus/node-podcast-parser/coding-blocks.xml, "Our Favorite Developer Tools for 2015": links to
      // tools, no contact data.
      'a list of links to tools',
      "Also has a timeline so it's easier to see the relationship between frames automatically\nAlternatives:\nhttp://www.justinmind.com/\nhttp://www.axure.com/",
    ],
    [
      // tests/fixtures/corpus/dffml/mastodon-pdxjohnny.rss: one link to a post, even on a social network.
      'one link closing a line',
      'Prev: https://twitter.com/pdxjohnny/status/1585488415864557568',
    ],
    [
      // tests/fixtures/corpus/netnewswire/russcox.atom, "An Encoded Tree Traversal": the writer's own request.
      'an e-mail address inside the writer\'s sentence',
      'If you know of references to this ordering, please leave a comment or email me (rsc@swtch.com).',
    ],
    ['a sentence ending on one link', 'The slides of the talk are at https://example.org/slides'],
  ])('keeps %s', (_what, text) => {
    expect(stripBoilerplate(text)).toBe(text);
    expect(contactBlockStart(text)).toBeUndefined();
  });
});
