/**
 * How to aim twitter-api-v2 1.29 at another host (the emulator, a gateway) — the recipe that works for every
 * call we use: tweets, users, the v2 chunked media upload and the OAuth 2 token refresh.
 *
 *   new TwitterApi(credentials, {
 *     plugins: [redirectPlugin(base)],   // rewrites params.url before signing
 *     httpAgent: new http.Agent(),       // only for plain http:// bases
 *   })
 *
 * Why a plugin and not `client.v2.setPrefix(base + '/2/')`: setPrefix only covers relative endpoints of that
 * sub-client; `refreshOAuth2Token()` posts to the absolute `https://api.x.com/2/oauth2/token` and
 * `v2.me()`/`currentUserV2()` passes its own prefix, so those would still reach api.x.com. The plugin's
 * `onBeforeRequestConfig` runs before the OAuth 1.0a signature is computed, so the signature covers the URL
 * really requested. The library always calls `https.request`; Node accepts an `http:` URL there only when the
 * agent is an `http.Agent` (the agent's protocol wins), hence `httpAgent`. Clients derived from a client (e.g.
 * the one `refreshOAuth2Token()` returns) inherit both settings.
 */
import http from 'node:http';
import type { ITwitterApiClientPlugin, IClientSettings } from 'twitter-api-v2';

export function redirectPlugin(base: string): ITwitterApiClientPlugin {
  const target = new URL(base);
  return {
    onBeforeRequestConfig({ params }) {
      const url = new URL(params.url.startsWith('http') ? params.url : 'https://' + params.url);
      url.protocol = target.protocol;
      url.host = target.host;
      params.url = url.toString();
    },
  };
}

/** Settings for `new TwitterApi(credentials, settings)` aimed at `base` (e.g. the emulator's `url`). */
export function emulatorClientSettings(base: string, extra: Partial<IClientSettings> = {}): Partial<IClientSettings> {
  const plugins = [redirectPlugin(base), ...(extra.plugins ?? [])];
  const settings: Partial<IClientSettings> = { ...extra, plugins };
  if (base.startsWith('http:')) settings.httpAgent = extra.httpAgent ?? new http.Agent();
  return settings;
}
