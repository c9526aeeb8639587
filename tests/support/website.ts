import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

/**
 * A small news site on 127.0.0.1 for end-to-end tests: a feed, article pages with Open Graph tags,
 * and images (made here with sharp, so no binary fixtures are committed).
 */
export interface Article {
  slug: string;
  title: string;
  summary: string;
  /** Serve an og:image for the card. */
  ogImage?: boolean;
  /** Put an image with this alt text in the feed item as Media RSS (the post then carries it, not a card). */
  imageAlt?: string;
  tags?: string[];
}

export interface Website {
  url: string;
  feedUrl: string;
  articles: Article[];
  /** Replace the feed's articles (newest first). */
  setArticles(articles: Article[]): void;
  /** Path and query of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export async function startWebsite(initial: Article[]): Promise<Website> {
  let articles = initial;
  const requests: string[] = [];
  const image = await sharp({ create: { width: 1600, height: 900, channels: 3, background: { r: 40, g: 120, b: 90 } } })
    .png()
    .toBuffer();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    requests.push(path + url.search);
    if (path === '/feed.xml') {
      res.setHeader('content-type', 'application/rss+xml; charset=utf-8');
      res.end(rss(site.url, articles));
      return;
    }
    const article = articles.find((a) => path === `/articles/${a.slug}/`);
    if (article) {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        `<!doctype html><html><head><title>${escape(article.title)}</title>` +
          `<meta property="og:title" content="${escape(article.title)}">` +
          `<meta property="og:description" content="${escape(article.summary.slice(0, 150))}">` +
          (article.ogImage ? `<meta property="og:image" content="/images/${article.slug}.png">` : '') +
          `</head><body><p>${escape(article.summary)}</p></body></html>`,
      );
      return;
    }
    if (path.startsWith('/images/')) {
      res.setHeader('content-type', 'image/png');
      res.end(image);
      return;
    }
    res.statusCode = 404;
    res.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const site: Website = {
    url: `http://127.0.0.1:${port}`,
    feedUrl: `http://127.0.0.1:${port}/feed.xml`,
    get articles() {
      return articles;
    },
    setArticles(next) {
      articles = next;
    },
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return site;
}

function rss(base: string, articles: Article[]): string {
  const items = articles
    .map(
      (a, i) => `<item>
  <title>${escape(a.title)}</title>
  <link>${base}/articles/${a.slug}/</link>
  <guid isPermaLink="false">${a.slug}</guid>
  <pubDate>${new Date(Date.UTC(2026, 10, 20, 12, 0) - i * 3_600_000).toUTCString()}</pubDate>
  ${(a.tags ?? []).map((t) => `<category>${escape(t)}</category>`).join('')}
  <description>${escape(a.summary)}</description>
  ${a.imageAlt !== undefined ? `<media:content url="${base}/images/${a.slug}.png" medium="image" type="image/png"><media:description>${escape(a.imageAlt)}</media:description></media:content>` : ''}
</item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Local test site</title><link>${base}/</link><description>Articles for tests</description>${items}</channel></rss>`;
}
