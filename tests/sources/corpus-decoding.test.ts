import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/sources/decode-body.js';
import { parseFeed } from '../../src/sources/parse-feed.js';

/**
 * Every feed of the real-feed corpus (tests/fixtures/corpus/SOURCES.md) decodes from its bytes, as a fetched feed
 * would, and parses, with no mojibake in titles and summaries. Files are read as bytes with no Content-Type: the BOM, the XML declaration or detection decide.
 */
const root = 'tests/fixtures/corpus';
const files = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(root, d.name)).map((name) => join(root, d.name, name)))
  .filter((path) => !/(?:^|\/)LICENSE$|\.md$/.test(path))
  .sort();

/** What UTF-8 read as latin1/windows-1252 looks like ("é" → "Ã©", "п" → "Ð¿", "’" → "â€™"), and U+FFFD. */
const MOJIBAKE = /\uFFFD|[ÂÃ][\u0080-\u00BF€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]|[ÐÑ][\u0080-\u00BF]|â€/;

/** For a file in a legacy encoding (named in its XML declaration only), the script its text must show. */
const LEGACY_SCRIPT: Record<string, RegExp> = {
  'windows-1251': /\p{Script=Cyrillic}/u,
  gb2312: /\p{Script=Han}/u,
  'iso-8859-7': /\p{Script=Greek}/u,
  'iso-8859-1': /[À-ÖØ-öø-ÿ]/,
};

const declaredEncoding = (bytes: Buffer) =>
  /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/.exec(bytes.subarray(0, 300).toString('latin1'))?.[1]?.toLowerCase();

describe('the real-feed corpus decodes and parses', () => {
  it('holds feeds to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(108);
  });

  it.each(files)('%s', (path) => {
    const bytes = readFileSync(path);
    const feed = parseFeed(decodeBody(bytes), { sourceId: 'corpus', location: path });
    expect(feed.items.length).toBeGreaterThan(0);

    const titles = [feed.title ?? '', ...feed.items.map((i) => i.title ?? '')];
    for (const title of titles) expect(title).not.toMatch(MOJIBAKE);
    const text = [...titles, ...feed.items.map((i) => i.summary ?? '')].join('\n');
    expect(text).not.toMatch(MOJIBAKE);

    const encoding = declaredEncoding(bytes);
    // A legacy label on pure ASCII (Slashdot's iso-8859-1) has no characters of its script to find.
    const hasHighBytes = bytes.some((b) => b > 0x7f);
    if (encoding && encoding !== 'utf-8' && hasHighBytes) {
      const script = LEGACY_SCRIPT[encoding];
      expect(script, `no expected script listed for a corpus file in ${encoding}`).toBeDefined();
      expect(text).toMatch(script!);
    }
  });
});
