import { AtpAgent, type AtpSessionData, type AtpSessionEvent } from '@atproto/api';
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import { loginsTotal } from '../../core/metrics.js';
import { seal, unseal } from '../../store/sealed.js';
import { classifyBlueskyError, isResumeRefused } from './errors.js';

export interface SessionOptions {
  channelId: string;
  service: string;
  identifier: string;
  password: string;
  kv: Keyv;
  log: Logger;
  timeoutMs: number;
}

/**
 * One logged-in agent per channel. Bluesky limits createSession (30 per 5 minutes, 100–300 a day), so
 * the session is stored (sealed) and resumed across restarts, saved again on every refresh because
 * refresh tokens rotate, and a fresh login happens only when the PDS refuses the stored session.
 */
export class BlueskySession {
  private agentPromise: Promise<AtpAgent> | undefined;
  private readonly key: string;
  /** How the current agent got its session: the stored one resumed, or a fresh login (`threadcast doctor` says which). */
  connectedBy: 'resume' | 'login' | undefined;
  /** How many fresh logins this session has made: a caller compares it before and after `agent()`. */
  logins = 0;

  constructor(private readonly opts: SessionOptions) {
    this.key = `bluesky:session:${opts.channelId}`;
  }

  agent(): Promise<AtpAgent> {
    this.agentPromise ??= this.connect().catch((err) => {
      this.agentPromise = undefined;
      throw err;
    });
    return this.agentPromise;
  }

  /** Called when a request is refused for its session: forget it and log in anew on next use. */
  async invalidate(): Promise<void> {
    this.agentPromise = undefined;
    await this.opts.kv.delete(this.key);
  }

  /** Every PDS request gets a timeout: a hung PDS must not hold the process. */
  private readonly timedFetch: typeof fetch = (input, init) =>
    fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(this.opts.timeoutMs)]) : AbortSignal.timeout(this.opts.timeoutMs) });

  private async connect(): Promise<AtpAgent> {
    const where = `channel ${this.opts.channelId} (${this.opts.service})`;
    const agent = new AtpAgent({ service: this.opts.service, fetch: this.timedFetch, persistSession: (evt, session) => this.persist(evt, session) });
    const stored = unseal<AtpSessionData>(await this.opts.kv.get(this.key), this.opts.password, this.key);
    if (stored && stored.did) {
      try {
        await agent.resumeSession(stored);
        this.connectedBy = 'resume';
        this.opts.log.debug({ channel: this.opts.channelId }, 'resumed the stored Bluesky session');
        return agent;
      } catch (err) {
        if (!isResumeRefused(err)) throw classifyBlueskyError(err, where);
        this.opts.log.info({ channel: this.opts.channelId }, 'stored Bluesky session refused; logging in anew');
      }
    }
    try {
      await agent.login({ identifier: this.opts.identifier, password: this.opts.password });
    } catch (err) {
      throw classifyBlueskyError(err, where);
    }
    this.connectedBy = 'login';
    this.logins += 1;
    return agent;
  }

  private async persist(evt: AtpSessionEvent, session: AtpSessionData | undefined): Promise<void> {
    if (evt === 'create') {
      loginsTotal.inc({ channel: this.opts.channelId });
      this.opts.log.info({ channel: this.opts.channelId }, 'logged in to Bluesky (new session)');
    }
    if ((evt === 'create' || evt === 'update') && session) {
      await this.opts.kv.set(this.key, seal(session, this.opts.password, this.key));
    } else if (evt === 'expired') {
      await this.opts.kv.delete(this.key);
    }
  }
}
