import { prng } from './prng.js';

/**
 * Random RSS, Atom and RDF documents made of the fragments feed readers disagree on: entities (HTML ones too),
 * CDATA, comments, markup inside text, empty and repeated elements, upper-case names, namespace prefixes bound
 * to other URIs, xhtml text with and without one wrapping div, CRLF line ends. Well-formed, so that every parser
 * reads the same elements.
 */
export function randomFeed(seed: number): string {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const some = (n: number, make: () => string) => Array.from({ length: Math.floor(rand() * (n + 1)) }, make).join('');
  const maybe = (s: string, p = 0.5) => (rand() < p ? s : '');

  const texts = [
    'Plain words',
    '  padded  ',
    'Tom &amp; Jerry',
    'a&nbsp;b &copy; 2024 &#x2014; &#8212;',
    '&amp;lt;b&amp;gt;double',
    '&lt;p&gt;escaped &lt;b&gt;html&lt;/b&gt;&lt;/p&gt;',
    '<![CDATA[<p>in CDATA &amp; raw</p>]]>',
    'before <![CDATA[ & ]]> after',
    'x <!-- comment --> y',
    '<![CDATA[a <!-- in cdata --> b]]>',
    '',
    ' ',
    'line\r\nbreak\rthere',
    '&copy no semicolon',
    'http://example.com/a?b=1&amp;c=2',
  ];
  const text = () => pick(texts);
  const url = () => pick(['http://example.com/a', ' https://example.com/b?x=1&amp;y=2 ', 'relative/path', '', 'http://example.com/p.jpg']);
  const type = () => pick(['image/jpeg', ' image/png ', 'audio/mpeg', 'IMAGE/GIF', '']);
  const dcPrefix = pick(['dc', 'd', 'DC', 'dc']);
  const mediaPrefix = pick(['media', 'm', 'media']);
  const dcUri = pick(['http://purl.org/dc/elements/1.1/', 'https://purl.org/dc/elements/1.1', 'http://purl.org/dc/terms/', 'http://example.com/dc']);
  const mediaUri = pick(['http://search.yahoo.com/mrss/', 'http://example.com/m', 'http://www.rssboard.org/media-rss']);
  const ns = `${maybe(` xmlns:${dcPrefix}="${dcUri}"`, 0.8)}${maybe(` xmlns:${mediaPrefix}="${mediaUri}"`, 0.8)} xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dcterms="http://purl.org/dc/terms/"`;
  const name = (n: string) => (rand() < 0.1 ? n.toUpperCase() : n);
  const el = (n: string, body: string, attrs = '') => {
    const tag = name(n);
    return rand() < 0.1 && !body ? `<${tag}${attrs}/>` : `<${tag}${attrs}>${body}</${tag}>`;
  };
  const lang = () => maybe(` xml:lang="${pick(['en', ' fr ', 'de-AT', ''])}"`, 0.3) + maybe(` xml:base="${url()}"`, 0.2);

  const media = (depth = 0): string =>
    pick([
      el(`${mediaPrefix}:description`, text(), maybe(` type="${pick(['html', 'plain'])}"`)),
      el(`${mediaPrefix}:title`, text()),
      el(`${mediaPrefix}:thumbnail`, '', ` url="${url()}"`),
      el(`${mediaPrefix}:content`, depth < 1 ? some(2, () => media(depth + 1)) : '', ` url="${url()}"${maybe(` type="${type()}"`)}${maybe(' medium="image"')}`),
      el(`${mediaPrefix}:group`, some(3, () => pick([el(`${mediaPrefix}:content`, '', ` url="${url()}" medium="image"`), el(`${mediaPrefix}:description`, text()), el(`${mediaPrefix}:thumbnail`, '', ` url="${url()}"`)]))),
    ]);
  const dcField = () => el(`${dcPrefix}:${pick(['title', 'description', 'date', 'subject', 'language', 'creator'])}`, text());

  const rssItem = () =>
    el(
      'item',
      some(8, () =>
        pick([
          el('title', text()),
          el('link', url()),
          el('description', text()),
          el('guid', pick([url(), text()]), maybe(` isPermaLink="${pick(['false', 'true', ' FALSE ', 'no'])}"`)),
          el('pubDate', pick(['Mon, 01 Jan 2024 10:00:00 GMT', ' ', '2024-01-01'])),
          el('category', text(), maybe(' domain="d"')),
          el('enclosure', '', ` url="${url()}" type="${type()}"`),
          el('content:encoded', text()),
          el('itunes:summary', text()),
          el('itunes:subtitle', text()),
          el('atom:link', '', ` href="${url()}"${maybe(` rel="${pick(['alternate', 'self', 'enclosure'])}"`)}${maybe(' type="text/html"')}`),
          el('atom:updated', text()),
          el('comments', text()),
          dcField(),
          media(),
          el('foo', text()),
        ]),
      ),
      lang(),
    );

  const textType = () => maybe(` type="${pick(['text', 'html', 'xhtml', 'XHTML', 'application/xhtml+xml', 'text/plain', 'image/png'])}"`, 0.8);
  const xhtml = () =>
    pick([
      text(),
      '<div xmlns="http://www.w3.org/1999/xhtml"><p>One &amp; <b>two</b></p></div>',
      ' <x:div xmlns:x="http://www.w3.org/1999/xhtml"><x:p>p</x:p> &nbsp;</x:div> ',
      '<div>a <![CDATA[<i>&</i>]]></div>',
      '<div/>',
      '<div>one</div><div>two</div>',
      '<div>lead</div> tail',
      '<!-- c --><div>x</div>',
      '<p>no div</p>',
    ]);
  const atomEntry = (p: string) =>
    el(
      `${p}entry`,
      some(7, () =>
        pick([
          el(`${p}id`, text()),
          el(`${p}title`, xhtml(), textType()),
          el(`${p}summary`, xhtml(), textType()),
          el(`${p}content`, xhtml(), textType() + maybe(` src="${url()}"`, 0.15)),
          el(`${p}link`, maybe(url(), 0.2), maybe(` href="${url()}"`, 0.9) + maybe(` rel="${pick(['alternate', 'enclosure', 'related'])}"`) + maybe(` type="${pick(['text/html', 'image/png', 'application/json'])}"`)),
          el(`${p}published`, text()),
          el(`${p}updated`, text()),
          el(`${p}category`, '', maybe(` term="${text()}"`, 0.8)),
          el('itunes:summary', text()),
          dcField(),
          media(),
        ]),
      ),
      lang(),
    );

  const kind = pick(['rss', 'rss', 'atom', 'rdf']);
  let doc: string;
  if (kind === 'rss') {
    const channel = some(3, () => pick([el('title', text()), el('link', url()), el('language', text()), dcField(), el('atom:link', '', ` rel="self" href="${url()}"`)]));
    doc = `<rss version="2.0"${ns}${lang()}><channel>${channel}${some(6, rssItem)}${channel && maybe(el('title', text()))}</channel>${maybe(rssItem(), 0.1)}</rss>`;
  } else if (kind === 'atom') {
    const p = pick(['', '', 'a:']);
    const root = p ? `${p}feed xmlns:a="http://www.w3.org/2005/Atom"` : 'feed xmlns="http://www.w3.org/2005/Atom"';
    doc = `<${root}${ns}${lang()}>${maybe(el(`${p}title`, xhtml(), textType()))}${some(2, () => el(`${p}link`, '', ` href="${url()}"${maybe(` rel="${pick(['alternate', 'self'])}"`)}`))}${some(6, () => atomEntry(p))}</${p}feed>`;
  } else {
    const abouts = ['http://example.com/1', 'http://example.com/2', 'http://example.com/3'];
    const seq = maybe(`<items><rdf:Seq>${some(3, () => `<rdf:li rdf:resource="${pick(abouts)}"/>`)}</rdf:Seq></items>`);
    const item = () =>
      `<item${maybe(` rdf:about="${pick(abouts)}"`, 0.8)}${lang()}>${some(5, () => pick([el('title', text()), el('link', url()), el('description', text()), dcField(), el('dcterms:modified', text()), el('content:encoded', text()), media()]))}</item>`;
    doc = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"${ns}${lang()}><channel rdf:about="c">${maybe(el('title', text()))}${maybe(dcField())}${seq}</channel>${some(5, item)}</rdf:RDF>`;
  }
  return `<?xml version="1.0" encoding="utf-8"?>\n${doc}`;
}
