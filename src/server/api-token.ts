import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

/** The environment variable holding the editor API's bearer token. */
export const API_TOKEN_ENV = 'THREADCAST_API_TOKEN';
export const MIN_TOKEN_LENGTH = 16;

/**
 * The token the editor API takes. `configured`: the operator's THREADCAST_API_TOKEN. `generated`: none is set
 * and the server listens on loopback only, so a random one is made for this start and shown, as a sign-in URL,
 * to whoever started it (as notebook servers do): the two-command start then reaches the page. Reachable from
 * other hosts, the server never makes one up: the API stays `off` until the operator sets a token.
 */
export type ApiToken =
  | { kind: 'configured'; token: string }
  | { kind: 'generated'; token: string }
  | { kind: 'off'; problem: 'unset' | 'too-short'; detail: string };

/** 24 random bytes: 32 URL-safe characters, to be pasted from a terminal or followed in a link. */
const GENERATED_TOKEN_BYTES = 24;

/** True for an address only this machine can connect to: 127.0.0.0/8, ::1 (also IPv4-mapped), `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.split('.')[0] === '127';
  if (isIP(bare) !== 6) return false;
  // The URL parser writes an IPv6 address in one canonical form (::1, ::ffff:7f00:1).
  const canonical = new URL(`http://[${bare}]/`).hostname;
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}

export function chooseApiToken(env: NodeJS.ProcessEnv, host: string): ApiToken {
  const token = env[API_TOKEN_ENV]?.trim();
  if (token && token.length < MIN_TOKEN_LENGTH) {
    return { kind: 'off', problem: 'too-short', detail: `${API_TOKEN_ENV} is shorter than ${MIN_TOKEN_LENGTH} characters` };
  }
  if (token) return { kind: 'configured', token };
  if (isLoopbackHost(host)) return { kind: 'generated', token: randomBytes(GENERATED_TOKEN_BYTES).toString('base64url') };
  return { kind: 'off', problem: 'unset', detail: `${API_TOKEN_ENV} is not set and server.host ${host} is reachable from other hosts` };
}

/** The page's address with the token, which the page takes once and drops from the address bar. */
export function signInUrl(pageUrl: string, token: string): string {
  const url = new URL(pageUrl);
  url.searchParams.set('token', token);
  return url.toString();
}
