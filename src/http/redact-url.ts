/**
 * URLs fit for a message, an error or a log line. A URL's password and the values of secret-looking query
 * parameters are masked, so a private feed's token or a service's credentials never reach a log line or an error.
 */
const SECRET_PARAM = /^(?:token|access_token|auth|auth_token|key|api_key|apikey|secret|password|passwd|sig|signature|session|sessionid)$/i;

/** Masks the password and secret query values; anything that is not an absolute URL (a file path) is left as is. */
export function redactLocation(location: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return location;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return location;
  }
  let changed = false;
  if (url.password) {
    url.password = '***';
    changed = true;
  }
  if (url.search) {
    const parts = url.search.slice(1).split('&').map((part) => {
      const eq = part.indexOf('=');
      const key = eq < 0 ? part : part.slice(0, eq);
      if (eq >= 0 && SECRET_PARAM.test(safeDecode(key))) {
        changed = true;
        return `${key}=***`;
      }
      return part;
    });
    url.search = parts.join('&');
  }
  return changed ? url.href : location;
}

/** A URL fit for a message or a log line: no user name or password, secret-looking query values masked. */
export function redactUrl(url: string | URL): string {
  let text: string;
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    text = redactLocation(u.href);
  } catch {
    text = String(url).replace(/\/\/[^/?#@]*@/, '//');
  }
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/** A form-encoded URL component decoded (`+` is a space); left as is when it is not valid percent-encoding. */
export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
