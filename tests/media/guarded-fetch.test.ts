import type { LookupAddress } from 'node:dns';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThreadcastError } from '../../src/core/errors.js';
import { BlockedAddressError, createGuardedLookup, PrivateHostAllowList } from '../../src/http/address-guard.js';
import { classifyAddress } from '../../src/http/addresses.js';
import { guardedFetch, type GuardedFetchOptions } from '../../src/media/guarded-fetch.js';
import { startServer, type TestServer } from './helpers.js';

const LOCAL = ['127.0.0.1', 'localhost'];
const base = (over: Partial<GuardedFetchOptions> = {}): GuardedFetchOptions => ({
  timeoutMs: 2_000,
  maxBytes: 1_000_000,
  allowPrivateHosts: LOCAL,
  ...over,
});

async function failure(promise: Promise<unknown>): Promise<ThreadcastError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ThreadcastError);
    return err as ThreadcastError;
  }
  throw new Error('expected a failure');
}

let server: TestServer;
let server6: TestServer;

beforeAll(async () => {
  server = await startServer();
  server6 = await startServer('::1');
  for (const s of [server, server6]) s.route('/ok', (_req, res) => res.end('hello'));
  server.route('/secret', (_req, res) => res.end('internal data'));
  server.route('/to-127', (_req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${server.port}/secret` });
    res.end();
  });
  server.route('/to-metadata', (_req, res) => {
    res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' });
    res.end();
  });
  server.route('/to-ten', (_req, res) => {
    res.writeHead(307, { location: 'http://10.0.0.5/admin' });
    res.end();
  });
  server.route('/to-ftp', (_req, res) => {
    res.writeHead(302, { location: 'ftp://example.com/file' });
    res.end();
  });
  // /hop/N redirects to /hop/N-1; /hop/0 answers.
  for (let n = 0; n <= 6; n++) {
    server.route(`/hop/${n}`, (_req, res) => {
      if (n === 0) return res.end('arrived');
      res.writeHead(302, { location: `/hop/${n - 1}` });
      res.end();
    });
  }
  server.route('/silent', () => undefined); // never answers
  server.route('/stall-body', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('a bit');
  });
  server.route('/declared-big', (_req, res) => {
    res.writeHead(200, { 'content-length': String(5_000_000) });
    res.write('x');
  });
  server.route('/streamed-big', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked, no length
    const chunk = Buffer.alloc(64 * 1024, 120);
    let sent = 0;
    const pump = () => {
      while (sent < 50 && res.write(chunk)) sent++;
      if (sent < 50) res.once('drain', pump);
      else res.end();
    };
    pump();
  });
  server.route('/gzip-bomb', (_req, res) => {
    const body = gzipSync(Buffer.alloc(20_000_000, 0));
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(body.length) });
    res.end(body);
  });
  server.route('/gzip-small', (_req, res) => {
    const body = gzipSync(Buffer.from('compressed hello'));
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' });
    res.end(body);
  });
  server.route('/gone', (_req, res) => {
    res.statusCode = 410;
    res.end();
  });
  server.route('/unavailable', (_req, res) => {
    res.statusCode = 503;
    res.end();
  });
  server.route('/slow-down', (_req, res) => {
    res.writeHead(429, { 'retry-after': '120' });
    res.end();
  });
  server.route('/auth', (req, res) => {
    if (!req.headers.authorization) {
      res.statusCode = 401;
      return res.end();
    }
    res.statusCode = 403;
    res.end();
  });
});

afterAll(async () => {
  await server.close();
  await server6.close();
});

describe('guardedFetch: happy path', () => {
  it('fetches from an allowed private host and reports status, type and body', async () => {
    const res = await guardedFetch(`${server.origin}/ok`, base());
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('hello');
    expect(res.finalUrl).toBe(`${server.origin}/ok`);
  });

  it('decodes a gzip body', async () => {
    const res = await guardedFetch(`${server.origin}/gzip-small`, base());
    expect(res.body.toString()).toBe('compressed hello');
    expect(res.contentType).toBe('text/plain');
  });
});

describe('guardedFetch: the SSRF guard refuses internal addresses unless allowed', () => {
  const refused = [
    ['127.0.0.1 (loopback literal)', () => `${server.origin}/secret`, /address 127\.0\.0\.1 is loopback/],
    ['localhost (name resolving to loopback, refused at connect time)', () => `http://localhost:${server.port}/secret`, /address 127\.0\.0\.1 is loopback/],
    ['[::1] (IPv6 loopback)', () => `http://[::1]:${server6.port}/ok`, /address ::1 is loopback/],
    ['[::ffff:127.0.0.1] (IPv4-mapped loopback)', () => `http://[::ffff:127.0.0.1]:${server.port}/secret`, /is loopback/],
    ['10.0.0.5 (private)', () => 'http://10.0.0.5/', /address 10\.0\.0\.5 is private; add the host to web\.allowPrivateHosts to allow it/],
    ['169.254.169.254 (cloud metadata, link-local)', () => 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is link-local/],
    ['100.64.0.1 (CGNAT)', () => 'http://100.64.0.1/', /carrier-grade NAT/],
    ['0.0.0.0 (unspecified)', () => 'http://0.0.0.0/', /unspecified/],
    ['2130706433 (decimal spelling of 127.0.0.1)', () => `http://2130706433:${server.port}/secret`, /127\.0\.0\.1 is loopback/],
  ] as const;

  for (const [name, url, message] of refused) {
    it(`refuses ${name} with a permanent error`, async () => {
      const before = server.connections() + server6.connections();
      const err = await failure(guardedFetch(url(), base({ allowPrivateHosts: [] })));
      expect(err.kind).toBe('permanent');
      expect(err.message).toMatch(message);
      expect(err.where).toContain(new URL(url()).host);
      // Refused before connecting: the server never even saw a TCP connection.
      expect(server.connections() + server6.connections()).toBe(before);
    });
  }

  it('allows 127.0.0.1, localhost, [::1] and [::ffff:127.0.0.1] when listed', async () => {
    const allow = ['127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1'];
    for (const url of [
      `${server.origin}/ok`,
      `http://localhost:${server.port}/ok`,
      `http://[::1]:${server6.port}/ok`,
      `http://[::ffff:127.0.0.1]:${server.port}/ok`,
    ]) {
      const res = await guardedFetch(url, base({ allowPrivateHosts: allow }));
      expect(res.body.toString(), url).toBe('hello');
    }
  });

  it('an allowed host name does not allow other names or literals for the same address', async () => {
    const err = await failure(guardedFetch(`${server.origin}/secret`, base({ allowPrivateHosts: ['localhost'] })));
    expect(err.message).toMatch(/127\.0\.0\.1 is loopback/);
  });

  it('lets 10.x and 169.254.169.254 through the guard when listed (then fails only on the network)', async () => {
    for (const url of ['http://10.0.0.5:9/', 'http://169.254.169.254:9/']) {
      const host = new URL(url).hostname;
      // Whatever the network here does with these addresses (nothing, or a sandbox proxy answering), the guard
      // must not be what stops the request.
      const outcome = await guardedFetch(url, base({ allowPrivateHosts: [host], timeoutMs: 300 })).then(
        (res) => `HTTP ${res.status}`,
        (err: unknown) => (err as Error).message,
      );
      expect(outcome).not.toMatch(/allowPrivateHosts|is private|is link-local/);
    }
  });

  it('refuses a redirect from an allowed host to a refused address, without requesting it', async () => {
    const hits = () => server.hits.filter((p) => p === '/secret').length;
    const before = hits();
    const err = await failure(guardedFetch(`http://localhost:${server.port}/to-127`, base({ allowPrivateHosts: ['localhost'] })));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/address 127\.0\.0\.1 is loopback/);
    expect(err.message).toContain(`(at http://127.0.0.1:${server.port}/secret)`);
    expect(hits()).toBe(before);

    for (const path of ['/to-metadata', '/to-ten']) {
      const e = await failure(guardedFetch(`${server.origin}${path}`, base()));
      expect(e.kind, path).toBe('permanent');
      expect(e.message, path).toMatch(/is (link-local|private)/);
    }
  });

  it('an exact host (a feed\'s configured host) allows only that spelling, not its address under other names', () => {
    const allow = new PrivateHostAllowList([], ['127.0.0.1', 'Intranet.Example.', '[::ffff:7f00:1]']);
    expect(allow.allows('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(allow.allows('localhost', '127.0.0.1')).toBe(false);
    expect(allow.allows('intranet.example', '10.0.0.7')).toBe(true);
    expect(allow.allows('[::ffff:7f00:1]', '::ffff:7f00:1')).toBe(true);
    expect(allow.allows('other.example', '10.0.0.7')).toBe(false);
    expect(() => allow.check('localhost', '127.0.0.1')).toThrow(BlockedAddressError);
  });

  it('checks every address a name resolves to, at lookup (DNS rebinding / mixed answers)', async () => {
    const allow = new PrivateHostAllowList(['allowed.test']);
    const answers: LookupAddress[][] = [
      [{ address: '93.184.216.34', family: 4 }],
      [
        { address: '93.184.216.34', family: 4 },
        { address: '10.1.2.3', family: 4 },
      ],
    ];
    let call = 0;
    const lookup = createGuardedLookup(allow, (_host, _opts, cb) => cb(null, answers[Math.min(call++, 1)]!));
    const run = (host: string, all: boolean) =>
      new Promise<{ err: Error | null; address: unknown }>((resolve) =>
        lookup(host, { all }, (err, address) => resolve({ err, address })),
      );
    const first = await run('rebind.test', false);
    expect(first.err).toBeNull();
    expect(first.address).toBe('93.184.216.34');
    const second = await run('rebind.test', true); // the same name now also answers a private address
    expect(second.err).toBeInstanceOf(BlockedAddressError);
    expect(second.err?.message).toMatch(/10\.1\.2\.3 is private/);
    const allowed = await run('allowed.test', true);
    expect(allowed.err).toBeNull();
    expect(allowed.address).toHaveLength(2);
  });

  it('classifies the address ranges named in the design', () => {
    const cases: Record<string, string | undefined> = {
      '127.1.2.3': 'loopback',
      '::1': 'loopback',
      '10.255.0.1': 'private',
      '172.16.0.1': 'private',
      '172.31.255.255': 'private',
      '172.32.0.1': undefined,
      '192.168.1.1': 'private',
      'fc00::1': 'private',
      'fd12:3456::1': 'private',
      '169.254.1.1': 'link-local',
      'fe80::1': 'link-local',
      '0.0.0.0': 'unspecified',
      '::': 'unspecified',
      '100.64.0.1': 'carrier-grade NAT (shared)',
      '100.128.0.1': undefined,
      '224.0.0.251': 'multicast',
      'ff02::1': 'multicast',
      '::ffff:10.0.0.1': 'private',
      '::ffff:a9fe:a9fe': 'link-local',
      '64:ff9b::7f00:1': 'loopback',
      '64:ff9b:1::a00:1': 'private',
      '64:ff9b:1:ffff::808:808': 'private',
      '64:ff9b::808:808': undefined,
      '8.8.8.8': undefined,
      '2606:4700:4700::1111': undefined,
      '::ffff:8.8.8.8': undefined,
    };
    for (const [address, expected] of Object.entries(cases)) expect(classifyAddress(address), address).toBe(expected);
  });
});

describe('guardedFetch: limits', () => {
  it('times out a server that never answers (retryable)', async () => {
    const started = Date.now();
    const err = await failure(guardedFetch(`${server.origin}/silent`, base({ timeoutMs: 250 })));
    expect(err.kind).toBe('retryable');
    expect(err.message).toMatch(/timed out after 250 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('times out a body that stalls (the timeout covers the whole exchange)', async () => {
    const err = await failure(guardedFetch(`${server.origin}/stall-body`, base({ timeoutMs: 250 })));
    expect(err.kind).toBe('retryable');
    expect(err.message).toMatch(/timed out/);
  });

  it('refuses a declared Content-Length over the cap before reading', async () => {
    const err = await failure(guardedFetch(`${server.origin}/declared-big`, base({ maxBytes: 1_000 })));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/larger than 1000 bytes \(Content-Length 5000000\)/);
  });

  it('aborts a streamed body once it passes the cap', async () => {
    const err = await failure(guardedFetch(`${server.origin}/streamed-big`, base({ maxBytes: 100_000 })));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/larger than 100000 bytes/);
  });

  it('caps the decoded size of a compressed body (gzip bomb)', async () => {
    const err = await failure(guardedFetch(`${server.origin}/gzip-bomb`, base({ maxBytes: 1_000_000 })));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/larger than 1000000 bytes/);
  });

  it('follows up to maxRedirects redirects and refuses more', async () => {
    const ok = await guardedFetch(`${server.origin}/hop/3`, base());
    expect(ok.body.toString()).toBe('arrived');
    expect(ok.finalUrl).toBe(`${server.origin}/hop/0`);
    const err = await failure(guardedFetch(`${server.origin}/hop/4`, base()));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/more than 3 redirects/);
    const one = await failure(guardedFetch(`${server.origin}/hop/2`, base({ maxRedirects: 1 })));
    expect(one.message).toMatch(/more than 1 redirects/);
  });
});

describe('guardedFetch: error kinds', () => {
  it('4xx is permanent; 5xx and 429 are retryable (429 with its Retry-After)', async () => {
    const gone = await failure(guardedFetch(`${server.origin}/gone`, base()));
    expect([gone.kind, gone.message]).toEqual(['permanent', `${server.origin}/gone: HTTP 410 Gone`]);
    const down = await failure(guardedFetch(`${server.origin}/unavailable`, base()));
    expect(down.kind).toBe('retryable');
    const slow = await failure(guardedFetch(`${server.origin}/slow-down`, base()));
    expect(slow.kind).toBe('retryable');
    expect(slow.retryAt).toBeGreaterThan(Date.now() + 100_000);
  });

  it('a closed port is a retryable network error', async () => {
    const closed = await startServer();
    const url = `${closed.origin}/ok`;
    await closed.close();
    const err = await failure(guardedFetch(url, base()));
    expect(err.kind).toBe('retryable');
    expect(err.message).toMatch(/connection refused/);
  });

  it('refuses non-http schemes, also as a redirect target', async () => {
    for (const url of ['ftp://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,hi']) {
      const err = await failure(guardedFetch(url, base()));
      expect(err.kind, url).toBe('permanent');
      expect(err.message, url).toMatch(/only http and https/);
    }
    const err = await failure(guardedFetch(`${server.origin}/to-ftp`, base()));
    expect(err.message).toMatch(/only http and https URLs can be fetched, not ftp/);
  });

  it('sends URL credentials as Basic auth but never puts them in messages', async () => {
    const url = `http://bob:s3cr3t-token@127.0.0.1:${server.port}/auth?token=abc123`;
    const err = await failure(guardedFetch(url, base()));
    expect(err.message).toMatch(/HTTP 403 Forbidden/);
    expect(server.headers.get('/auth')?.authorization).toBe(`Basic ${Buffer.from('bob:s3cr3t-token').toString('base64')}`);
    for (const text of [err.message, err.where ?? '']) {
      expect(text).not.toMatch(/s3cr3t|bob|abc123/);
    }
    const refused = await failure(guardedFetch('http://bob:s3cr3t-token@10.0.0.5/', base()));
    expect(refused.message).not.toMatch(/s3cr3t|bob/);
  });
});
