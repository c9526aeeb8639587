import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwitterApi, type ITwitterApiClientPlugin } from 'twitter-api-v2';
import { emulatorClientSettings } from '../support/x-emulator/index.js';
import { harness, oauth1Client, oauth2Client, responseError, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness({ accessTokenTtlMs: 60 * 60_000 });
});
afterAll(async () => {
  await h.emu.stop();
});

const UNAUTHORIZED = { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' };

describe('OAuth 1.0a HMAC-SHA1', () => {
  it('accepts a correctly signed request', async () => {
    const creds = h.emu.addOAuth1User();
    const me = await oauth1Client(h.emu, creds).v2.me();
    expect(me.data.id).toBe(creds.userId);
  });

  it('refuses a signature made with the wrong consumer secret or token secret', async () => {
    const creds = h.emu.addOAuth1User();
    for (const bad of [{ ...creds, appSecret: creds.appSecret + 'x' }, { ...creds, accessSecret: 'nope' }]) {
      const err = await responseError(oauth1Client(h.emu, bad).v2.tweet('never stored'));
      expect(err.code).toBe(401);
      expect(err.data).toEqual(UNAUTHORIZED);
    }
    expect(h.emu.posts(creds.userId)).toEqual([]);
    expect(h.emu.requests().filter((r) => r.status === 401).every((r) => r.userId === undefined)).toBe(true);
  });

  it('signs form-encoded body parameters: a tampered body parameter is refused', async () => {
    const creds = h.emu.addOAuth1User();
    // Untampered form body: passes authentication (then refused as 400 because /2/tweets wants JSON).
    const honest = await responseError(oauth1Client(h.emu, creds).v2.post('tweets', { text: 'abc' }, { forceBodyMode: 'url' }));
    expect(honest.code).toBe(400);
    // Same request, body changed after signing (same length): 401.
    const tamper: ITwitterApiClientPlugin = {
      onBeforeRequest({ computedParams }) {
        if (typeof computedParams.body === 'string') computedParams.body = computedParams.body.replace('text=abc', 'text=abd');
      },
    };
    const err = await responseError(oauth1Client(h.emu, creds, [tamper]).v2.post('tweets', { text: 'abc' }, { forceBodyMode: 'url' }));
    expect(err.code).toBe(401);
  });

  it('signs query parameters: a tampered query parameter is refused', async () => {
    const creds = h.emu.addOAuth1User();
    const client = oauth1Client(h.emu, creds);
    await client.v2.get('users/:id/tweets', { max_results: 5 }, { params: { id: creds.userId } });
    const tamper: ITwitterApiClientPlugin = {
      onBeforeRequest({ computedParams }) {
        computedParams.url.searchParams.set('max_results', '6');
      },
    };
    const err = await responseError(
      oauth1Client(h.emu, creds, [tamper]).v2.get('users/:id/tweets', { max_results: 5 }, { params: { id: creds.userId } }),
    );
    expect(err.code).toBe(401);
  });

  it('refuses a timestamp more than 5 minutes away from the server clock', async () => {
    const creds = h.emu.addOAuth1User();
    const client = oauth1Client(h.emu, creds);
    try {
      h.clock.offsetMs = 6 * 60_000;
      expect((await responseError(client.v2.me())).code).toBe(401);
      h.clock.offsetMs = -6 * 60_000;
      expect((await responseError(client.v2.me())).code).toBe(401);
      h.clock.offsetMs = 4 * 60_000;
      expect((await client.v2.me()).data.id).toBe(creds.userId);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('refuses a reused nonce (a replayed request)', async () => {
    const creds = h.emu.addOAuth1User();
    let captured: { url: string; authorization: string } | undefined;
    const capture: ITwitterApiClientPlugin = {
      onBeforeRequest({ computedParams }) {
        captured = { url: computedParams.url.toString(), authorization: String(computedParams.headers.Authorization) };
      },
    };
    await oauth1Client(h.emu, creds, [capture]).v2.me();
    expect(captured?.authorization).toMatch(/^OAuth /);
    const replay = await fetch(captured!.url, { headers: { authorization: captured!.authorization } });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual(UNAUTHORIZED);
  });

  it('refuses a missing or malformed Authorization header and unknown bearer tokens', async () => {
    for (const authorization of [undefined, 'OAuth garbage', 'Bearer not-a-token', 'Basic Zm9vOmJhcg==']) {
      const res = await fetch(`${h.emu.url}/2/users/me`, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });
});

describe('OAuth 2.0 user context with rotating refresh tokens', () => {
  it('rotates on every refresh: the used refresh token dies at once, older access tokens live until expiry', async () => {
    const creds = h.emu.addOAuth2User();
    const first = await oauth2Client(h.emu, creds);
    expect(first.refreshToken).toBeTypeOf('string');
    expect(first.refreshToken).not.toBe(creds.refreshToken);
    expect(first.expiresIn).toBe(3600);
    expect(first.scope).toEqual(['tweet.read', 'tweet.write', 'users.read', 'offline.access', 'media.write']);
    expect((await first.client.v2.me()).data.id).toBe(creds.userId);

    // Second use of the first refresh token: refused with X's OAuth error body.
    const app = new TwitterApi({ clientId: creds.clientId }, emulatorClientSettings(h.emu.url));
    const reuse = await responseError(app.refreshOAuth2Token(creds.refreshToken));
    expect(reuse.code).toBe(400);
    // (twitter-api-v2 adds an `errors` array of its own to OAuth error bodies; the wire body is checked below.)
    expect(reuse.data).toMatchObject({ error: 'invalid_request', error_description: 'Value passed for the token was invalid.' });
    const raw = await fetch(`${h.emu.url}/2/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.refreshToken, client_id: creds.clientId }),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ error: 'invalid_request', error_description: 'Value passed for the token was invalid.' });

    const second = await app.refreshOAuth2Token(first.refreshToken!);
    const state = h.emu.oauth2State(creds.userId);
    expect(state.validRefreshTokens).toEqual([second.refreshToken]);
    expect(state.revokedRefreshTokens.sort()).toEqual([creds.refreshToken, first.refreshToken].sort());
    expect(state.validAccessTokens.sort()).toEqual([first.accessToken, second.accessToken].sort());

    // The previous access token still works until it expires.
    expect((await first.client.v2.tweet('posted with the older access token')).data.id).toBeTypeOf('string');
    try {
      h.clock.offsetMs = 61 * 60_000;
      expect((await responseError(first.client.v2.me())).code).toBe(401);
      expect((await responseError(second.client.v2.me())).code).toBe(401);
      expect(h.emu.oauth2State(creds.userId).validAccessTokens).toEqual([]);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('confidential clients must authenticate with HTTP Basic client_id:client_secret', async () => {
    const creds = h.emu.addOAuth2User({ confidential: true });
    expect(creds.clientSecret).toBeTypeOf('string');
    const wrong = new TwitterApi({ clientId: creds.clientId, clientSecret: 'wrong' }, emulatorClientSettings(h.emu.url));
    expect((await responseError(wrong.refreshOAuth2Token(creds.refreshToken))).code).toBe(401);
    // A failed client authentication does not burn the refresh token.
    const refreshed = await oauth2Client(h.emu, creds);
    expect((await refreshed.client.v2.me()).data.id).toBe(creds.userId);
  });

  it('accepts the form-encoded refresh an operator would send with curl', async () => {
    const creds = h.emu.addOAuth2User();
    const res = await fetch(`${h.emu.url}/2/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.refreshToken, client_id: creds.clientId }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token_type: 'bearer', expires_in: 3600, scope: 'tweet.read tweet.write users.read offline.access media.write' });
  });
});
