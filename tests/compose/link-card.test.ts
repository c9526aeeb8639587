import { describe, expect, it } from 'vitest';
import { extractLinkCard, truncateAtWord } from '../../src/compose/link-card.js';

const PAGE = 'https://news.example.com/2026/11/story.html';
const page = (head: string, body = '') => `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;

describe('extractLinkCard: Open Graph first', () => {
  it('reads og:title, og:description and og:image', () => {
    const html = page(`
      <title>Plain title | Site</title>
      <meta name="description" content="Plain description">
      <meta property="og:title" content="OG title">
      <meta property="og:description" content="OG description">
      <meta property="og:image" content="https://cdn.example.com/a.jpg">
      <meta name="twitter:title" content="Twitter title">`);
    expect(extractLinkCard(html, PAGE)).toEqual({
      title: 'OG title',
      description: 'OG description',
      imageUrl: 'https://cdn.example.com/a.jpg',
    });
  });

  it('accepts og:image:url and og:image:secure_url, preferring the https twin of an http image', () => {
    expect(extractLinkCard(page('<meta property="og:image:url" content="https://cdn.example.com/u.png">'), PAGE).imageUrl).toBe(
      'https://cdn.example.com/u.png',
    );
    expect(extractLinkCard(page('<meta property="og:image:secure_url" content="https://cdn.example.com/s.png">'), PAGE).imageUrl).toBe(
      'https://cdn.example.com/s.png',
    );
    const both = page(`<meta property="og:image" content="http://cdn.example.com/i.png">
      <meta property="og:image:secure_url" content="https://cdn.example.com/i.png">`);
    expect(extractLinkCard(both, PAGE).imageUrl).toBe('https://cdn.example.com/i.png');
  });

  it('takes the first og:image when a page lists several', () => {
    const html = page(`<meta property="og:image" content="/first.jpg"><meta property="og:image" content="/second.jpg">`);
    expect(extractLinkCard(html, PAGE).imageUrl).toBe('https://news.example.com/first.jpg');
  });

  it('reads og: keys given with name= instead of property=, in any case', () => {
    const html = page(`<META NAME="OG:TITLE" CONTENT="Shouty">`);
    expect(extractLinkCard(html, PAGE).title).toBe('Shouty');
  });
});

describe('extractLinkCard: fallbacks', () => {
  it('falls back to twitter:title / twitter:description / twitter:image', () => {
    const html = page(`
      <title>Plain</title>
      <meta name="twitter:title" content="Tw title">
      <meta name="twitter:description" content="Tw description">
      <meta name="twitter:image" content="//img.example.net/t.webp">`);
    expect(extractLinkCard(html, PAGE)).toEqual({
      title: 'Tw title',
      description: 'Tw description',
      imageUrl: 'https://img.example.net/t.webp',
    });
  });

  it('falls back to <title> and <meta name="description">, with no image', () => {
    const html = page(`<title>  Just a\n   title </title><meta name="description" content="Just a description.">`);
    expect(extractLinkCard(html, PAGE)).toEqual({ title: 'Just a title', description: 'Just a description.' });
  });

  it('skips empty og values for the next source', () => {
    const html = page(`<meta property="og:title" content="   "><title>Real title</title>`);
    expect(extractLinkCard(html, PAGE).title).toBe('Real title');
  });

  it('ignores an <svg><title> in the body, and returns nothing for a page without metadata', () => {
    expect(extractLinkCard(page('', '<svg><title>icon</title></svg><p>text</p>'), PAGE)).toEqual({});
    expect(extractLinkCard('', PAGE)).toEqual({});
    expect(extractLinkCard('not html at all', PAGE)).toEqual({});
  });

  it('uses <link rel="image_src"> as a last resort for the image', () => {
    expect(extractLinkCard(page('<link rel="image_src" href="/legacy.gif">'), PAGE).imageUrl).toBe('https://news.example.com/legacy.gif');
  });
});

describe('extractLinkCard: URLs', () => {
  it('resolves a relative og:image against the page URL', () => {
    expect(extractLinkCard(page('<meta property="og:image" content="../img/x.png">'), PAGE).imageUrl).toBe(
      'https://news.example.com/2026/img/x.png',
    );
  });

  it('resolves against <base href> when present', () => {
    const html = page('<base href="https://static.example.org/assets/"><meta property="og:image" content="pic.jpg">');
    expect(extractLinkCard(html, PAGE).imageUrl).toBe('https://static.example.org/assets/pic.jpg');
  });

  it('keeps only http(s) images', () => {
    for (const content of ['javascript:alert(1)', 'data:image/png;base64,AAAA', 'ftp://example.com/a.png', 'file:///etc/passwd']) {
      expect(extractLinkCard(page(`<meta property="og:image" content="${content}">`), PAGE).imageUrl, content).toBeUndefined();
    }
    const next = page('<meta property="og:image" content="data:image/png;base64,AAAA"><meta name="twitter:image" content="/ok.png">');
    expect(extractLinkCard(next, PAGE).imageUrl).toBe('https://news.example.com/ok.png');
  });
});

describe('extractLinkCard: text', () => {
  it('decodes entities (named, numeric, hex) and collapses whitespace including no-break spaces', () => {
    const html = page(`<meta property="og:title" content="Caf&eacute; &amp; Bar &#8212; &#x201C;open&#x201D;&nbsp;&nbsp;late">
      <meta property="og:description" content="Line one
        line&#9;two &lt;b&gt;">`);
    expect(extractLinkCard(html, PAGE)).toMatchObject({
      title: 'Café & Bar — “open” late',
      description: 'Line one line two <b>',
    });
  });

  it('decodes entities in <title> text', () => {
    expect(extractLinkCard(page('<title>Tom &amp; Jerry&#39;s</title>'), PAGE).title).toBe("Tom & Jerry's");
  });

  it('cuts the title at 300 and the description at 1000 characters, at a word boundary, with …', () => {
    const long = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
    const card = extractLinkCard(page(`<meta property="og:title" content="${long(100)}"><meta property="og:description" content="${long(400)}">`), PAGE);
    expect(Array.from(card.title!).length).toBeLessThanOrEqual(300);
    expect(Array.from(card.description!).length).toBeLessThanOrEqual(1000);
    expect(card.title).toMatch(/ word\d+…$/);
    expect(card.description).toMatch(/ word\d+…$/);
    expect(long(100).startsWith(card.title!.slice(0, -1))).toBe(true);
  });

  it('truncateAtWord: counts code points (emoji are one), hard-cuts a single long word, leaves short text alone', () => {
    expect(truncateAtWord('short', 10)).toBe('short');
    expect(truncateAtWord('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
    const emoji = '😀'.repeat(20);
    expect(truncateAtWord(emoji, 10)).toBe(`${'😀'.repeat(9)}…`);
    expect(truncateAtWord('alpha beta, gamma delta', 14)).toBe('alpha beta…');
  });

  it('stops at </head>: metadata in the body after it is not read', () => {
    const html = page('<title>Head title</title>', '<meta property="og:title" content="Body title">');
    expect(extractLinkCard(html, PAGE).title).toBe('Head title');
  });
});
