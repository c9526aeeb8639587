import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThreadcastError } from '../../src/core/errors.js';
import { BlockedAddressError } from '../../src/http/address-guard.js';
import { defaultFetchLimits, fetchFeed, type FetchLimits } from '../../src/sources/fetch-feed.js';

/**
 * Issue #13: a feed server's redirects go through the same SSRF guard as link cards and images. The feed is
 * configured as `http://localhost:PORT/…` (its own host may be loopback: the operator wrote it), and the "internal"
 * server listens on 127.0.0.1 too, but is reached only under other spellings, which the guard must refuse.
 * Everything here talks to loopback only; the guard refuses 169.254.169.254 and fe80::1 before connecting.
 */

interface LoopbackServer {
  port: number;
  hits: string[];
  connections(): number;
  route(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

async function loopbackServer(): Promise<LoopbackServer> {
  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  const hits: string[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.push(path);
    const handler = routes.get(path);
    if (handler) handler(req, res);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  server.on('connection', () => connections++);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    connections: () => connections,
    route: (path, handler) => routes.set(path, handler),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

const feed = (title: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>https://x.example/</link><description>d</description></channel></rss>`;
/** Words only the internal server says: none may reach an error. */
const INTERNAL_WORDS = /ADMIN-PANEL|hunter2|db-01|ZX81/;

const limits = (over: Partial<FetchLimits> = {}): FetchLimits => ({ ...defaultFetchLimits, timeoutMs: 3_000, ...over });

async function failure(p: Promise<unknown>): Promise<ThreadcastError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ThreadcastError);
    return err as ThreadcastError;
  }
  throw new Error('expected the fetch to fail');
}

let remote: LoopbackServer;
let internal: LoopbackServer;
let feedOrigin: string;

const redirect = (path: string, location: () => string, status = 302) =>
  remote.route(path, (_req, res) => {
    res.writeHead(status, { location: location() });
    res.end();
  });

beforeAll(async () => {
  remote = await loopbackServer();
  internal = await loopbackServer();
  feedOrigin = `http://localhost:${remote.port}`;

  remote.route('/feed.xml', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    res.end(feed('Public'));
  });
  internal.route('/internal', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    res.end(feed('ADMIN-PANEL of the intranet'));
  });
  internal.route('/status-leak', (_req, res) => {
    res.writeHead(500, 'db-01 password hunter2', { 'content-type': 'text/plain' });
    res.end('stack trace at ZX81');
  });
  internal.route('/bad-location', (_req, res) => {
    res.writeHead(302, { location: 'http://[db-01 hunter2' }); // not a URL
    res.end();
  });
  internal.route('/feed.xml', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    res.end(feed('Same host, other port'));
  });

  const at = (host: string, path = '/internal') => () => `http://${host}:${internal.port}${path}`;
  redirect('/to-127', at('127.0.0.1'));
  redirect('/to-mapped', at('[::ffff:127.0.0.1]'), 301);
  redirect('/to-decimal', at('2130706433'), 307);
  redirect('/to-hex', at('0x7f.1'), 308);
  redirect('/to-octal', at('0177.0.0.1'));
  redirect('/to-localhost', at('localhost'));
  redirect('/to-credentials', () => `http://admin:hunter2@127.0.0.1:${internal.port}/internal`);
  redirect('/to-metadata', () => 'http://169.254.169.254/latest/meta-data/');
  redirect('/to-link-local-v6', () => 'http://[fe80::1]/');
  redirect('/to-file', () => 'file:///etc/passwd');
  redirect('/to-data', () => 'data:application/rss+xml,<rss/>');
  redirect('/to-ftp', () => `ftp://127.0.0.1:${internal.port}/internal`);
  redirect('/to-self', () => `${feedOrigin}/feed.xml`);
  redirect('/to-self-other-port', at('localhost', '/feed.xml'));
  redirect('/then-127', () => '/to-127'); // same host first, then away
  redirect('/to-status-leak', at('127.0.0.1', '/status-leak'));
  redirect('/to-bad-location', at('127.0.0.1', '/bad-location'));
});

afterAll(async () => {
  await remote.close();
  await internal.close();
});

/** The internal server's counters, to show a refused redirect never reached it. */
const internalTraffic = () => ({ connections: internal.connections(), requests: internal.hits.length });

describe('feed redirects go through the address guard', () => {
  const refused = [
    ['127.0.0.1 (another spelling of the loopback host)', '/to-127', /address 127\.0\.0\.1 is loopback/],
    ['[::ffff:127.0.0.1] (IPv4-mapped loopback)', '/to-mapped', /address ::ffff:7f00:1 is loopback/],
    ['2130706433 (decimal 127.0.0.1)', '/to-decimal', /address 127\.0\.0\.1 is loopback/],
    ['0x7f.1 (hex and short form of 127.0.0.1)', '/to-hex', /address 127\.0\.0\.1 is loopback/],
    ['0177.0.0.1 (octal 127.0.0.1)', '/to-octal', /address 127\.0\.0\.1 is loopback/],
  ] as const;

  for (const [name, path, reason] of refused) {
    it(`refuses a redirect to ${name} without touching the internal server`, async () => {
      const before = internalTraffic();
      const err = await failure(fetchFeed(`${feedOrigin}${path}`, {}, limits()));
      expect(err.kind).toBe('permanent');
      expect(err.cause).toBeInstanceOf(BlockedAddressError);
      expect(err.message).toMatch(reason);
      expect(err.message).toMatch(/^feed http:\/\/localhost:\d+\/to-\w+: redirect refused \(hop 1: http:\/\/[^)]+\/internal\)/);
      expect(err.message).toContain('web.allowPrivateHosts');
      expect(err.message).not.toMatch(INTERNAL_WORDS);
      expect(internalTraffic()).toEqual(before);
    });
  }

  it('checks the resolved address: a name that resolves to loopback is refused (feed configured by IP)', async () => {
    const before = internalTraffic();
    const err = await failure(fetchFeed(`http://127.0.0.1:${remote.port}/to-localhost`, {}, limits()));
    expect(err.kind).toBe('permanent');
    expect(err.cause).toBeInstanceOf(BlockedAddressError);
    expect(err.message).toContain(`redirect refused (hop 1: http://localhost:${internal.port}/internal): address 127.0.0.1 is loopback`);
    expect(internalTraffic()).toEqual(before);
  });

  it('names the hop: a same-host redirect is followed, the next one away is refused as hop 2', async () => {
    const before = internalTraffic();
    const err = await failure(fetchFeed(`${feedOrigin}/then-127`, {}, limits()));
    expect(err.message).toContain(`redirect refused (hop 2: http://127.0.0.1:${internal.port}/internal)`);
    expect(internalTraffic()).toEqual(before);
  });

  for (const [name, path, address] of [
    ['169.254.169.254 (cloud metadata, link-local)', '/to-metadata', /address 169\.254\.169\.254 is link-local/],
    ['[fe80::1] (IPv6 link-local)', '/to-link-local-v6', /address fe80::1 is link-local/],
  ] as const) {
    it(`refuses a redirect to ${name} in the guard, before any connection is tried`, async () => {
      const err = await failure(fetchFeed(`${feedOrigin}${path}`, {}, limits({ timeoutMs: 1_000 })));
      expect(err.kind).toBe('permanent');
      // The guard's own refusal, not a connect error (ENETUNREACH, a timeout…) that would mean a packet was sent.
      expect(err.cause).toBeInstanceOf(BlockedAddressError);
      expect(err.message).toMatch(address);
      expect(err.message).toMatch(/redirect refused \(hop 1: /);
    });
  }

  it('refuses redirects to file:, data: and ftp: URLs, naming the hop', async () => {
    const before = internalTraffic();
    for (const [path, scheme] of [
      ['/to-file', 'file:'],
      ['/to-data', 'data:'],
      ['/to-ftp', 'ftp:'],
    ] as const) {
      const err = await failure(fetchFeed(`${feedOrigin}${path}`, {}, limits()));
      expect(err.kind, path).toBe('permanent');
      expect(err.message, path).toBe(`feed ${feedOrigin}${path}: redirect refused (hop 1): not an http(s) URL (${scheme})`);
      expect(err.message, path).not.toMatch(/passwd|<rss/);
    }
    expect(internalTraffic()).toEqual(before);
  });

  it('never shows credentials of a refused hop', async () => {
    const err = await failure(fetchFeed(`http://reader:s3cret-pass@localhost:${remote.port}/to-credentials`, {}, limits()));
    expect(err.cause).toBeInstanceOf(BlockedAddressError);
    expect(err.message).toContain(`hop 1: http://127.0.0.1:${internal.port}/internal`);
    expect(err.message).not.toMatch(/s3cret-pass|hunter2|admin/);
  });
});

describe('feed redirects that stay allowed', () => {
  it('follows redirects on the configured host, also to another port of it', async () => {
    const self = await fetchFeed(`${feedOrigin}/to-self`, {}, limits());
    expect(self).toMatchObject({ kind: 'fetched', finalUrl: `${feedOrigin}/feed.xml` });
    const otherPort = await fetchFeed(`${feedOrigin}/to-self-other-port`, {}, limits());
    expect(otherPort).toMatchObject({ kind: 'fetched', finalUrl: `http://localhost:${internal.port}/feed.xml` });
  });

  it('follows a redirect to a host in allowPrivateHosts, by address or by name', async () => {
    const byAddress = await fetchFeed(`${feedOrigin}/to-127`, {}, limits({ allowPrivateHosts: ['127.0.0.1'] }));
    expect(byAddress.kind === 'fetched' && byAddress.body).toContain('ADMIN-PANEL of the intranet');
    const byName = await fetchFeed(`http://127.0.0.1:${remote.port}/to-localhost`, {}, limits({ allowPrivateHosts: ['localhost'] }));
    expect(byName.kind === 'fetched' && byName.body).toContain('ADMIN-PANEL of the intranet');
  });
});

describe('feed errors carry no text from the server that answered', () => {
  it("gives the standard reason phrase, not the server's own status line", async () => {
    const direct = await failure(fetchFeed(`http://127.0.0.1:${internal.port}/status-leak`, {}, limits()));
    expect(direct.message).toBe(`feed http://127.0.0.1:${internal.port}/status-leak: HTTP 500 Internal Server Error`);
    const redirected = await failure(fetchFeed(`${feedOrigin}/to-status-leak`, {}, limits({ allowPrivateHosts: ['127.0.0.1'] })));
    expect(redirected.message).toBe(
      `feed ${feedOrigin}/to-status-leak: HTTP 500 Internal Server Error (at http://127.0.0.1:${internal.port}/status-leak)`,
    );
    for (const err of [direct, redirected]) expect(err.message).not.toMatch(INTERNAL_WORDS);
  });

  it('does not repeat a Location header it cannot parse', async () => {
    const err = await failure(fetchFeed(`${feedOrigin}/to-bad-location`, {}, limits({ allowPrivateHosts: ['127.0.0.1'] })));
    expect(err.kind).toBe('permanent');
    expect(err.message).toBe(`feed ${feedOrigin}/to-bad-location: redirect to an invalid URL (at http://127.0.0.1:${internal.port}/bad-location)`);
    expect(err.message).not.toMatch(INTERNAL_WORDS);
  });
});
