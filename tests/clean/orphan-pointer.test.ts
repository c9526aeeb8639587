import { describe, expect, it } from 'vitest';
import { withoutOrphanPointers } from '../../src/clean/orphan-pointer.js';
import type { BodyParagraph } from '../../src/clean/types.js';

const para = (text: string): BodyParagraph => [{ text }];
const texts = (paragraphs: BodyParagraph[]) => paragraphs.map((q) => q.map((r) => r.text).join(''));

describe('a sentence pointing at a picture that is gone', () => {
  it('removes the sentence before a paragraph that comments on the picture (netnewswire/OneFootTsunami.atom)', () => {
    const body = [
      para(
        'Let’s say that you wanted to get from Dayton, Ohio to central New Jersey, as friend of the site Chris DiNoia recently wanted to do. On United.com, you might select Newark as your destination, and get a result like this:',
      ),
      para('$353 is rather pricey for a one-way flight. Let’s check some other options.'),
    ];
    expect(texts(withoutOrphanPointers(body))).toEqual([
      'Let’s say that you wanted to get from Dayton, Ohio to central New Jersey, as friend of the site Chris DiNoia recently wanted to do.',
      '$353 is rather pricey for a one-way flight. Let’s check some other options.',
    ]);
  });

  it('removes a paragraph that is only the pointer (feedjira/SignalvsNoise.xml), and one that ends the text', () => {
    const body = [
      para('When we launched the new Highrise site, we had a block in the middle of the page that looked like this:'),
      para('Three “cards” as we call them. Each card highlighting a major feature of Highrise.'),
      para('Here is the new one. It looks like this:'),
    ];
    expect(texts(withoutOrphanPointers(body))).toEqual(['Three “cards” as we call them. Each card highlighting a major feature of Highrise.', 'Here is the new one.']);
  });

  it.each([
    [
      // feedjira/json_feed.json, "Frontier Diary #7": the colon introduces the rest of the sentence.
      'an explanation going on after the colon',
      [
        'OrigFrontier was written in C, which has no error-throwing mechanism, and so it worked like this: most runtime functions returned a boolean (for success or failure), and the return value was passed in by reference.',
        'If there was an error, the function would set a global error variable and return false.',
      ],
    ],
    [
      // feedjira/json_feed.json, "My CocoaConf Yosemite 2017 Talk": what the sentence shows follows, line by line.
      'lyrics after "It went like this:"',
      ['The bit with Laura Savino was a quick three-chord rock medley. We both played acoustic guitar and sang. It went like this:', 'B: Louie Louie, oh baby, we gotta go\nL: Yeah yeah yeah yeah yeah'],
    ],
    [
      // miniflux/large_rss.xml, "Video acceleration in Jellyfin inside a Proxmox container": the code follows.
      'code after "it looks like this:"',
      [
        'To attain it, one can mess around cryptic gid mappings, but granting every user on the hypervisor the right to read/write /dev/dri/renderD128 and /dev/dri/card0 is way easier, and it looks like this:',
        "# cat > /etc/udev/rules.d/99-intel-chmod666.rules << 'EOF'",
      ],
    ],
  ])('keeps %s', (_what, paragraphs) => {
    expect(texts(withoutOrphanPointers(paragraphs.map(para)))).toEqual(paragraphs);
  });
});
