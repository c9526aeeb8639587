import { TwitterApi, ApiResponseError, ApiRequestError, type ITwitterApiClientPlugin } from 'twitter-api-v2';
import { startXEmulator, emulatorClientSettings, type XEmulator, type XEmulatorOptions } from '../support/x-emulator/index.js';

export interface Harness {
  emu: XEmulator;
  /** A controllable clock: real time plus `offsetMs`. */
  clock: { offsetMs: number };
}

export async function harness(opts: Omit<XEmulatorOptions, 'now'> = {}): Promise<Harness> {
  const clock = { offsetMs: 0 };
  const emu = await startXEmulator({ ...opts, now: () => Date.now() + clock.offsetMs });
  return { emu, clock };
}

export function oauth1Client(emu: XEmulator, creds: ReturnType<XEmulator['addOAuth1User']>, plugins: ITwitterApiClientPlugin[] = []): TwitterApi {
  return new TwitterApi(
    { appKey: creds.appKey, appSecret: creds.appSecret, accessToken: creds.accessToken, accessSecret: creds.accessSecret },
    emulatorClientSettings(emu.url, { plugins }),
  );
}

/** Refresh once (as the production adapter would at start) and return the user client. */
export async function oauth2Client(emu: XEmulator, creds: ReturnType<XEmulator['addOAuth2User']>) {
  const app = new TwitterApi(
    creds.clientSecret ? { clientId: creds.clientId, clientSecret: creds.clientSecret } : { clientId: creds.clientId },
    emulatorClientSettings(emu.url),
  );
  return app.refreshOAuth2Token(creds.refreshToken);
}

/** Run `p` and return the ApiResponseError it rejects with (fails the test otherwise). */
export async function responseError(p: Promise<unknown>): Promise<ApiResponseError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiResponseError) return e;
    throw e;
  }
  throw new Error('expected the request to be refused');
}

/**
 * Run `p` and return the transport error under the ApiRequestError it rejects with.
 * twitter-api-v2 1.29 bug: `ApiRequestError.requestError` is always undefined (the constructor stores the cause
 * as `_options.error` but the getter reads `_options.requestError`), so read the hidden field.
 */
export async function requestError(p: Promise<unknown>): Promise<{ error: ApiRequestError; cause: NodeJS.ErrnoException | undefined }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiRequestError) {
      const options = (e as unknown as { _options?: { error?: NodeJS.ErrnoException } })._options;
      return { error: e, cause: e.requestError ?? options?.error };
    }
    throw e;
  }
  throw new Error('expected the request to fail at the transport level');
}
