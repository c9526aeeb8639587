/**
 * The environment a test's config reads its credentials from (`${X_API_KEY}` and the like, as in the README's config
 * example): one spelling of the variable names for every suite that runs against the X emulator or the local PDS.
 */
import type { TestAccount } from './pds/client.js';
import type { XEmulator } from './x-emulator/index.js';

/** OAuth 1.0a: X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN, X_ACCESS_SECRET. */
export function xOAuth1Env(user: ReturnType<XEmulator['addOAuth1User']>): Record<string, string> {
  return { X_API_KEY: user.appKey, X_API_SECRET: user.appSecret, X_ACCESS_TOKEN: user.accessToken, X_ACCESS_SECRET: user.accessSecret };
}

/** BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD: how a bot logs in (with the app password, never the main one). */
export function blueskyEnv(account: Pick<TestAccount, 'handle' | 'appPassword'>): Record<string, string> {
  return { BLUESKY_IDENTIFIER: account.handle, BLUESKY_APP_PASSWORD: account.appPassword };
}
