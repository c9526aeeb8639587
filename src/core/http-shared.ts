/** What the feed fetcher and the guarded web fetcher share about talking HTTP. */

/** Move URL credentials into a Basic Authorization header: they must not travel in the request line. */
export function splitCredentials(url: URL): { requestUrl: string; authorization?: string } {
  if (!url.username && !url.password) return { requestUrl: url.href };
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  const user = safeDecode(url.username);
  const pass = safeDecode(url.password);
  return { requestUrl: bare.href, authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Errno and undici codes in words a person understands. */
export const NETWORK_MESSAGES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for response headers',
  UND_ERR_BODY_TIMEOUT: 'timed out reading the body',
  UND_ERR_SOCKET: 'connection closed by the server',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};
