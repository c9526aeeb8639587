// The API client and the token. The token is kept in sessionStorage (it dies with the tab) and handed to a
// new tab of the same editor over a BroadcastChannel, so opening a second tab does not ask again. That is as
// safe as sessionStorage itself: a BroadcastChannel reaches only pages of this origin, and this origin serves
// nothing but the editor (CSP script-src 'self', no third-party content), so whoever could listen could read
// sessionStorage anyway. Nothing is written to localStorage or a cookie: closing the last tab forgets it.

const TOKEN_KEY = 'threadcast.token';
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('threadcast.token') : null;
const TOKEN_ASK_MS = 300;

export class ApiError extends Error {
  constructor(status, message, field, body = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.field = field;
    /** The answer's JSON: some failures carry data (a retract the platform failed answers 502 with the delivery). */
    this.body = body;
  }
}

let onUnauthorized = () => {};
let onForgotten = () => {};

/** What to do on a 401 (the page goes back to the token form), and when another tab forgets the token. */
export function handleAuth(handlers) {
  onUnauthorized = handlers.unauthorized;
  onForgotten = handlers.forgotten;
}

export const readToken = () => sessionStorage.getItem(TOKEN_KEY);
export const storeToken = (token) => sessionStorage.setItem(TOKEN_KEY, token);

/** Forgets the token here and, when `everywhere`, in every open tab of the editor. */
export function forgetToken(everywhere = false) {
  sessionStorage.removeItem(TOKEN_KEY);
  if (everywhere) channel?.postMessage({ type: 'forget' });
}

channel?.addEventListener('message', (event) => {
  const message = event.data;
  if (message?.type === 'ask') {
    const token = readToken();
    if (token) channel.postMessage({ type: 'token', token });
  } else if (message?.type === 'forget' && readToken()) {
    sessionStorage.removeItem(TOKEN_KEY);
    onForgotten();
  }
});

/** The token of another open tab, or null when none answers in time. */
export function askOtherTabs() {
  if (!channel) return Promise.resolve(null);
  return new Promise((resolve) => {
    const done = (token) => {
      clearTimeout(timer);
      channel.removeEventListener('message', listen);
      resolve(token);
    };
    const listen = (event) => {
      if (event.data?.type === 'token' && typeof event.data.token === 'string') done(event.data.token);
    };
    const timer = setTimeout(() => done(null), TOKEN_ASK_MS);
    channel.addEventListener('message', listen);
    channel.postMessage({ type: 'ask' });
  });
}

/**
 * One request to the API. Same-origin fetch with a JSON body is exactly what the server's CSRF check
 * expects (FormData for the one upload route). A 401 anywhere sends the user back to the token form.
 */
export async function api(method, path, body, { signal, raw = false } = {}) {
  const token = readToken();
  if (!token) {
    onUnauthorized('');
    throw new ApiError(401, 'Enter the API token.');
  }
  const headers = { Accept: raw ? 'image/*' : 'application/json', Authorization: `Bearer ${token}` };
  const init = { method, headers, signal, cache: 'no-store', credentials: 'same-origin' };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (raw && response.ok) return response.blob();
  let data = null;
  try {
    data = await response.json();
  } catch {
    // Not JSON (a proxy's error page, an empty body): the status alone has to do.
  }
  const serverMessage = data && typeof data.error === 'string' ? data.error : null;
  if (response.status === 401) {
    const message = serverMessage ?? 'The API token was refused.';
    onUnauthorized(message);
    throw new ApiError(401, message);
  }
  if (!response.ok) {
    const field = data && typeof data.field === 'string' ? data.field : undefined;
    throw new ApiError(response.status, serverMessage ?? `The server answered ${response.status}.`, field, data);
  }
  return data ?? {};
}

export const deliveryPath = (id, action = '', scope = 'item') =>
  `/api/deliveries/${encodeURIComponent(id)}${action ? `/${action}` : ''}${scope === 'channel' ? '?scope=channel' : ''}`;

export const isAbort = (err) => err instanceof DOMException && err.name === 'AbortError';
export const isUnauthorized = (err) => err instanceof ApiError && err.status === 401;

/** Thumbnails come through the API (they need the token); each is fetched once and shown as a blob: URL. */
const thumbs = new Map();
export function thumbUrl(path) {
  let url = thumbs.get(path);
  if (!url) {
    url = api('GET', path, undefined, { raw: true }).then((blob) => URL.createObjectURL(blob));
    url.catch(() => thumbs.delete(path));
    thumbs.set(path, url);
  }
  return url;
}
