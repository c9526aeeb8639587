import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AlertsConfig } from '../config/alerts-schema.js';
import type { Config } from '../config/schema.js';
import type { Delivery } from '../core/delivery.js';
import { describeError } from '../core/errors.js';
import { HttpError } from '../http/fetch.js';
import { httpPostJson } from '../http/post-json.js';
import { redactUrl } from '../http/redact-url.js';
import type { Store } from '../store/store.js';

/** What a webhook receives: facts as data, and one line for people. Never a credential, never the item's text. */
export type AlertBody =
  | {
      event: 'delivery.dead' | 'delivery.uncertain';
      at: string;
      text: string;
      delivery: { id: string; channelId: string; sourceId: string; itemId: string; title: string | null; reason: string | null; posts: number };
    }
  | { event: 'source.failing'; at: string; text: string; source: { id: string; consecutiveFailures: number; error: string } };

export interface AlertsOptions {
  alerts: AlertsConfig;
  web: Pick<Config['web'], 'timeoutMs' | 'allowPrivateHosts'>;
  /** Keeps each source's failures in a row, so `threadcast once` from cron counts across runs. */
  kv: Store['kv'];
  log: Logger;
  now?: () => number;
  /** Sends of one alert (the first and its retries); default 5. */
  attempts?: number;
  /** Wait before the first retry, doubled each time; default 2 s. */
  backoffMs?: number;
}

/**
 * Raises alerts: an error-level log line, and a POST to `alerts.webhook` when one is set. Sending never holds up
 * the caller (the outbox records a dead delivery and goes on); `idle()` waits for what is still being sent.
 */
export class Alerts {
  private readonly sending = new Set<Promise<void>>();
  private readonly now: () => number;
  /** Aborted by `callOff`: waits between attempts end, and no attempt follows. */
  private readonly calledOff = new AbortController();

  constructor(private readonly opts: AlertsOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The outbox's `onTrouble`: a delivery has just become dead or uncertain. */
  deliveryTrouble(d: Delivery): void {
    if (d.state !== 'dead' && d.state !== 'uncertain') return;
    const title = d.item.title ?? d.item.url ?? null;
    const text = `delivery ${d.id} on channel ${d.channelId} is ${d.state}${d.reason ? `: ${d.reason}` : ''}`;
    this.raise({
      event: d.state === 'dead' ? 'delivery.dead' : 'delivery.uncertain',
      at: new Date(this.now()).toISOString(),
      text,
      delivery: { id: d.id, channelId: d.channelId, sourceId: d.sourceId, itemId: d.itemId, title, reason: d.reason ?? null, posts: d.posts.length },
    });
  }

  /** A poll of the source failed: the `sourceFailures`-th failure in a row raises one alert. */
  async sourceFailed(sourceId: string, error: string): Promise<void> {
    const key = failuresKey(sourceId);
    const failures = (Number(await this.opts.kv.get(key)) || 0) + 1;
    await this.opts.kv.set(key, failures);
    if (failures !== this.opts.alerts.sourceFailures) return;
    this.raise({
      event: 'source.failing',
      at: new Date(this.now()).toISOString(),
      text: `source ${sourceId} failed ${failures} polls in a row: ${error}`,
      source: { id: sourceId, consecutiveFailures: failures, error },
    });
  }

  /** A poll of the source succeeded: its run of failures is over. */
  async sourceSucceeded(sourceId: string): Promise<void> {
    const key = failuresKey(sourceId);
    if (await this.opts.kv.get(key)) await this.opts.kv.delete(key);
  }

  /**
   * No alert is tried again from now on (the service stopping or reloading): a receiver that asks to wait (429 with
   * Retry-After, up to ten minutes a time) must not hold a stop or a reload up. An attempt in flight still ends
   * within `web.timeoutMs`; what is given up is logged as such.
   */
  callOff(): void {
    this.calledOff.abort();
  }

  /** Resolves once every alert raised so far was delivered or given up on. */
  async idle(): Promise<void> {
    while (this.sending.size > 0) await Promise.all([...this.sending]);
  }

  private raise(body: AlertBody): void {
    this.opts.log.error({ alert: body.event, ...('delivery' in body ? { delivery: body.delivery.id, channel: body.delivery.channelId } : { source: body.source.id }) }, `alert: ${body.text}`);
    const webhook = this.opts.alerts.webhook;
    if (!webhook) return;
    const sent = this.send(webhook, body).finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  private async send(webhook: string, body: AlertBody): Promise<void> {
    // A chat webhook's path is often its token: logs name the receiver by its origin alone.
    const receiver = redactUrl(new URL(webhook).origin);
    const attempts = this.opts.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        await httpPostJson(webhook, body, { timeoutMs: this.opts.web.timeoutMs, guard: { allowPrivateHosts: this.opts.web.allowPrivateHosts } });
        return;
      } catch (err) {
        const transient = err instanceof HttpError && err.transient;
        const givenUp = (reason: string) => this.opts.log.error({ alert: body.event, receiver, attempts: attempt, err: describeError(err) }, reason);
        if (!transient || attempt >= attempts) return givenUp('alert webhook failed; the alert is only in this log');
        const backoff = (this.opts.backoffMs ?? 2000) * 2 ** (attempt - 1);
        const told = err.retryAfter === undefined ? 0 : err.retryAfter - this.now();
        const waited = await sleep(Math.min(Math.max(backoff, told), 10 * 60_000), true, { signal: this.calledOff.signal }).catch(() => false);
        if (!waited) return givenUp('alert webhook not tried again: the service is stopping or reloading; the alert is only in this log');
      }
    }
  }
}

const failuresKey = (sourceId: string) => `alerts:source-failures:${sourceId}`;
