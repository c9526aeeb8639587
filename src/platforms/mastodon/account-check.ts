/**
 * `threadcast doctor` for a Mastodon channel: GET /api/v1/accounts/verify_credentials with the channel's token,
 * sorted into what an operator must do. Never repeats the token.
 */
import { describeError, PlatformError } from '../../core/errors.js';
import type { AccountCheck } from '../publisher.js';
import type { MastodonApi } from './api.js';
import { channelComposeLimits } from './compose.js';
import { MASTODON_SCOPES, type MastodonChannelConfig } from './config.js';
import type { InstanceLimits } from './instance-limits.js';

export interface VerifiedAccount {
  id: string;
  username: string;
  acct: string;
}

/**
 * Who the token acts for, and the instance's limits beside what the channel composes for: a channel composing
 * for more than the instance allows has its threads composed again at publish time (unlike their preview), one
 * composing for less wastes room; either way doctor advises setting maxCharacters to the instance's.
 */
export async function probeMastodonAccount(api: MastodonApi, limits: InstanceLimits, channel: Pick<MastodonChannelConfig, 'id' | 'instance' | 'maxCharacters'>): Promise<AccountCheck> {
  const host = new URL(channel.instance).host;
  let me: VerifiedAccount;
  try {
    me = (await api.call<VerifiedAccount>('GET', '/api/v1/accounts/verify_credentials')).body;
  } catch (err) {
    return accountProblem(err, host);
  }
  const account = `@${me.username}@${host}`;
  const composed = channelComposeLimits(channel);
  const composedSaid = `${channel.maxCharacters === undefined ? 'composing for the default' : 'maxCharacters'} ${composed.maxCharacters}`;
  let instance;
  try {
    instance = await limits.load();
  } catch (err) {
    // The token works; the limits are asked again when publishing.
    return { ok: true, account, detail: `account id ${me.id}; the instance's limits could not be read (${describeError(err)}); ${composedSaid}` };
  }
  const detail = `account id ${me.id}; the instance allows ${instance.maxCharacters} characters a status (a URL counts ${instance.charactersReservedPerUrl}); ${composedSaid}`;
  if (instance.maxCharacters === composed.maxCharacters) return { ok: true, account, detail };
  const effect =
    instance.maxCharacters < composed.maxCharacters
      ? "threads are composed again for the instance's limit when posted, so they differ from their preview"
      : 'threads use less room than the instance allows';
  return { ok: true, account, detail, advice: `set maxCharacters: ${instance.maxCharacters} on channel ${channel.id} (${effect})` };
}

function accountProblem(err: unknown, host: string): AccountCheck {
  const fault = err instanceof PlatformError ? err.fault : undefined;
  const detail = err instanceof PlatformError ? err.detail : describeError(err);
  if (fault?.kind === 'auth') {
    return {
      ok: false,
      problem: 'credentials',
      detail: `${host} refused the access token (${fault.httpStatus})`,
      fix: `create a new access token in ${host}: Preferences → Development → your application (scopes ${MASTODON_SCOPES.join(' ')}) and set accessToken`,
    };
  }
  if (fault?.kind === 'rate') return { ok: false, problem: 'limited', detail, fix: 'wait for the rate window to reset and run doctor again' };
  if (fault?.kind === 'transient') return { ok: false, problem: 'unreachable', detail: `${host} could not be reached: ${detail}`, fix: `check that ${host} is reachable from this host (DNS, proxy, firewall); if it answers 5xx, try again later` };
  return { ok: false, problem: 'other', detail, fix: 'check the instance address of the channel (the server the account lives on)' };
}
