import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockedAddressError } from '../../src/http/address-guard.js';
import { httpGet, HttpError, type HttpGetOptions } from '../../src/http/fetch.js';
import { startServer, type TestServer } from '../media/helpers.js';

// The one HTTP client's contract: what it returns, and the facts its errors carry for callers to word.

const options = (over: Partial<HttpGetOptions> = {}): HttpGetOptions => ({
  timeoutMs: 2_000,
  maxBytes: 10_000,
  maxRedirects: 3,
  userAgent: 'threadcast-test',
  accept: '*/*',
  guard: { allowPrivateHosts: [], trustRequestedHost: true },
  ...over,
});

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return err as HttpError;
  }
  throw new Error('expected a failure');
}

let server: TestServer;
const seen: Record<string, string | undefined>[] = [];

beforeAll(async () => {
  server = await startServer();
  server.route('/feed', (req, res) => {
    seen.push({ inm: req.headers['if-none-match'], ims: req.headers['if-modified-since'], accept: req.headers.accept });
    if (req.headers['if-none-match'] === '"v1"') {
      res.writeHead(304);
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'text/xml', etag: '"v1"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' });
    res.end('<rss/>');
  });
  server.route('/gzip', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml', 'content-encoding': 'gzip' });
    res.end(gzipSync('<rss>zipped</rss>'));
  });
  server.route('/not-modified', (_req, res) => {
    res.writeHead(304);
    res.end();
  });
  server.route('/busy', (_req, res) => {
    res.writeHead(429, { 'retry-after': '120' });
    res.end();
  });
  server.route('/to-busy', (_req, res) => {
    res.writeHead(302, { location: '/busy' });
    res.end();
  });
  server.route('/to-loopback-ip', (_req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${server.port}/feed` });
    res.end();
  });
  // Sends its headers and one chunk, then nothing: a feed server that stalls half-way.
  server.route('/stalls', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.write('<rss>');
  });
  server.route('/big', (_req, res) => {
    res.writeHead(200, { 'content-length': '20000' });
    res.end('x'.repeat(20_000));
  });
});

afterAll(() => server.close());

describe('httpGet', () => {
  it('returns body, validators and final URL, then not-modified to a conditional GET', async () => {
    const origin = `http://localhost:${server.port}`;
    const first = await httpGet(`${origin}/feed`, options({ accept: 'text/xml' }));
    expect(first.kind).toBe('ok');
    if (first.kind !== 'ok') return;
    expect([first.status, first.body.toString(), first.finalUrl]).toEqual([200, '<rss/>', `${origin}/feed`]);
    expect(first.cache).toEqual({ etag: '"v1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' });
    const second = await httpGet(`${origin}/feed`, options({ conditional: first.cache }));
    expect(second).toMatchObject({ kind: 'not-modified', status: 304 });
    expect(seen.at(-2)).toEqual({ inm: undefined, ims: undefined, accept: 'text/xml' });
    expect(seen.at(-1)).toMatchObject({ inm: '"v1"', ims: 'Tue, 01 Dec 2026 10:00:00 GMT' });
  });

  it('fails as aborted, at once, when its signal aborts mid-body; a signal aborted before it starts sends nothing', async () => {
    const stop = new AbortController();
    const started = Date.now();
    const pending = failure(httpGet(`${server.origin}/stalls`, options({ timeoutMs: 20_000, signal: stop.signal })));
    setTimeout(() => stop.abort(), 200);
    const err = await pending;
    expect([err.kind, err.transient]).toEqual(['aborted', true]);
    expect(Date.now() - started).toBeLessThan(5_000);
    const requests = seen.length;
    expect((await failure(httpGet(`${server.origin}/feed`, options({ signal: AbortSignal.abort() })))).kind).toBe('aborted');
    expect(seen.length).toBe(requests);
  });

  it('decodes a gzip body', async () => {
    const res = await httpGet(`${server.origin}/gzip`, options());
    expect(res.kind === 'ok' && res.body.toString()).toBe('<rss>zipped</rss>');
  });

  it('answers an unasked 304 as a status failure, not as not-modified', async () => {
    const err = await failure(httpGet(`${server.origin}/not-modified`, options()));
    expect([err.kind, err.httpStatus, err.transient]).toEqual(['status', 304, false]);
  });

  it('carries status, Retry-After, hop and the redacted URL as fields', async () => {
    const before = Date.now();
    const err = await failure(httpGet(`http://u:pw@127.0.0.1:${server.port}/to-busy`, options()));
    expect([err.kind, err.httpStatus, err.transient, err.hop]).toEqual(['status', 429, true, 1]);
    expect(err.retryAfter).toBeGreaterThanOrEqual(before + 119_000);
    expect(err.at).toBe(`http://127.0.0.1:${server.port}/busy`);
    expect(err.message).not.toContain('pw');
  });

  it('names the guard refusal of a redirect, with the hop it would have been', async () => {
    const err = await failure(httpGet(`http://localhost:${server.port}/to-loopback-ip`, options()));
    expect([err.kind, err.transient, err.hop]).toEqual(['blocked', false, 1]);
    expect(err.blocked).toBeInstanceOf(BlockedAddressError);
    expect(err.blocked?.address).toBe('127.0.0.1');
  });

  it('gives the limit that was passed: bytes, redirects', async () => {
    const big = await failure(httpGet(`${server.origin}/big`, options()));
    expect([big.kind, big.limit, big.declaredLength]).toEqual(['too-large', 10_000, 20_000]);
    const scheme = await failure(httpGet('ftp://example.com/x', options()));
    expect([scheme.kind, scheme.protocol, scheme.hop]).toEqual(['unsupported-scheme', 'ftp:', 0]);
  });
});
