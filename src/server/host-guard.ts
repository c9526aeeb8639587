import { isIP } from 'node:net';
import { clipForMessage } from '../core/errors.js';
import type { GuardResult } from './request-guard.js';

/**
 * The defence against DNS rebinding: a web page on a name its owner controls (`evil.example`) has the name resolve
 * to 127.0.0.1, or to this server's LAN address, and then reads this server as its own origin from the visitor's
 * browser. The editor API still needs its token, but `/readyz` and `/metrics` (source names, feed errors, counts)
 * and the page's files do not. Such a request always carries the attacker's name in its Host header, so only
 * names the operator chose are served:
 * - an IP address (nothing was resolved: the client dialled this address itself);
 * - `localhost` and names under `.localhost`, which browsers and resolvers keep on this machine (RFC 6761 §6.3);
 * - the name in `server.host`, when the server listens on a name rather than an address;
 * - the names in `server.allowedHosts` (a leading dot takes the name and every name under it), for a reverse proxy
 *   that passes its own Host on, or a scraper that calls the service by a DNS name.
 * The same rule as Vite's dev server and Jupyter's: the Host header is checked, before anything else is read.
 */
export function checkHost(hostHeader: string | undefined, server: { host: string; allowedHosts: readonly string[] }): GuardResult {
  const allowedHosts = [server.host, ...server.allowedHosts];
  // HTTP/1.1 requires Host (Node answers 400 without one); an HTTP/1.0 client that sends none named nothing.
  if (hostHeader === undefined) return { ok: true };
  const name = hostName(hostHeader);
  if (name !== undefined && (isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost') || allowedHosts.some((a) => matches(name, a)))) {
    return { ok: true };
  }
  return {
    ok: false,
    status: 403,
    error: `host ${JSON.stringify(clipForMessage(hostHeader, 100))} is not served: add its name to server.allowedHosts (a guard against DNS rebinding)`,
  };
}

/** The host name of a Host header (`name`, `name:port`, `[v6]:port`), lower case, without one trailing dot. */
function hostName(header: string): string | undefined {
  const value = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d*)?$/.exec(value);
  if (bracketed) return bracketed[1];
  const plain = /^([^:[\]\s/@]+?)\.?(?::\d*)?$/.exec(value);
  return plain?.[1];
}

function matches(name: string, allowed: string): boolean {
  const wanted = allowed.trim().toLowerCase().replace(/\.$/, '');
  if (wanted.startsWith('.')) return name === wanted.slice(1) || name.endsWith(wanted);
  return name === wanted;
}
