import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ThreadcastError } from '../../src/core/errors.js';
import { defaultFetchLimits, fetchFeed, type FetchLimits, type HttpCacheState } from '../../src/sources/fetch-feed.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://x.example/</link><description>d</description></channel></rss>';
const routes = new Map<string, Handler>();
const seen: IncomingMessage[] = [];
let server: Server;
let base: string;
const served = { body: FEED, contentType: 'application/rss+xml', rollingEtag: false };

const limits = (over: Partial<FetchLimits> = {}): FetchLimits => ({ ...defaultFetchLimits, timeoutMs: 3000, ...over });

async function failure(p: Promise<unknown>): Promise<ThreadcastError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ThreadcastError);
    return err as ThreadcastError;
  }
  throw new Error('expected the fetch to fail');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    const handler = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (handler) handler(req, res);
    else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  routes.set('/feed.xml', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    res.end(FEED);
  });
  routes.set('/etag.xml', (req, res) => {
    if (req.headers['if-none-match'] === '"v1"') {
      res.writeHead(304, { etag: '"v1"' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' });
    res.end(FEED);
  });
  routes.set('/last-modified.xml', (req, res) => {
    const lm = 'Wed, 01 Jan 2025 10:00:00 GMT';
    if (req.headers['if-modified-since'] === lm) {
      res.writeHead(304);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/rss+xml', 'last-modified': lm });
    res.end(FEED);
  });
  routes.set('/never', () => {
    /* never answers */
  });
  routes.set('/slow-body', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    res.write('<rss>'); // headers and a first chunk arrive, then nothing
  });
  routes.set('/big-declared', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': String(10_000) });
    res.end('x'.repeat(10_000));
  });
  routes.set('/big-chunked', (_req, res) => {
    // No Content-Length: chunked. 8 KiB are written and the response is left open, so only a streaming cap
    // (not a timeout) can end this quickly.
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    for (let i = 0; i < 8; i++) res.write('y'.repeat(1024));
  });
  for (let n = 1; n <= 6; n++) {
    routes.set(`/hop/${n}`, (_req, res) => {
      res.writeHead(302, { location: n === 1 ? '/feed.xml' : `/hop/${n - 1}` });
      res.end();
    });
  }
  routes.set('/dir/relative-redirect', (_req, res) => {
    res.writeHead(301, { location: '../feed.xml' });
    res.end();
  });
  routes.set('/loop', (_req, res) => {
    res.writeHead(307, { location: '/loop' });
    res.end();
  });
  routes.set('/gone', (_req, res) => {
    res.writeHead(410);
    res.end();
  });
  routes.set('/unavailable', (_req, res) => {
    res.writeHead(503);
    res.end('down');
  });
  routes.set('/busy', (_req, res) => {
    res.writeHead(429, { 'retry-after': '120' });
    res.end();
  });
  routes.set('/latin1', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml; charset=ISO-8859-1' });
    res.end(Buffer.from('<rss><channel><title>Caf\u00e9</title></channel></rss>', 'latin1'));
  });
  routes.set('/gzip-latin1', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml; charset=ISO-8859-1', 'content-encoding': 'gzip' });
    res.end(gzipSync(Buffer.from('<rss><channel><title>Caf\u00e9</title></channel></rss>', 'latin1')));
  });
  routes.set('/declared-1252', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    const bytes = Buffer.from('<?xml version="1.0" encoding="windows-1252"?><rss><channel><title>Caf\u00e9 \u0080</title></channel></rss>', 'latin1');
    res.end(bytes);
  });
  // Whatever `served` holds now: a server that sends no validators, or new ones with every answer.
  let answers = 0;
  routes.set('/served', (_req, res) => {
    answers += 1;
    res.writeHead(200, { 'content-type': served.contentType, ...(served.rollingEtag ? { etag: `"v${answers}"` } : {}) });
    res.end(Buffer.from(served.body, 'latin1'));
  });
  routes.set('/served-too', (_req, res) => {
    res.writeHead(200, { 'content-type': served.contentType });
    res.end(Buffer.from(served.body, 'latin1'));
  });
  routes.set('/auth', (req, res) => {
    const expected = `Basic ${Buffer.from('reader:s3cret-pass').toString('base64')}`;
    res.writeHead(req.headers.authorization === expected ? 200 : 401);
    res.end(req.headers.authorization === expected ? FEED : '');
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
});

describe('fetchFeed over HTTP', () => {
  it('returns the body, final URL, content type and validators of a plain 200', async () => {
    const r = await fetchFeed(`${base}/feed.xml`, {}, limits());
    expect(r).toMatchObject({ kind: 'fetched', body: FEED, finalUrl: `${base}/feed.xml`, contentType: 'application/rss+xml; charset=utf-8', cache: {} });
  });

  it('sends the configured User-Agent', async () => {
    await fetchFeed(`${base}/feed.xml`, {}, limits({ userAgent: 'TestAgent/1' }));
    expect(seen.at(-1)?.headers['user-agent']).toBe('TestAgent/1');
  });

  it('answers not-modified when the ETag still matches (If-None-Match)', async () => {
    const first = await fetchFeed(`${base}/etag.xml`, {}, limits());
    expect(first.kind).toBe('fetched');
    if (first.kind !== 'fetched') return;
    expect(first.cache).toMatchObject({ etag: '"v1"' });
    // The validator alone: the server's 304 says so, not the body's hash.
    const second = await fetchFeed(`${base}/etag.xml`, { etag: first.cache.etag! }, limits());
    expect(second).toEqual({ kind: 'not-modified' });
    expect(seen.at(-1)?.headers['if-none-match']).toBe('"v1"');
  });

  it('answers not-modified when Last-Modified still matches (If-Modified-Since)', async () => {
    const first = await fetchFeed(`${base}/last-modified.xml`, {}, limits());
    if (first.kind !== 'fetched') throw new Error('expected a body');
    expect(first.cache).toMatchObject({ lastModified: 'Wed, 01 Jan 2025 10:00:00 GMT' });
    expect(await fetchFeed(`${base}/last-modified.xml`, { lastModified: first.cache.lastModified! }, limits())).toEqual({ kind: 'not-modified' });
  });

  it('gives up with a retryable "timed out" when the server never answers', async () => {
    const t0 = Date.now();
    const err = await failure(fetchFeed(`${base}/never`, {}, limits({ timeoutMs: 200 })));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err.kind).toBe('retryable');
    expect(err.message).toBe(`feed ${base}/never: timed out after 200 ms`);
  });

  it('counts the body in the timeout too (headers sent, body stalls)', async () => {
    const err = await failure(fetchFeed(`${base}/slow-body`, {}, limits({ timeoutMs: 200 })));
    expect(err.kind).toBe('retryable');
    expect(err.message).toContain('timed out after 200 ms');
  });

  it('refuses a body whose Content-Length is over the cap, permanently', async () => {
    const err = await failure(fetchFeed(`${base}/big-declared`, {}, limits({ maxBytes: 4096 })));
    expect(err.kind).toBe('permanent');
    expect(err.message).toContain('larger than 4096 bytes');
  });

  it('aborts a chunked body as soon as it passes the cap, without waiting for its end', async () => {
    const t0 = Date.now();
    const err = await failure(fetchFeed(`${base}/big-chunked`, {}, limits({ maxBytes: 4096, timeoutMs: 5000 })));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err.kind).toBe('permanent');
    expect(err.message).toBe(`feed ${base}/big-chunked: larger than 4096 bytes`);
  });

  it('follows a redirect chain within the bound and reports the final URL', async () => {
    const r = await fetchFeed(`${base}/hop/3`, {}, limits({ maxRedirects: 3 }));
    expect(r).toMatchObject({ kind: 'fetched', body: FEED, finalUrl: `${base}/feed.xml` });
  });

  it('stops permanently after more than maxRedirects redirects', async () => {
    const err = await failure(fetchFeed(`${base}/hop/4`, {}, limits({ maxRedirects: 3 })));
    expect(err.kind).toBe('permanent');
    expect(err.message).toBe(`feed ${base}/hop/4: more than 3 redirects`);
    expect((await failure(fetchFeed(`${base}/loop`, {}, limits()))).message).toContain('more than 5 redirects');
  });

  it('resolves a relative Location against the redirecting URL', async () => {
    const r = await fetchFeed(`${base}/dir/relative-redirect`, {}, limits());
    expect(r).toMatchObject({ kind: 'fetched', finalUrl: `${base}/feed.xml` });
  });

  it('treats 404 and 410 as permanent with the status in words', async () => {
    const e404 = await failure(fetchFeed(`${base}/missing.xml`, {}, limits()));
    expect(e404.kind).toBe('permanent');
    expect(e404.message).toBe(`feed ${base}/missing.xml: HTTP 404 Not Found`);
    expect(e404.where).toBe(`feed ${base}/missing.xml`);
    const e410 = await failure(fetchFeed(`${base}/gone`, {}, limits()));
    expect(e410.kind).toBe('permanent');
    expect(e410.message).toContain('HTTP 410 Gone');
  });

  it('treats 503 as retryable', async () => {
    const err = await failure(fetchFeed(`${base}/unavailable`, {}, limits()));
    expect(err.kind).toBe('retryable');
    expect(err.message).toContain('HTTP 503 Service Unavailable');
  });

  it('treats 429 as retryable and carries Retry-After as retryAt', async () => {
    const before = Date.now();
    const err = await failure(fetchFeed(`${base}/busy`, {}, limits()));
    expect(err.kind).toBe('retryable');
    expect(err.retryAt).toBeGreaterThanOrEqual(before + 119_000);
  });

  it('reports a closed port as a retryable "connection refused" naming the URL', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const url = `http://127.0.0.1:${port}/feed.xml`;
    const err = await failure(fetchFeed(url, {}, limits()));
    expect(err.kind).toBe('retryable');
    expect(err.message).toBe(`feed ${url}: connection refused`);
  });

  it('decodes the body with the charset from Content-Type', async () => {
    const r = await fetchFeed(`${base}/latin1`, {}, limits());
    expect(r.kind === 'fetched' && r.body).toContain('<title>Café</title>');
  });

  it('undoes a gzip Content-Encoding before decoding the charset', async () => {
    const r = await fetchFeed(`${base}/gzip-latin1`, {}, limits());
    expect(r.kind === 'fetched' && r.body).toContain('<title>Café</title>');
  });

  it('decodes the body with the encoding of the XML declaration when the header has none', async () => {
    const r = await fetchFeed(`${base}/declared-1252`, {}, limits());
    expect(r.kind === 'fetched' && r.body).toContain('<title>Café €</title>');
  });

  it('sends URL credentials as Basic auth and never shows the password in errors', async () => {
    const url = new URL(`${base}/auth`);
    url.username = 'reader';
    url.password = 's3cret-pass';
    const ok = await fetchFeed(url.href, {}, limits());
    expect(ok.kind).toBe('fetched');
    url.password = 'wrong-pass';
    const err = await failure(fetchFeed(url.href, {}, limits()));
    expect(err.message).toContain('HTTP 401');
    expect(err.message).not.toContain('wrong-pass');
  });
});

describe('fetchFeed of a body it parsed last time', () => {
  const fetched = async (url: string, cache: HttpCacheState = {}) => {
    const r = await fetchFeed(url, cache, limits());
    if (r.kind !== 'fetched') throw new Error(`expected a body, got ${r.kind}`);
    return r;
  };
  afterEach(() => Object.assign(served, { body: FEED, contentType: 'application/rss+xml', rollingEtag: false }));

  it('answers not-modified for the same bytes from a server that sends no validators, and parses a changed body', async () => {
    const first = await fetched(`${base}/served`);
    expect(first.cache.etag).toBeUndefined();
    expect(first.cache.lastModified).toBeUndefined();
    // Nothing new to keep: what is kept already says all the next poll needs.
    expect(await fetchFeed(`${base}/served`, first.cache, limits())).toEqual({ kind: 'not-modified' });
    served.body = FEED.replace('<title>T</title>', '<title>T2</title>');
    expect((await fetched(`${base}/served`, first.cache)).body).toBe(served.body);
  });

  it('keeps the new validators of a server that sends new ones with the same body', async () => {
    served.rollingEtag = true;
    const first = await fetched(`${base}/served`);
    const again = await fetchFeed(`${base}/served`, first.cache, limits());
    expect(seen.at(-1)?.headers['if-none-match']).toBe(first.cache.etag);
    expect(again.kind).toBe('not-modified');
    expect(again.cache?.bodyHash).toBe(first.cache.bodyHash);
    expect(again.cache?.etag).not.toBe(first.cache.etag);
    expect(again.cache?.etag).toMatch(/^"v\d+"$/);
  });

  it('reads the same bytes again when they would read differently: another charset, another final URL', async () => {
    // Byte 0xE9: "é" in ISO-8859-1, "И" in KOI8-R.
    served.body = '<rss><channel><title>Caf\u00e9</title></channel></rss>';
    served.contentType = 'text/xml; charset=ISO-8859-1';
    const latin1 = await fetched(`${base}/served`);
    served.contentType = 'text/xml; charset=KOI8-R';
    const koi8 = await fetched(`${base}/served`, latin1.cache);
    expect(koi8.body).toContain('Caf\u0418');
    // Relative links resolve against the final URL, so the same bytes elsewhere are another feed's items.
    const elsewhere = await fetched(`${base}/served-too`, koi8.cache);
    expect(elsewhere.finalUrl).toBe(`${base}/served-too`);
  });
});

describe('fetchFeed from a local file', () => {
  const rel = 'tests/fixtures/feeds/wordpress-rss.xml';

  it('reads a path relative to the working directory and reports a file:// final URL', async () => {
    const r = await fetchFeed(rel, {}, limits());
    if (r.kind !== 'fetched') throw new Error('expected a body');
    expect(r.body).toContain('Riverside Community Garden');
    expect(r.finalUrl).toBe(pathToFileURL(resolve(rel)).href);
  });

  it('reads file:// URLs and absolute paths alike', async () => {
    const a = await fetchFeed(pathToFileURL(resolve(rel)).href, {}, limits());
    const b = await fetchFeed(resolve(rel), {}, limits());
    expect(a.kind === 'fetched' && b.kind === 'fetched' && a.body === b.body).toBe(true);
  });

  it('answers not-modified for an unchanged file when given its last cache state', async () => {
    const r = await fetchFeed(rel, {}, limits());
    if (r.kind !== 'fetched') throw new Error('expected a body');
    expect(await fetchFeed(rel, r.cache, limits())).toEqual({ kind: 'not-modified' });
  });

  it('answers not-modified for a file rewritten with the same bytes, and reads it when they change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadcast-fetch-'));
    try {
      const file = join(dir, 'feed.xml');
      writeFileSync(file, FEED);
      utimesSync(file, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
      const first = await fetchFeed(file, {}, limits());
      if (first.kind !== 'fetched') throw new Error('expected a body');
      writeFileSync(file, FEED);
      utimesSync(file, new Date('2026-01-02T00:00:00Z'), new Date('2026-01-02T00:00:00Z'));
      const again = await fetchFeed(file, first.cache, limits());
      expect(again.kind).toBe('not-modified');
      // The new mtime is kept, so the next poll answers from stat() alone.
      expect(again.cache?.etag).not.toBe(first.cache.etag);
      expect(await fetchFeed(file, again.cache!, limits())).toEqual({ kind: 'not-modified' });
      writeFileSync(file, FEED.replace('<title>T</title>', '<title>T2</title>'));
      expect((await fetchFeed(file, again.cache!, limits())).kind).toBe('fetched');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing file as permanent, naming it', async () => {
    const err = await failure(fetchFeed('tests/fixtures/feeds/no-such-feed.xml', {}, limits()));
    expect(err.kind).toBe('permanent');
    expect(err.message).toBe('feed tests/fixtures/feeds/no-such-feed.xml: no such file');
  });

  it('refuses a directory, and a named pipe without waiting for a writer, naming the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadcast-fetch-'));
    try {
      expect((await failure(fetchFeed(dir, {}, limits()))).message).toBe(`feed ${dir}: is a directory, not a feed file`);
      // Opening a FIFO for reading blocks until something writes to it, and holds one of libuv's four threads while
      // it waits: a few polls of it would stall every file read, DNS lookup and zlib call of the process.
      const fifo = join(dir, 'feed.xml');
      execFileSync('mkfifo', [fifo]);
      const err = await failure(fetchFeed(fifo, {}, limits()));
      expect(err.kind).toBe('permanent');
      expect(err.message).toBe(`feed ${fifo}: not a regular file (a pipe, socket or device), not a feed file`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file over the size cap, permanently', async () => {
    const err = await failure(fetchFeed(rel, {}, limits({ maxBytes: 1024 })));
    expect(err.kind).toBe('permanent');
    expect(err.message).toContain('larger than 1024 bytes');
  });

  it('refuses schemes other than http(s) and file', async () => {
    const err = await failure(fetchFeed('ftp://example.org/feed.xml', {}, limits()));
    expect(err.kind).toBe('permanent');
  });
});
