import { createHash, timingSafeEqual } from 'node:crypto';
import { API_TOKEN_ENV, MIN_TOKEN_LENGTH, type ApiToken } from './api-token.js';

export type GuardResult = { ok: true } | { ok: false; status: number; error: string };

/**
 * Compares the presented bearer token with the configured one in constant time. Both sides are hashed
 * first so neither the comparison's time nor an early length check tells an attacker anything.
 */
export function checkBearer(authorization: string | undefined, token: ApiToken): GuardResult {
  if (token.kind === 'off') return { ok: false, status: 401, error: `the editor API is off: set ${API_TOKEN_ENV} (at least ${MIN_TOKEN_LENGTH} characters) in the environment and restart` };
  // A token made up at start is known only from the sign-in URL printed then: say where to find it.
  const where = token.kind === 'generated' ? `: open the sign-in URL printed when threadcast started, or set ${API_TOKEN_ENV} and restart` : '';
  const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
  if (!presented) return { ok: false, status: 401, error: `a bearer token is required${where}` };
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(token.token).digest();
  return timingSafeEqual(a, b) ? { ok: true } : { ok: false, status: 401, error: `the token is not valid${where}` };
}

/**
 * CSRF defence for state-changing requests, on top of the bearer header (which a cross-site form cannot
 * send): only JSON bodies (a cross-site JSON POST needs a CORS preflight we never grant), no foreign
 * Origin, and no request the browser itself labels cross-site.
 */
export function checkSameOrigin(
  headers: { origin?: string; host?: string; 'content-type'?: string; 'sec-fetch-site'?: string },
  method: string,
  /** The route takes a file upload: multipart/form-data too (the bearer header still keeps cross-site forms out). */
  upload = false,
): GuardResult {
  if (method === 'GET' || method === 'HEAD') return { ok: true };
  const site = headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return { ok: false, status: 403, error: `cross-site request refused (Sec-Fetch-Site: ${site})` };
  if (headers.origin !== undefined) {
    let originHost: string | undefined;
    try {
      originHost = new URL(headers.origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost === undefined || originHost !== headers.host) return { ok: false, status: 403, error: 'cross-origin request refused' };
  }
  if (upload && /^multipart\/form-data\b/i.test(headers['content-type'] ?? '')) return { ok: true };
  if (!/^application\/json\b/i.test(headers['content-type'] ?? '')) return { ok: false, status: 415, error: 'send the body as application/json' };
  return { ok: true };
}
