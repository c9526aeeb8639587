/**
 * OAuth 1.0a HMAC-SHA1 verification (RFC 5849 §3.4), written with node:crypto.
 *
 * Signature base string = METHOD & enc(base URI) & enc(normalised parameters), where the base URI is the URL as
 * the client addressed it (scheme, lower-case host, port unless default, path; no query) and the parameters are
 * the query parameters, the `oauth_*` parameters of the Authorization header (minus `oauth_signature` and
 * `realm`) and — only for `application/x-www-form-urlencoded` bodies — the body parameters. JSON and multipart
 * bodies are not signed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 percent-encoding as RFC 5849 §3.6 requires. */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Decode an application/x-www-form-urlencoded string into ordered pairs ('+' is a space). */
export function parseFormPairs(s: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (!s) return out;
  for (const part of s.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = i < 0 ? part : part.slice(0, i);
    const v = i < 0 ? '' : part.slice(i + 1);
    out.push([decodeURIComponent(k.replace(/\+/g, ' ')), decodeURIComponent(v.replace(/\+/g, ' '))]);
  }
  return out;
}

/** Parse `Authorization: OAuth k="v", …` into decoded parameters; undefined when it is not an OAuth header. */
export function parseOAuthHeader(header: string | undefined): Map<string, string> | undefined {
  if (!header || !/^OAuth\s+/i.test(header)) return undefined;
  const params = new Map<string, string>();
  const body = header.replace(/^OAuth\s+/i, '');
  const re = /\s*([^=,\s]+)\s*=\s*"([^"]*)"\s*(?:,|$)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(body)) !== null) {
    if (m.index !== consumed) return undefined; // garbage between parameters
    consumed = re.lastIndex;
    const key = decodeURIComponent(m[1] ?? '');
    if (params.has(key)) return undefined; // RFC 5849: parameters must not repeat
    params.set(key, decodeURIComponent(m[2] ?? ''));
  }
  if (consumed !== body.length || params.size === 0) return undefined;
  return params;
}

export interface SignatureInput {
  method: string;
  /** scheme://host[:port]/path exactly as addressed (no query). */
  baseUri: string;
  /** Query, oauth_* (without oauth_signature, realm) and form-body parameters. */
  params: Array<[string, string]>;
  consumerSecret: string;
  tokenSecret: string;
}

export function signatureBaseString(method: string, baseUri: string, params: Array<[string, string]>): string {
  const normalised = params
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return [method.toUpperCase(), percentEncode(baseUri), percentEncode(normalised)].join('&');
}

export function hmacSha1Signature(input: SignatureInput): string {
  const key = percentEncode(input.consumerSecret) + '&' + percentEncode(input.tokenSecret);
  return createHmac('sha1', key).update(signatureBaseString(input.method, input.baseUri, input.params)).digest('base64');
}

export function signaturesEqual(expectedB64: string, givenB64: string): boolean {
  const a = Buffer.from(expectedB64, 'base64');
  const b = Buffer.from(givenB64, 'base64');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/** Normalise the addressed URL into the RFC 5849 §3.4.1.2 base string URI. */
export function baseStringUri(scheme: 'http' | 'https', hostHeader: string, path: string): string {
  let host = hostHeader.toLowerCase();
  if ((scheme === 'http' && host.endsWith(':80')) || (scheme === 'https' && host.endsWith(':443'))) {
    host = host.replace(/:\d+$/, '');
  }
  return `${scheme}://${host}${path}`;
}
