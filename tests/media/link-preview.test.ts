import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchLinkPreview, type LinkPreviewOptions } from '../../src/media/link-preview.js';
import { noisyJpeg, solidPng, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let problems: string[];

const opts = (over: Partial<LinkPreviewOptions> = {}): LinkPreviewOptions => ({
  timeoutMs: 3_000,
  maxPageBytes: 1_000_000,
  maxImageBytes: 20_000_000,
  allowPrivateHosts: ['127.0.0.1', 'localhost'],
  thumbMaxBytes: 1_000_000,
  onProblem: (p) => problems.push(p),
  ...over,
});

const html = (head: string) => `<!doctype html><html><head><meta charset="utf-8">${head}</head><body><p>Body</p></body></html>`;

beforeAll(async () => {
  server = await startServer();
  const photo = await noisyJpeg(3000, 2000); // several MB: must be re-encoded to fit a 1,000,000-byte thumb
  const logo = await solidPng(300, 300, 0.4);
  const page = (body: string | Buffer, type = 'text/html; charset=utf-8') => (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': type });
    res.end(body);
  };
  server.route(
    '/article',
    page(
      html(`<title>Fallback</title>
        <meta property="og:title" content="Rivers &amp; roads">
        <meta property="og:description" content="A long   walk along the river.">
        <meta property="og:image" content="/img/cover.jpg">`),
    ),
  );
  server.route('/img/cover.jpg', page(photo, 'image/jpeg'));
  server.route('/logo-page', page(html('<title>Logo</title><meta property="og:image" content="/img/logo.png">')));
  server.route('/img/logo.png', page(logo, 'image/png'));
  server.route('/no-image', page(html('<title>Only a title</title><meta name="description" content="And a description.">')));
  server.route('/bare/page/', page('<html><body>nothing here</body></html>'));
  server.route('/broken-image', page(html('<meta property="og:title" content="Broken"><meta property="og:image" content="/img/missing.jpg">')));
  server.route('/garbage-image', page(html('<meta property="og:title" content="Garbage"><meta property="og:image" content="/img/garbage.jpg">')));
  server.route('/img/garbage.jpg', page('this is not a jpeg', 'image/jpeg'));
  server.route(
    '/metadata-image',
    page(html('<meta property="og:title" content="Sneaky"><meta property="og:image" content="http://169.254.169.254/latest/meta-data/">')),
  );
  server.route('/latin1', page(Buffer.from('<html><head><meta charset="windows-1252"><title>Caf\xe9 \x93quoted\x94</title></head></html>', 'latin1'), 'text/html'));
  server.route('/down', (_req, res) => {
    res.statusCode = 503;
    res.end();
  });
  server.route('/pdf', page('%PDF-1.4', 'application/pdf'));
});

afterAll(async () => {
  await server.close();
});

describe('fetchLinkPreview', () => {
  it('builds a full card end to end: og metadata, relative image fetched and re-encoded under 1,000,000 bytes', async () => {
    problems = [];
    const url = `${server.origin}/article`;
    const card = await fetchLinkPreview(url, opts());
    expect(card).toMatchObject({ uri: url, title: 'Rivers & roads', description: 'A long walk along the river.' });
    expect(card?.problem).toBeUndefined();
    const thumb = card!.thumb!;
    expect(thumb.mimeType).toBe('image/jpeg');
    expect(thumb.data.byteLength).toBeLessThanOrEqual(1_000_000);
    expect(Math.max(thumb.width, thumb.height)).toBeLessThanOrEqual(2000);
    expect(thumb.width / thumb.height).toBeCloseTo(1.5, 2);
    const meta = await sharp(thumb.data).metadata();
    expect([meta.width, meta.height]).toEqual([thumb.width, thumb.height]);
    expect(problems).toEqual([]);
  });

  it('keeps a transparent PNG thumb as PNG', async () => {
    const card = await fetchLinkPreview(`${server.origin}/logo-page`, opts());
    expect(card?.thumb?.mimeType).toBe('image/png');
  });

  it('a page without an image gives a card without thumb and without problem', async () => {
    problems = [];
    const card = await fetchLinkPreview(`${server.origin}/no-image`, opts());
    expect(card).toEqual({ uri: `${server.origin}/no-image`, title: 'Only a title', description: 'And a description.' });
    expect(problems).toEqual([]);
  });

  it("falls back to the URL's host and path for the title and to '' for the description", async () => {
    const card = await fetchLinkPreview(`${server.origin}/bare/page/`, opts());
    expect(card).toEqual({ uri: `${server.origin}/bare/page/`, title: `127.0.0.1:${server.port}/bare/page`, description: '' });
  });

  it('decodes the page in the charset its <meta> declares', async () => {
    const card = await fetchLinkPreview(`${server.origin}/latin1`, opts());
    expect(card?.title).toBe('Café “quoted”');
  });

  it('when only the image fails, returns the card without thumb and says why in `problem`', async () => {
    problems = [];
    const missing = await fetchLinkPreview(`${server.origin}/broken-image`, opts());
    expect(missing?.title).toBe('Broken');
    expect(missing?.thumb).toBeUndefined();
    expect(missing?.problem).toMatch(/^image: .*\/img\/missing\.jpg: HTTP 404/);

    const garbage = await fetchLinkPreview(`${server.origin}/garbage-image`, opts());
    expect(garbage?.thumb).toBeUndefined();
    expect(garbage?.problem).toMatch(/\/img\/garbage\.jpg: not an image/);

    const sneaky = await fetchLinkPreview(`${server.origin}/metadata-image`, opts());
    expect(sneaky?.thumb).toBeUndefined();
    expect(sneaky?.problem).toMatch(/169\.254\.169\.254 is link-local/);

    expect(problems).toHaveLength(3); // onProblem heard each one too
  });

  it('a page that cannot be had gives undefined, and onProblem says why (never throws)', async () => {
    const closed = await startServer();
    const closedUrl = `${closed.origin}/gone`;
    await closed.close();
    const cases: Array<[string, RegExp]> = [
      [closedUrl, /connection refused/],
      [`${server.origin}/down`, /HTTP 503/],
      [`${server.origin}/pdf`, /not an HTML page \(Content-Type application\/pdf\)/],
      [`${server.origin}/img/cover.jpg`, /not an HTML page/],
      ['ftp://example.com/', /only http and https/],
      ['not a url', /not a valid URL/],
    ];
    for (const [url, why] of cases) {
      problems = [];
      await expect(fetchLinkPreview(url, opts()), url).resolves.toBeUndefined();
      expect(problems, url).toHaveLength(1);
      expect(problems[0], url).toMatch(why);
      expect(problems[0], url).toMatch(/^page: /);
    }
  });

  it('refuses private pages unless allowed, and keeps the page size cap', async () => {
    problems = [];
    expect(await fetchLinkPreview(`${server.origin}/article`, opts({ allowPrivateHosts: [] }))).toBeUndefined();
    expect(problems[0]).toMatch(/127\.0\.0\.1 is loopback/);
    problems = [];
    expect(await fetchLinkPreview(`${server.origin}/article`, opts({ maxPageBytes: 100 }))).toBeUndefined();
    expect(problems[0]).toMatch(/larger than 100 bytes/);
  });

  it('keeps secrets in the URL out of problems', async () => {
    problems = [];
    const url = `http://user:hunter2@127.0.0.1:${server.port}/down?access_token=tok-123`;
    expect(await fetchLinkPreview(url, opts())).toBeUndefined();
    expect(problems[0]).toMatch(/HTTP 503/);
    expect(problems[0]).not.toMatch(/hunter2|user|tok-123/);
  });

  it('works without an onProblem callback, and a throwing callback changes nothing', async () => {
    const { onProblem: _ignored, ...rest } = opts();
    expect(await fetchLinkPreview(`${server.origin}/down`, rest)).toBeUndefined();
    const thrower = opts({
      onProblem: () => {
        throw new Error('logger broke');
      },
    });
    expect(await fetchLinkPreview(`${server.origin}/down`, thrower)).toBeUndefined();
    expect((await fetchLinkPreview(`${server.origin}/broken-image`, thrower))?.problem).toMatch(/404/);
  });
});
