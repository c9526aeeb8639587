import http from 'node:http';
import { TwitterApi, type ITwitterApiClientPlugin, type TwitterApiTokens } from 'twitter-api-v2';

/** Hosts twitter-api-v2 has built in; every request to them goes to the channel's apiBase instead. */
const X_HOSTS = new Set(['api.x.com', 'api.twitter.com', 'upload.twitter.com', 'upload.x.com']);

const REQUEST_TIMEOUT_MS = 30_000;

export interface XClientHooks {
  /** Every answer's headers, with the request that got them (windows are per endpoint). */
  onHeaders?(headers: Record<string, unknown>, request: { method: string; path: string }): void;
  /** Timeout of each request; default 30 s (`threadcast doctor` uses its own, shorter one). */
  timeoutMs?: number;
}

/**
 * twitter-api-v2 has no base-URL setting (as of 1.29). A plugin rewrites each request's URL to the
 * configured apiBase (an API gateway, or a test server), and reports every answer's headers so the
 * rate gate learns the windows from successes and errors alike.
 */
function routingPlugin(apiBase: string, hooks: XClientHooks): ITwitterApiClientPlugin {
  const base = new URL(apiBase);
  return {
    onBeforeRequestConfig({ url, params }) {
      if (X_HOSTS.has(url.hostname)) {
        params.url = `${base.origin}${base.pathname.replace(/\/$/, '')}${url.pathname}${url.search}`;
      }
      // Every call gets a timeout; twitter-api-v2 sets none by default.
      params.timeout ??= hooks.timeoutMs ?? REQUEST_TIMEOUT_MS;
    },
    onBeforeRequest({ requestOptions }) {
      // That timeout is Node's socket idle time: a server (a bad gateway as apiBase) that sends a byte now and then
      // would hold the call, the publish lane and SIGTERM for ever. The same time bounds the whole call, as it does
      // every Mastodon call (src/platforms/mastodon/api.ts); Node aborts the request, and it fails as a timeout does.
      requestOptions.signal ??= AbortSignal.timeout(hooks.timeoutMs ?? REQUEST_TIMEOUT_MS);
    },
    onAfterRequest({ response, computedParams }) {
      hooks.onHeaders?.(response.headers as Record<string, unknown>, requestOf(computedParams));
    },
    onResponseError({ error, computedParams }) {
      hooks.onHeaders?.((error.headers ?? {}) as Record<string, unknown>, requestOf(computedParams));
    },
  };
}

function requestOf(computed: { method: string; url: URL }): { method: string; path: string } {
  return { method: computed.method.toUpperCase(), path: computed.url.pathname };
}

function settings(apiBase: string, hooks: XClientHooks) {
  // twitter-api-v2 defaults to an https agent; a plain-http base (a local gateway) needs its own.
  return {
    plugins: [routingPlugin(apiBase, hooks)],
    ...(new URL(apiBase).protocol === 'http:' ? { httpAgent: new http.Agent({ keepAlive: true }) } : {}),
  };
}

export function oauth1Client(apiBase: string, tokens: TwitterApiTokens, hooks: XClientHooks = {}): TwitterApi {
  return new TwitterApi(tokens, settings(apiBase, hooks));
}

export function bearerClient(apiBase: string, accessToken: string, hooks: XClientHooks = {}): TwitterApi {
  return new TwitterApi(accessToken, settings(apiBase, hooks));
}

export function oauth2AppClient(apiBase: string, clientId: string, clientSecret: string | undefined): TwitterApi {
  return new TwitterApi({ clientId, ...(clientSecret ? { clientSecret } : {}) }, settings(apiBase, {}));
}
