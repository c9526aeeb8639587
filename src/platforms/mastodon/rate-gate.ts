/**
 * Never sends into a spent window. Mastodon announces its windows in `X-RateLimit-*` on every answer (300 requests
 * per 5 minutes per account by default; media uploads have their own, 30 per 30 minutes), so each family of
 * requests keeps the last window it was told, in the store, so a restart knows it too. Read afresh for every check:
 * another process may post on the channel too (`threadcast once` beside `run`), and a window it was told is the
 * instance's word for both. (The instance enforces its windows anyway, and a 429 waits like any rate wait: this
 * keeps us from spending a request to be told so, not from a double post.)
 */
import type Keyv from 'keyv';
import { mustWait } from '../../core/errors.js';
import type { RateWindow } from './errors.js';

export type RateFamily = 'statuses' | 'media';

export class MastodonRateGate {
  private readonly key: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: Keyv,
    channelId: string,
    private readonly where: string,
  ) {
    this.key = `mastodon:rate:${channelId}`;
  }

  /** Throws a wait (kind `rate`, until the window resets) when `requests` more would not fit now. */
  async assertRoom(family: RateFamily, requests: number, now: number): Promise<void> {
    const w = (await this.load())[family];
    if (w && w.resetAt > now && w.remaining < requests) {
      throw mustWait('rate', `the instance's ${family} window has ${w.remaining} of ${w.limit} requests left until ${new Date(w.resetAt).toISOString()}`, w.resetAt, { where: this.where });
    }
  }

  async observe(family: RateFamily, window: RateWindow | undefined): Promise<void> {
    if (!window) return;
    // One write at a time in this process: two answers read together would each write back the other's old window.
    const write = this.writing.then(async () => {
      const windows = await this.load();
      windows[family] = window;
      await this.kv.set(this.key, windows);
    });
    this.writing = write.catch(() => undefined);
    await write;
  }

  private async load(): Promise<Partial<Record<RateFamily, RateWindow>>> {
    return ((await this.kv.get(this.key)) as Partial<Record<RateFamily, RateWindow>> | undefined) ?? {};
  }
}
