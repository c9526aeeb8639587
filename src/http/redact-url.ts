/**
 * URLs fit for a message, an error or a log line. A URL's password (or its user name, when it has no password: a
 * token in that place, as `https://TOKEN@host/`, is how several services take one) and the values of
 * secret-looking query parameters are masked, so a private feed's token or a service's credentials never reach a
 * log line, an error, the store's health marks or /readyz.
 *
 * A parameter is secret-looking when a word of its name is one (`feed_token`, `private_token`, `X-Amz-Signature`,
 * `AWSAccessKeyId`, `access_key`, `apiKey`): names are split at `-`, `_`, `.` and lower-to-upper case changes, and
 * each word is compared, so a name like `author` or `keyword` is left alone. Masking a value that was not secret
 * costs a log reader a detail; leaving a secret costs the operator the feed.
 */
const SECRET_WORD = /^(?:\w*token|\w*secret|\w*key|\w*keyid|sig|signature|pass|passwd|password|passphrase|pwd|auth|authorization|credentials?|session|sessionid|sid|jwt|code)$/i;

function isSecretName(name: string): boolean {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s_.\-[\]]+/);
  return words.some((word) => word !== '' && SECRET_WORD.test(word));
}

/** Masks the credentials and secret query values; anything that is not an absolute URL (a file path) is left as is. */
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
  } else if (url.username) {
    url.username = '***';
    changed = true;
  }
  if (url.search) {
    const parts = url.search.slice(1).split('&').map((part) => {
      const eq = part.indexOf('=');
      const key = eq < 0 ? part : part.slice(0, eq);
      if (eq >= 0 && isSecretName(safeDecode(key))) {
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
