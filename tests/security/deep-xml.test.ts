import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/sources/parse-feed.js';
import { REPO, runCli, tempDir, writeFile } from '../support/cli.js';
import { feedRefusal } from '../support/feed-refusal.js';

// Issue #13: documents nested 50,000 deep used to end in "Maximum call stack size exceeded" from the recursive
// walk of the HTML converter, or in fast-xml-parser's bare "Maximum nested tags exceeded".
const DEPTH = 50_000;
const nested = (tag: string, depth = DEPTH) => `${`<${tag}>`.repeat(depth)}deep${`</${tag}>`.repeat(depth)}`;

const parseError = (body: string, location: string) => feedRefusal(body, location, 'deep');

describe('a feed nested too deep', () => {
  it('is refused with a permanent error naming the feed, for nesting in the channel', () => {
    const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${nested('x')}<item><title>ok</title><link>https://example.org/1</link></item></channel></rss>`;
    const err = parseError(xml, 'https://example.org/feed.xml?token=s3cret');
    expect(err.kind).toBe('permanent');
    expect(err.where).toBe('feed https://example.org/feed.xml?token=***');
    expect(err.message).toBe('feed https://example.org/feed.xml?token=***: the document nests elements more than 100 levels deep');
  });

  it('is refused the same way when the nesting is Atom xhtml content, which the XML parser keeps as raw text', () => {
    const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id><entry><id>urn:1</id><title>ok</title><link href="https://example.org/1"/><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">${nested('div')}</div></content></entry></feed>`;
    const err = parseError(atom, 'tests/deep-atom.xml');
    expect(err.kind).toBe('permanent');
    expect(err.message).toBe('feed tests/deep-atom.xml: the document nests elements more than 100 levels deep');
  });
});

describe('deep HTML inside a feed field', () => {
  it('costs only that field: the item keeps its title and link, and a problem says why', () => {
    const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
      <item><title>Kept</title><link>https://example.org/1</link><description><![CDATA[${nested('div')}]]></description><content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/"><![CDATA[<p>The full text.</p>]]></content:encoded></item>
      <item><title><![CDATA[${nested('b')}]]></title><link>https://example.org/2</link><description>Second.</description></item>
    </channel></rss>`;
    const feed = parseFeed(xml, { sourceId: 'deep', location: 'tests/deep-html.xml' });
    expect(feed.items.map((i) => [i.title, i.url, i.summary])).toEqual([
      ['Kept', 'https://example.org/1', 'The full text.'],
      [undefined, 'https://example.org/2', 'Second.'],
    ]);
    expect(feed.problems).toEqual([
      { where: 'feed tests/deep-html.xml, item 1 ("Kept")', message: 'summary ignored: its HTML nests elements more than 200 levels deep' },
      { where: 'feed tests/deep-html.xml, item 2', message: 'title ignored: its HTML nests elements more than 200 levels deep' },
    ]);
  });

  it('in a JSON Feed nested 50,000 deep elsewhere too: the item stays, without a stack overflow', () => {
    const deepArray = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
    const json = `{"version":"https://jsonfeed.org/version/1.1","title":"t","_ext":${deepArray},"items":[{"id":"1","url":"https://example.org/1","title":"Kept","_ext":${deepArray},"content_html":${JSON.stringify(nested('ul'))}}]}`;
    const feed = parseFeed(json, { sourceId: 'deep', location: 'tests/deep.json' });
    expect(feed.items.map((i) => [i.title, i.url, i.summary])).toEqual([['Kept', 'https://example.org/1', '']]);
    expect(feed.problems).toEqual([
      { where: 'feed tests/deep.json, item 1 ("Kept")', message: 'content ignored: its HTML nests elements more than 200 levels deep' },
    ]);
  });
});

describe('threadcast once with one feed nested too deep', { timeout: 120_000 }, () => {
  it('fails that source with a clear message and publishes the other feeds', async () => {
    const dir = tempDir();
    const deep = writeFile(dir, 'deep.xml', `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>x</title>${nested('x')}</item></channel></rss>`);
    const config = writeFile(
      dir,
      'threadcast.yaml',
      `store: sqlite:${path.join(dir, 'state.sqlite')}
sources:
  - id: deep
    feed: ${deep}
    backlog: all
  - id: sample
    feed: ${path.join(REPO, 'config/sample-feed.xml')}
    backlog: all
channels:
  - id: bsky
    platform: bluesky
`,
    );
    const once = await runCli(['--config', config, 'once'], { cwd: dir });
    expect(once.code).toBe(1);
    expect(once.stdout).toContain(`source deep: FAILED — feed ${deep}: the document nests elements more than 100 levels deep`);
    expect(once.stdout).toContain('source sample: 4 item(s), 4 new');
    expect(once.stdout).toContain('channel bsky: 4 recorded (dry-run), nothing posted');
    expect(`${once.stdout}${once.stderr}`).not.toMatch(/call stack|Maximum nested tags/i);
  });
});

describe('end tags that close nothing, over many open elements', () => {
  // The structure check takes `</a/>` for `</a>`; htmlparser2, and the scan that stands in for it, for an end tag
  // named "a/", which closes nothing: every <a> stays open and every end tag looked through all of them. 640 KB took
  // 8.9 s of the process; a 5 MiB feed, minutes. The bound is far above a linear read (tens of milliseconds).
  it('are read in linear time', () => {
    const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${'<a></a/>'.repeat(80_000)}<item><title>ok</title><link>https://example.org/1</link></item></channel></rss>`;
    const started = performance.now();
    parseFeed(xml, { sourceId: 'many', location: 'tests/many-end-tags.xml' });
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
