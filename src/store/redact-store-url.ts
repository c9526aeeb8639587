/**
 * A store URL fit for a message: any password (or bare userinfo, which may be one) replaced by ***. Works on
 * unparsable text too, since it is used to report URLs that could not be parsed. Apart from the Redis driver so
 * that naming a store in an error does not load it.
 */
export function redactStoreUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*)@/i, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon >= 0 ? `${scheme}${userinfo.slice(0, colon)}:***@` : `${scheme}***@`;
  });
}
