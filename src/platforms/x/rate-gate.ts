import type Keyv from 'keyv';
import { mustWait } from '../../core/errors.js';

const FIFTEEN_MINUTES = 15 * 60_000;
const DAY = 24 * 3_600_000;

interface Window {
  limit: number;
  remaining: number;
  resetAt: number;
}

interface GateState {
  /** Windows announced by X's headers, by header family. */
  windows: Record<string, Window>;
  /** Our own post times within the last 24 h, for the configured caps. */
  sent: number[];
}

/**
 * Never sends while a window is known to be spent. Two sources: what X's
 * `x-rate-limit-*` / `x-user-limit-24hour-*` / `x-app-limit-24hour-*` headers last said, and the
 * channel's own caps counted from our sends. Kept in the store so a restart knows too.
 */
export class RateGate {
  private state: GateState | undefined;
  private readonly key: string;

  constructor(
    private readonly kv: Keyv,
    channelId: string,
    private readonly caps: { postsPer15Minutes: number; postsPer24Hours: number },
    private readonly where: string,
  ) {
    this.key = `x:rate:${channelId}`;
  }

  /** Throws a wait when `posts` more posts would not fit now. */
  async assertRoom(posts: number, now: number): Promise<void> {
    const state = await this.load();
    for (const [family, w] of Object.entries(state.windows)) {
      if (w.resetAt > now && w.remaining < posts) {
        throw mustWait('rate', `X's ${family} window has ${w.remaining} of ${w.limit} posts left until ${new Date(w.resetAt).toISOString()}`, w.resetAt, { where: this.where });
      }
    }
    const recent = state.sent.filter((t) => t > now - DAY);
    const capCheck = (windowMs: number, cap: number, name: string) => {
      const inWindow = recent.filter((t) => t > now - windowMs);
      if (inWindow.length + posts > cap) {
        // Room opens when enough of the oldest sends leave the window.
        const freeAt = (inWindow[inWindow.length + posts - cap - 1] ?? now) + windowMs;
        throw mustWait('cap', `the channel's cap of ${cap} posts per ${name} is reached`, freeAt, { where: this.where });
      }
    };
    capCheck(FIFTEEN_MINUTES, this.caps.postsPer15Minutes, '15 minutes');
    capCheck(DAY, this.caps.postsPer24Hours, '24 hours');
  }

  /** Records what a response's headers say about the windows. */
  observe(headers: Record<string, unknown> | undefined, now: number): void {
    if (!headers || !this.state) return;
    for (const family of ['x-rate-limit', 'x-user-limit-24hour', 'x-app-limit-24hour']) {
      const limit = Number(headers[`${family}-limit`]);
      const remaining = Number(headers[`${family}-remaining`]);
      const reset = Number(headers[`${family}-reset`]);
      if ([limit, remaining, reset].every(Number.isFinite) && reset > 0) {
        this.state.windows[family] = { limit, remaining, resetAt: Math.max(reset * 1000, now) };
      }
    }
  }

  async recordSend(now: number): Promise<void> {
    const state = await this.load();
    state.sent = [...state.sent.filter((t) => t > now - DAY), now];
    await this.save();
  }

  async load(): Promise<GateState> {
    this.state ??= ((await this.kv.get(this.key)) as GateState | undefined) ?? { windows: {}, sent: [] };
    return this.state;
  }

  async save(): Promise<void> {
    if (this.state) await this.kv.set(this.key, this.state);
  }
}
