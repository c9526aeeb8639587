import { createHash } from 'node:crypto';
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import { permanent, retryable } from '../../core/errors.js';
import { whileHolding } from '../../store/lease-lock.js';
import { seal, unseal } from '../../store/sealed.js';
import type { Store } from '../../store/store.js';
import { oauth2AppClient } from './client.js';
import { classifyXError } from './errors.js';

interface TokenState {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  /** Hash of the environment's refresh token these tokens descend from: a new one there replaces them. */
  seed: string;
}

export interface OAuth2Options {
  channelId: string;
  apiBase: string;
  clientId: string;
  clientSecret?: string;
  envRefreshToken?: string;
  /** Seals the stored tokens when there is no client secret (a public client's id is no secret). */
  secretKey?: string;
  kv: Keyv;
  /** Its lease serialises refreshes across processes (an instance, `doctor`, `once` on one store). */
  leases?: Pick<Store, 'acquireLease' | 'releaseLease'>;
  log: Logger;
  now: () => number;
}

const EARLY_REFRESH_MS = 60_000;
/** Longer than one refresh request can take; a holder that dies frees the lock after this. */
const REFRESH_LOCK_MS = 45_000;
const REFRESH_LOCK_WAIT_MS = 50_000;
const hash = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * OAuth 2.0 user tokens. Each refresh rotates the refresh token and kills the old one, so the new
 * pair is persisted (sealed, in one write) before the new access token is used: a crash right after a
 * refresh leaves a usable refresh token in the store, never only a dead one.
 */
export class OAuth2Tokens {
  private readonly key: string;
  private readonly where: string;
  private refreshing: Promise<string> | undefined;

  constructor(private readonly opts: OAuth2Options) {
    this.key = `x:oauth2:${opts.channelId}`;
    this.where = `channel ${opts.channelId} (OAuth 2.0)`;
  }

  private get sealKey(): string {
    const key = this.opts.clientSecret ?? this.opts.secretKey;
    if (!key) throw permanent('an OAuth 2.0 public client needs secretKey (e.g. ${THREADCAST_SECRET_KEY}) to seal its tokens in the store', { where: this.where });
    return key;
  }

  async accessToken(): Promise<string> {
    const state = await this.load();
    if (state && state.expiresAt - EARLY_REFRESH_MS > this.opts.now()) return state.accessToken;
    return this.refresh();
  }

  /** Forces a refresh, e.g. after a 401. Concurrent callers share one refresh. */
  refresh(): Promise<string> {
    this.refreshing ??= this.rotateLocked().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /**
   * Two processes refreshing at once would each spend the same refresh token, and X kills the whole family
   * on reuse. Under a store lease only one refreshes; one that waited finds the rotated tokens and uses them.
   */
  private async rotateLocked(): Promise<string> {
    const leases = this.opts.leases;
    if (!leases) return this.rotate();
    const before = await this.load();
    const tooLong = () => retryable('another process has been refreshing the OAuth 2.0 tokens for too long', { where: this.where });
    return whileHolding(leases, `x-oauth2-refresh:${this.opts.channelId}`, { holdMs: REFRESH_LOCK_MS, waitMs: REFRESH_LOCK_WAIT_MS, pollMs: 200, tooLong }, async () => {
      const now = await this.load();
      if (now && now.accessToken !== before?.accessToken && now.expiresAt - EARLY_REFRESH_MS > this.opts.now()) return now.accessToken;
      return await this.rotate();
    });
  }

  private async rotate(): Promise<string> {
    const state = await this.load();
    const refreshToken = state?.refreshToken ?? this.opts.envRefreshToken;
    if (!refreshToken) throw permanent('no OAuth 2.0 refresh token: set refreshToken (e.g. from X_OAUTH2_REFRESH_TOKEN)', { where: this.where });
    const seed = state?.seed ?? hash(refreshToken);
    let result;
    try {
      result = await oauth2AppClient(this.opts.apiBase, this.opts.clientId, this.opts.clientSecret).refreshOAuth2Token(refreshToken);
    } catch (err) {
      throw classifyXError(err, this.where, { mayHaveApplied: false });
    }
    if (!result.refreshToken) throw permanent('X issued no new refresh token; the client needs the offline.access scope', { where: this.where });
    const next: TokenState = { accessToken: result.accessToken, refreshToken: result.refreshToken, expiresAt: this.opts.now() + result.expiresIn * 1000, seed };
    await this.opts.kv.set(this.key, seal(next, this.sealKey, this.key));
    this.opts.log.info({ channel: this.opts.channelId }, 'refreshed the X OAuth 2.0 tokens (rotation saved)');
    return next.accessToken;
  }

  private async load(): Promise<TokenState | undefined> {
    const state = unseal<TokenState>(await this.opts.kv.get(this.key), this.sealKey, this.key);
    // An operator who puts a new refresh token in the environment means it.
    if (state && this.opts.envRefreshToken && hash(this.opts.envRefreshToken) !== state.seed) return undefined;
    return state;
  }
}
