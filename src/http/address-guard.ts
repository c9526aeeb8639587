import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { canonicalAddress, classifyAddress, stripBrackets, type AddressProblem } from './addresses.js';

/**
 * The SSRF guard of the one HTTP client (http/fetch.ts), on every fetch of a URL that came from outside: link cards
 * and images (media/guarded-fetch) and the redirects a feed server answers with (sources/fetch-feed).
 *
 * It works at connect time: the Agent's `lookup` resolves the host name, checks *every* address it got, and only
 * then lets the socket connect to one of them — so a name that answers a public address to a pre-check and a
 * private one to the connect (DNS rebinding) cannot slip through. IP literals never reach `lookup`, so the connector
 * checks them itself before connecting, and checks the socket's peer address once more after connecting.
 */

/** Thrown by the guarded lookup/connector; the fetchers turn it into a permanent ThreadcastError. */
export class BlockedAddressError extends Error {
  readonly code = 'ERR_THREADCAST_BLOCKED_ADDRESS';
  constructor(
    readonly address: string,
    readonly problem: AddressProblem,
  ) {
    super(`address ${address} is ${problem}; add the host to web.allowPrivateHosts to allow it`);
    this.name = 'BlockedAddressError';
  }
}

/** The allow list, normalised: host names lower-cased without a trailing dot, IPs in canonical form. */
export class PrivateHostAllowList {
  private readonly names = new Set<string>();
  private readonly ips = new Set<string>();

  /**
   * `entries`: config `web.allowPrivateHosts` — a host name allows whatever it resolves to, an IP entry allows that
   * address whatever name led to it. `exactHosts`: hosts allowed only as spelled (after URL normalisation), IP
   * literals included — for a feed's configured host, which may be private but lends that trust to no other name.
   */
  constructor(entries: readonly string[], exactHosts: readonly string[] = []) {
    for (const raw of entries) {
      const entry = normaliseHost(raw);
      if (!entry) continue;
      const ip = canonicalAddress(entry);
      if (ip) this.ips.add(ip);
      else this.names.add(entry);
    }
    for (const raw of exactHosts) {
      const entry = normaliseHost(raw);
      if (entry) this.names.add(entry);
    }
  }

  /** May `address`, reached through host name `host` (or an IP literal), be connected to? */
  allows(host: string, address: string): boolean {
    if (classifyAddress(address) === undefined) return true;
    if (this.names.has(normaliseHost(host))) return true;
    const ip = canonicalAddress(address);
    return ip !== undefined && this.ips.has(ip);
  }

  /** Throws BlockedAddressError when the address may not be reached. */
  check(host: string, address: string): void {
    if (this.allows(host, address)) return;
    throw new BlockedAddressError(address, classifyAddress(address) ?? 'not an IP address');
  }
}

function normaliseHost(host: string): string {
  return stripBrackets(host.trim().toLowerCase()).replace(/\.$/, '');
}

type ResolveAll = (hostname: string, options: LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * A `lookup` for net/tls.connect that refuses the connection when any address the name resolves to is not
 * allowed. `resolve` is injectable for tests (default `dns.lookup`).
 */
export function createGuardedLookup(allow: PrivateHostAllowList, resolve: ResolveAll = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    const opts = typeof options === 'object' && options !== null ? options : {};
    resolve(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      if (!addresses || addresses.length === 0) {
        const notFound: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        notFound.code = 'ENOTFOUND';
        return callback(notFound, '', 0);
      }
      for (const { address } of addresses) {
        try {
          allow.check(hostname, address);
        } catch (blocked) {
          return callback(blocked as Error, '', 0);
        }
      }
      if ((opts as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

/** An undici Agent whose every connection goes through the guard; `timeoutMs` bounds connect, headers and body. */
export function createGuardedAgent(allow: PrivateHostAllowList, timeoutMs: number): Agent {
  const base = buildConnector({ lookup: createGuardedLookup(allow), timeout: timeoutMs });
  const connect: buildConnector.connector = (options, callback) => {
    const host = stripBrackets(options.hostname);
    if (isIP(host)) {
      try {
        allow.check(host, host);
      } catch (err) {
        return callback(err as Error, null);
      }
    }
    base(options, (err, socket) => {
      if (err || !socket) return callback(err ?? new Error('connect failed'), null);
      // Belt and braces: whatever path led here, the peer we actually reached must be allowed too.
      const remote = socket.remoteAddress;
      if (remote && !allow.allows(host, remote)) {
        socket.destroy();
        return callback(new BlockedAddressError(remote, classifyAddress(remote) ?? 'not an IP address'), null);
      }
      callback(null, socket);
    });
  };
  return new Agent({
    connect,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 1_000,
    connections: 4,
  });
}

/** The guard's refusal somewhere in an error's `cause` chain (fetch and undici wrap what the connector threw). */
export function blockedAddressIn(err: unknown): BlockedAddressError | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof BlockedAddressError) return e;
  }
  return undefined;
}
