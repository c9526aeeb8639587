/**
 * OAuth 2.0 rotation must survive a restart between the refresh and the first use of the new token:
 * the refresh token X just rotated is the only one that works, so it must already be in the store.
 */
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { bearerClient } from '../../../src/platforms/x/client.js';
import { OAuth2Tokens } from '../../../src/platforms/x/oauth2-tokens.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { tempDir } from '../../support/cli.js';
import { startXEmulator, type XEmulator } from '../../support/x-emulator/index.js';

const log = pino({ level: 'silent' });
let x: XEmulator | undefined;
let store: SqliteStore | undefined;
afterEach(async () => {
  await x?.stop();
  await store?.close();
});

describe('X OAuth 2.0 tokens', () => {
  it('a restart right after a refresh uses the stored, rotated tokens, never the dead environment token', async () => {
    x = await startXEmulator();
    store = new SqliteStore(':memory:');
    const user = x.addOAuth2User({ confidential: true });
    const opts = { channelId: 'x', apiBase: x.url, clientId: user.clientId, clientSecret: user.clientSecret!, envRefreshToken: user.refreshToken, kv: store.kv, log, now: Date.now };

    // Process A refreshes, persists, and dies before using the new access token.
    await new OAuth2Tokens(opts).refresh();
    expect(x.oauth2State(user.userId).revokedRefreshTokens).toContain(user.refreshToken);

    // Process B starts with the same environment: the stored pair is used as is.
    const b = new OAuth2Tokens(opts);
    const access = await b.accessToken();
    expect(x.oauth2State(user.userId).validAccessTokens).toContain(access);
    expect((await bearerClient(x.url, access).v2.me()).data.id).toBe(user.userId);
    // And B can rotate again from the stored refresh token.
    const next = await b.refresh();
    expect((await bearerClient(x.url, next).v2.me()).data.id).toBe(user.userId);
    expect(JSON.stringify(await store.kv.get('x:oauth2:x'))).not.toContain(next);
  });

  it('two processes refreshing at once spend the refresh token once and both get the rotated tokens', async () => {
    x = await startXEmulator();
    const file = path.join(tempDir('threadcast-oauth2-'), 'state.sqlite');
    store = new SqliteStore(file);
    const other = new SqliteStore(file);
    try {
      const user = x.addOAuth2User({ confidential: true });
      const base = { channelId: 'x', apiBase: x.url, clientId: user.clientId, clientSecret: user.clientSecret!, envRefreshToken: user.refreshToken, log, now: Date.now };
      const [a, b] = await Promise.all([
        new OAuth2Tokens({ ...base, kv: store.kv, leases: store }).refresh(),
        new OAuth2Tokens({ ...base, kv: other.kv, leases: other }).refresh(),
      ]);
      expect(b).toBe(a);
      expect(x.oauth2State(user.userId).revokedRefreshTokens).toEqual([user.refreshToken]);
      expect((await bearerClient(x.url, a).v2.me()).data.id).toBe(user.userId);
    } finally {
      await other.close();
    }
  });

  it('refreshes an expired access token with the stored refresh token after a restart', async () => {
    x = await startXEmulator({ accessTokenTtlMs: 30_000 }); // shorter than the one-minute early refresh
    store = new SqliteStore(':memory:');
    const user = x.addOAuth2User();
    const opts = { channelId: 'x', apiBase: x.url, clientId: user.clientId, envRefreshToken: user.refreshToken, secretKey: 'a-test-secret-key-of-some-length', kv: store.kv, log, now: Date.now };
    const first = await new OAuth2Tokens(opts).accessToken();
    const second = await new OAuth2Tokens(opts).accessToken();
    expect(second).not.toBe(first);
    expect(x.oauth2State(user.userId).revokedRefreshTokens).toHaveLength(2);
  });

  it('prefers a refresh token the operator newly put in the environment over the stored one', async () => {
    x = await startXEmulator();
    store = new SqliteStore(':memory:');
    const user = x.addOAuth2User();
    const base = { channelId: 'x', apiBase: x.url, clientId: user.clientId, secretKey: 'a-test-secret-key-of-some-length', kv: store.kv, log, now: Date.now };
    await new OAuth2Tokens({ ...base, envRefreshToken: user.refreshToken }).refresh();
    const before = x.oauth2State(user.userId).revokedRefreshTokens.length;
    // A token X never issued: if it is the one sent, X refuses it and no stored token is rotated.
    await expect(new OAuth2Tokens({ ...base, envRefreshToken: 'operator-supplied-token' }).accessToken()).rejects.toThrow(/refused|invalid|400/i);
    expect(x.oauth2State(user.userId).revokedRefreshTokens).toHaveLength(before);
    // The unchanged environment token still maps to the stored state.
    expect(await new OAuth2Tokens({ ...base, envRefreshToken: user.refreshToken }).accessToken()).toBeTruthy();
  });

  it('refuses to keep the tokens of a public client without a secretKey to seal them', async () => {
    x = await startXEmulator();
    store = new SqliteStore(':memory:');
    const user = x.addOAuth2User();
    const tokens = new OAuth2Tokens({ channelId: 'x', apiBase: x.url, clientId: user.clientId, envRefreshToken: user.refreshToken, kv: store.kv, log, now: Date.now });
    await expect(tokens.accessToken()).rejects.toThrow(/public client needs secretKey/);
    expect(x.oauth2State(user.userId).revokedRefreshTokens).toHaveLength(0);
  });
});
