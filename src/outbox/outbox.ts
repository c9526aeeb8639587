import type { Logger } from 'pino';
import { DUE_STATES, IllegalTransitionError, mayBecome, NOT_STARTED_STATES, RETRYABLE_STATES, type DeliveryState } from '../core/delivery-states.js';
import { deliveryId, type Delivery, type PostRef } from '../core/delivery.js';
import { describeError, EditorError, permanent, ThreadcastError } from '../core/errors.js';
import type { Item } from '../core/item.js';
import { publishesTotal, publishFailuresTotal, publishLagSeconds } from '../core/metrics.js';
import type { Publisher, PublishContext } from '../platforms/publisher.js';
import type { Store } from '../store/store.js';
import { isDeadLocalOwner, newClaimOwner } from '../store/claim-owner.js';
import { CredentialsBackoff, type CredentialsRefusal } from './credentials-backoff.js';
import { hasNotStarted } from './editor-actions.js';
import { describeRetract, Retraction, type RetractConfig } from './retract.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';

export interface OutboxOptions {
  /** Names this process in claims, so two instances never publish one delivery. */
  owner: string;
  retry: RetryPolicy;
  log: Logger;
  now?: () => number;
  random?: () => number;
  /** How long a claim holds while a thread is being sent. */
  leaseMs?: number;
  /** Hears every delivery that has just become dead or uncertain (the app's alerts). */
  onTrouble?: (delivery: Delivery) => void;
}

/** The channel's schedule, as the outbox sees it: may one more thread go out now? */
export interface Pacer {
  check(): Promise<{ ok: true; slot?: number } | { ok: false; until: number; reason: string; detail: string }>;
  recordPublish(slot: number | undefined): Promise<void>;
}

export interface PublishSummary {
  published: number;
  /** Deliveries that wait for a spent budget (rate window, cap, money) without having been sent. */
  waiting: number;
  failed: number;
  uncertain: number;
  dead: number;
  /**
   * Set when the platform refused the channel's credentials, this round or in one whose back-off still
   * holds: the round stopped there, and the rest of the queue was left as it was.
   */
  credentialsRefused?: CredentialsRefusal;
}

/** What one attempt came to: a summary count, or `refused` (the credentials, not the delivery, were at fault). */
type Outcome = Exclude<keyof PublishSummary, 'credentialsRefused'> | 'refused';

/** When a platform refuses credentials without saying for how long: as long as the platforms' error mappings wait. */
const CREDENTIALS_COOLDOWN_MS = 15 * 60_000;

/**
 * Deliveries and their state machine. It knows nothing about X or Bluesky: it composes through the
 * publisher, writes the intent, lets the publisher send, and records what came back.
 */
export class Outbox {
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly leaseMs: number;

  constructor(
    private readonly store: Store,
    private readonly opts: OutboxOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.leaseMs = opts.leaseMs ?? 10 * 60_000;
  }

  /** Queues the item for the channel unless it already has a delivery there. `order` keeps a batch's order. */
  async enqueue(
    item: Item,
    channelId: string,
    opts: { priority?: number; notBefore?: string; order?: number; held?: boolean; replyTo?: string } = {},
  ): Promise<Delivery | undefined> {
    const delivery = this.newDelivery(item, channelId, opts);
    return (await this.store.createDelivery(delivery)) ? delivery : undefined;
  }

  /**
   * enqueue for each item, in order (each item's index is its `order`), in one store write: a feed's intake
   * queues thousands at once. The deliveries this call created.
   */
  async enqueueAll(items: readonly Item[], channelId: string, opts: { held?: boolean } = {}): Promise<Delivery[]> {
    const deliveries = items.map((item, order) => this.newDelivery(item, channelId, { ...opts, order }));
    const created = await this.store.createDeliveries(deliveries);
    return deliveries.filter((_, i) => created[i]);
  }

  private newDelivery(
    item: Item,
    channelId: string,
    opts: { priority?: number; notBefore?: string; order?: number; held?: boolean; replyTo?: string },
  ): Delivery {
    const at = new Date(this.now() + (opts.order ?? 0)).toISOString();
    const state: DeliveryState = opts.held ? 'held' : 'queued';
    return {
      id: deliveryId(channelId, item.sourceId, item.id),
      channelId,
      sourceId: item.sourceId,
      itemId: item.id,
      item,
      state,
      priority: opts.priority ?? 0,
      createdAt: at,
      updatedAt: at,
      ...(opts.notBefore ? { notBefore: opts.notBefore } : {}),
      attempts: 0,
      posts: [],
      dryRun: false,
      ...(opts.replyTo ? { replyTo: opts.replyTo } : {}),
      history: [{ at, event: state }],
    };
  }

  /**
   * An item changed after it was seen (onUpdate: reply). Not sent yet: the queued delivery takes the
   * new content. Already published: an update note goes out as a reply under the published thread.
   * Done under the delivery's claim, so a publish in another process cannot interleave.
   */
  async applyUpdate(item: Item, channelId: string): Promise<boolean> {
    const id = deliveryId(channelId, item.sourceId, item.id);
    const owner = newClaimOwner();
    if (!(await this.claim(id, owner))) return false;
    try {
      const original = await this.store.getDelivery(id);
      if (!original) return false;
      if (NOT_STARTED_STATES.includes(original.state) && original.posts.length === 0 && !original.thread) {
        await this.transition(original, original.state, 'the item changed before it was sent', { item });
        return true;
      }
      if (original.state !== 'published') return false;
      const note: Item = {
        ...item,
        id: `${item.id}#update:${item.contentHash.slice(0, 12)}`,
        title: `Update: ${item.title ?? 'this story changed'}`,
        // The link is already in the thread being answered.
        url: undefined,
      };
      return (await this.enqueue(note, channelId, { replyTo: original.id })) !== undefined;
    } finally {
      await this.store.releaseDelivery(id, owner);
    }
  }

  /** An editor approves a held delivery: it joins the queue. */
  async approve(id: string): Promise<Delivery> {
    return this.underClaim(id, async (d) => {
      if (d.state !== 'held') throw new EditorError('conflict', `delivery ${id} is ${d.state}; only held deliveries can be approved`);
      return this.transition(d, 'queued', 'approved by an editor');
    });
  }

  /** An editor stops a delivery that has not started going out, until it is approved again. */
  async hold(id: string): Promise<Delivery> {
    return this.underClaim(id, async (d) => {
      this.assertNotStarted(d, 'held');
      if (d.state === 'held') return d;
      return this.transition(d, 'held', 'held by an editor');
    });
  }

  /** An editor withdraws a delivery that has not started going out. */
  async cancel(id: string, reason = 'cancelled by an editor'): Promise<Delivery> {
    return this.underClaim(id, async (d) => {
      this.assertNotStarted(d, 'cancelled');
      return this.transition(d, 'cancelled', reason, { reason });
    });
  }

  /**
   * An editor rewrites a delivery before it goes out: the new item replaces the old, and any thread
   * composed from the old one is dropped so the next publish composes (and the preview shows) the new text.
   * `notBefore: null` clears a publish-at time; undefined keeps it.
   */
  async edit(id: string, item: Item, notBefore?: string | null): Promise<Delivery> {
    return this.underClaim(id, async (d) => {
      this.assertNotStarted(d, 'edited');
      // A new publish-at time replaces whatever wait the old one stood for.
      const when = notBefore === undefined ? {} : { notBefore: notBefore ?? undefined, wait: undefined };
      return this.transition(d, d.state, 'edited by an editor', { item, thread: undefined, intent: undefined, ...when });
    });
  }

  /** Editors may change only what has not started going out: no post, no stored thread or intent. */
  private assertNotStarted(d: Delivery, becoming: string): void {
    if (hasNotStarted(d)) return;
    if (!NOT_STARTED_STATES.includes(d.state)) throw new EditorError('conflict', `delivery ${d.id} is ${d.state}; it can no longer be ${becoming}`);
    throw new EditorError('conflict', `delivery ${d.id} has started going out; it can no longer be ${becoming}`);
  }

  /**
   * `job` on the delivery as it is under a claim of its own. Not the outbox's claim: a claim lets its owner back in,
   * and the publisher in this same process holds the outbox's, so an editor's cancel or edit would run beside a
   * publish it must wait for (answered as done while the thread went out) and then release the publisher's claim.
   */
  private async underClaim<T>(id: string, job: (d: Delivery) => Promise<T>): Promise<T> {
    if (!(await this.store.getDelivery(id))) throw new EditorError('not-found', `no delivery with id ${id}`);
    const owner = newClaimOwner();
    if (!(await this.claim(id, owner))) throw new EditorError('conflict', `delivery ${id} is being published or changed right now; try again in a moment`);
    try {
      return await job((await this.store.getDelivery(id))!);
    } finally {
      await this.store.releaseDelivery(id, owner);
    }
  }

  /**
   * An operator's second chance for a dead, uncertain or failed delivery: back to the queue, due now,
   * with a fresh attempt count. Its stored thread and intent stay, so a half-sent thread resumes.
   */
  async retry(id: string): Promise<Delivery> {
    return this.underClaim(id, async (delivery) => {
      if (!RETRYABLE_STATES.includes(delivery.state)) {
        throw new EditorError('conflict', `delivery ${id} is ${delivery.state}; only ${new Intl.ListFormat('en-GB', { type: 'disjunction' }).format(RETRYABLE_STATES)} deliveries can be retried`);
      }
      return this.transition(delivery, 'queued', 'retry requested by an operator', { attempts: 0, reason: undefined, notBefore: undefined, wait: undefined, createdAt: new Date(this.now()).toISOString() });
    });
  }

  /**
   * Deletes a published thread on its platform. `retracting` is written before the first delete and `retracted`
   * once every part is gone; a retract that fails stays `retracting` with the reason, and the next one finishes it
   * (parts already deleted count as gone). Refusals (src/outbox/retract.ts) throw an EditorError; a platform's
   * failure is returned as the delivery, still `retracting`, its reason saying what went wrong. `config` gives the
   * channels and their credentials as they are now.
   */
  async retract(id: string, config: RetractConfig): Promise<Delivery> {
    return this.underClaim(id, async (d) => {
      const run = new Retraction(config, { store: this.store, log: this.opts.log }).plan(d);
      const started = await this.transition(d, 'retracting', d.state === 'retracting' ? 'retract resumed' : 'retract requested', { reason: undefined });
      try {
        return await this.transition(started, 'retracted', describeRetract(await run()), { reason: undefined });
      } catch (err) {
        const reason = `retract failed: ${describeError(err)}`;
        this.opts.log.error({ delivery: id, err: describeError(err) }, 'retract failed; retract again to finish it');
        return this.transition(started, 'retracting', reason, { reason });
      }
    });
  }

  /**
   * Deliveries left `publishing` by a crash are settled before anything new is sent: an outcome is never guessed.
   * Returns the refusal when the platform refused the credentials: nothing more is asked of it this round.
   */
  async reconcileInFlight(publisher: Publisher, pacer?: Pacer, credentials?: CredentialsBackoff): Promise<CredentialsRefusal | undefined> {
    const stuck = await this.store.listDeliveries({ channelId: publisher.channelId, states: ['publishing'] });
    for (const delivery of stuck) {
      if (!(await this.claim(delivery.id))) continue;
      try {
        const ctx = this.contextFor(delivery);
        const result = await publisher.reconcile(delivery, ctx);
        if (result.status === 'published' && result.posts.length === (delivery.thread?.parts.length ?? result.posts.length)) {
          await this.transition(delivery, 'published', 'reconciled: found on the platform', { posts: result.posts, reason: undefined });
          // It went out in the crashed process's time: it still counts toward the channel's pace.
          await pacer?.recordPublish(undefined);
        } else if (result.status === 'resume' || result.status === 'published') {
          // Partly or not at all sent: publish() resumes after the last recorded post.
          await this.transition(delivery, 'queued', 'reconciled: resuming', { ...(result.status === 'published' ? { posts: result.posts } : {}) });
        } else {
          await this.transition(delivery, 'uncertain', result.reason, { reason: result.reason });
        }
      } catch (err) {
        if (credentials && isCredentialsRefusal(err)) {
          const refusal = await credentials.refused(describeError(err), this.cooldownEnd(err));
          this.opts.log.error({ channel: publisher.channelId, delivery: delivery.id, err: describeError(err), until: refusal.until }, 'credentials refused; the channel backs off');
          return refusal;
        }
        this.opts.log.error({ delivery: delivery.id, err: describeError(err) }, 'reconcile failed; will try again');
      } finally {
        await this.store.releaseDelivery(delivery.id, this.opts.owner);
      }
    }
    return undefined;
  }

  /**
   * Publishes what is due on the publisher's channel — highest priority, then oldest first, one at a
   * time — for as long as the channel's pacer (slots, spacing, caps, quiet hours) allows.
   *
   * Refused credentials stop the round at once: every later delivery would only spend another login on
   * the same refusal. The channel then rests until `credentials` (their fingerprint) change or the
   * cool-down ends, across restarts, since the back-off lives in the store.
   */
  async publishDue(publisher: Publisher, opts: { pacer?: Pacer; limit?: number; signal?: AbortSignal; credentials?: string } = {}): Promise<PublishSummary> {
    const limit = opts.limit ?? 100;
    const summary: PublishSummary = { published: 0, waiting: 0, failed: 0, uncertain: 0, dead: 0 };
    const credentials = new CredentialsBackoff(this.store.kv, publisher.channelId, opts.credentials, this.now);
    let stored = await credentials.stored();
    const standing = credentials.concerning(stored);
    if (standing && Date.parse(standing.until) > this.now()) {
      this.opts.log.warn({ channel: publisher.channelId, since: standing.since, until: standing.until }, 'credentials were refused; the channel rests until they change or the cool-down ends');
      return { ...summary, credentialsRefused: standing };
    }
    // Whatever a crashed process left mid-publish is settled before anything new is sent.
    const refusedOnReconcile = await this.reconcileInFlight(publisher, opts.pacer, credentials);
    if (refusedOnReconcile) return { ...summary, credentialsRefused: refusedOnReconcile };
    const due = await this.store.listDeliveries({ channelId: publisher.channelId, states: DUE_STATES, dueAt: this.now(), limit });
    for (const candidate of due) {
      // On shutdown the thread in flight finishes; nothing new starts.
      if (opts.signal?.aborted) break;
      const pace: Awaited<ReturnType<Pacer['check']>> = opts.pacer ? await opts.pacer.check() : { ok: true };
      if (!pace.ok) break;
      if (!(await this.claim(candidate.id))) continue;
      const claim: HeldClaim = { released: false };
      try {
        // Re-read under the claim: another instance may have finished it since the listing.
        const delivery = await this.store.getDelivery(candidate.id);
        if (!delivery || !DUE_STATES.includes(delivery.state)) continue;
        const outcome = await this.publishOne(publisher, delivery, credentials, claim);
        if (outcome === 'refused') {
          summary.credentialsRefused = await credentials.refusal();
          break;
        }
        summary[outcome] += 1;
        if (outcome === 'published') {
          await opts.pacer?.recordPublish(pace.slot);
          if (stored) {
            // The credentials work (changed, or the platform's refusal was passing): nothing holds the channel back.
            await credentials.accepted();
            stored = undefined;
          }
        }
      } finally {
        if (!claim.released) await this.store.releaseDelivery(candidate.id, this.opts.owner);
      }
    }
    return summary;
  }

  private async threadToContinue(id: string): Promise<{ root: PostRef; parent: PostRef }> {
    const original = await this.store.getDelivery(id);
    const root = original?.posts[0];
    const parent = original?.posts[original.posts.length - 1];
    if (!original || original.state !== 'published' || !root || !parent) throw permanent(`the thread to continue (${id}) is not published`);
    return { root, parent };
  }

  /**
   * A long thread keeps its claim alive with each step. Losing it means another process took over
   * (our lease ran out): stop before writing anything more.
   */
  private async renewClaim(id: string): Promise<void> {
    if (!(await this.store.claimDelivery(id, this.opts.owner, this.leaseMs, this.now()))) {
      throw new ThreadcastError('ambiguous', `lost the claim on delivery ${id} to another process`);
    }
  }

  /** Claims a delivery, taking it over from a holder on this host whose process is gone. */
  private async claim(id: string, owner = this.opts.owner): Promise<boolean> {
    const now = this.now();
    if (await this.store.claimDelivery(id, owner, this.leaseMs, now)) return true;
    const holder = await this.store.claimHolder(id, now);
    if (holder === undefined || !isDeadLocalOwner(holder)) return false;
    this.opts.log.info({ delivery: id, previous: holder }, 'taking over a claim left by a process that is gone');
    return this.store.claimDelivery(id, owner, this.leaseMs, now, holder);
  }

  /** Every write that ends the attempt (its outcome) also gives up `claim`. */
  private async publishOne(publisher: Publisher, delivery: Delivery, credentials: CredentialsBackoff, claim: HeldClaim): Promise<Outcome> {
    const log = this.opts.log.child({ channel: publisher.channelId, delivery: delivery.id, source: delivery.sourceId, item: delivery.itemId });
    let thread;
    try {
      thread = delivery.thread ?? publisher.compose(delivery.item);
    } catch (err) {
      // Compose is pure: the same item would fail the same way on every retry. It is this item's end, not
      // the round's: the loop goes on with the next delivery.
      const reason = `could not compose: ${describeError(err)}`;
      await this.transition(delivery, 'dead', reason, { reason }, claim);
      log.error({ err: describeError(err) }, 'could not compose the item; the delivery is dead');
      return 'dead';
    }
    if (thread.parts.length === 0) {
      await this.transition(delivery, 'dead', 'nothing to post', { reason: 'the item has no title, text or link to post' }, claim);
      return 'dead';
    }
    // Intent first: the composed thread and the attempt are durable before any platform request.
    let current = await this.transition(delivery, 'publishing', `attempt ${delivery.attempts + 1}`, {
      thread,
      attempts: delivery.attempts + 1,
      dryRun: publisher.dryRun,
      wait: undefined,
    });
    try {
      const ctx = this.contextFor(current, (d) => (current = d));
      if (delivery.replyTo) ctx.replyTo = await this.threadToContinue(delivery.replyTo);
      const posts = await publisher.publish(current, thread, ctx);
      await this.transition(current, 'published', posts.map((p) => p.url ?? p.id).join(' '), { posts, reason: undefined, notBefore: undefined }, claim);
      publishesTotal.inc({ channel: publisher.channelId });
      // From the first history entry, not createdAt: a retry resets createdAt to take its turn again.
      const firstSight = Date.parse(delivery.history[0]?.at ?? delivery.createdAt);
      publishLagSeconds.observe({ channel: publisher.channelId }, Math.max(0, (this.now() - firstSight) / 1000));
      log.info({ parts: posts.length, dryRun: publisher.dryRun }, publisher.dryRun ? 'dry-run: recorded as published' : 'published');
      return 'published';
    } catch (err) {
      return this.recordFailure(current, err, log, credentials, claim);
    }
  }

  private async recordFailure(delivery: Delivery, err: unknown, log: Logger, credentials: CredentialsBackoff, claim: HeldClaim): Promise<Outcome> {
    const message = describeError(err);
    if (isCredentialsRefusal(err)) {
      // Nothing was sent and the delivery is not at fault: it keeps its place (no notBefore), so it goes
      // first once the credentials change; the channel-wide back-off is what holds it.
      const refusal = await credentials.refused(message, this.cooldownEnd(err));
      await this.transition(delivery, 'queued', `waiting (auth): ${message}`, {
        reason: `waiting (auth): ${message}`,
        wait: { kind: 'auth', until: refusal.until },
        attempts: delivery.attempts - 1,
      }, claim);
      publishFailuresTotal.inc({ channel: delivery.channelId, kind: 'auth' });
      log.error({ err: message, since: refusal.since, until: refusal.until }, 'credentials refused; the channel backs off until they change or the cool-down ends');
      return 'refused';
    }
    if (err instanceof ThreadcastError && err.wait && err.retryAt !== undefined) {
      // Nothing was sent: give the attempt back and wait where status can show why.
      const until = new Date(err.retryAt).toISOString();
      await this.transition(delivery, 'queued', `waiting (${err.wait}): ${message}`, {
        reason: `waiting (${err.wait}): ${message}`,
        notBefore: until,
        wait: { kind: err.wait, until },
        attempts: delivery.attempts - 1,
      }, claim);
      log.info({ wait: err.wait, until: new Date(err.retryAt).toISOString() }, message);
      return 'waiting';
    }
    const kind = err instanceof ThreadcastError ? err.kind : 'retryable';
    publishFailuresTotal.inc({ channel: delivery.channelId, kind });
    if (kind === 'ambiguous') {
      await this.transition(delivery, 'uncertain', message, { reason: `outcome unknown: ${message}` }, claim);
      log.warn({ err: message }, 'publish outcome unknown; waiting for reconciliation');
      return 'uncertain';
    }
    const ageHours = (this.now() - Date.parse(delivery.createdAt)) / 3_600_000;
    const tooOld = this.opts.retry.maxAgeHours !== undefined && ageHours > this.opts.retry.maxAgeHours;
    if (kind === 'permanent' || delivery.attempts >= this.opts.retry.maxAttempts || tooOld) {
      const reason =
        kind === 'permanent'
          ? message
          : tooOld
            ? `gave up: still failing ${Math.round(ageHours)} hours after it was queued (retry.maxAgeHours ${this.opts.retry.maxAgeHours}): ${message}`
            : `gave up after ${delivery.attempts} attempts: ${message}`;
      await this.transition(delivery, 'dead', message, { reason }, claim);
      log.error({ err: message }, 'delivery is dead');
      return 'dead';
    }
    const backoff = this.now() + retryDelayMs(this.opts.retry, delivery.attempts, this.random);
    const retryAt = Math.max(backoff, err instanceof ThreadcastError && err.retryAt ? err.retryAt : 0);
    await this.transition(delivery, 'failed', message, { reason: message, notBefore: new Date(retryAt).toISOString() }, claim);
    log.warn({ err: message, retryAt: new Date(retryAt).toISOString() }, 'publish failed; will retry');
    return 'failed';
  }

  /** When a refused channel may try its same credentials again: as the platform said, else a fixed cool-down. */
  private cooldownEnd(err: unknown): number {
    const said = err instanceof ThreadcastError ? err.retryAt : undefined;
    return said !== undefined && said > this.now() ? said : this.now() + CREDENTIALS_COOLDOWN_MS;
  }

  private contextFor(delivery: Delivery, onUpdate?: (d: Delivery) => void): PublishContext {
    let current = delivery;
    return {
      log: this.opts.log.child({ channel: delivery.channelId, delivery: delivery.id }),
      recordPost: async (post: PostRef) => {
        current = { ...current, posts: [...current.posts, post], updatedAt: new Date(this.now()).toISOString() };
        await this.renewClaim(current.id);
        await this.store.saveDelivery(current);
        onUpdate?.(current);
      },
      saveIntent: async (intent: Record<string, unknown>) => {
        current = { ...current, intent, updatedAt: new Date(this.now()).toISOString() };
        await this.renewClaim(current.id);
        await this.store.saveDelivery(current);
        onUpdate?.(current);
      },
    };
  }

  /**
   * Every state change goes through here, and only as src/core/delivery-states.ts allows. With `claim`, the write
   * also gives up this process's claim on the delivery (one write for the outcome and the release, not two).
   */
  private async transition(delivery: Delivery, state: DeliveryState, detail: string | undefined, patch: Partial<Delivery> = {}, claim?: HeldClaim): Promise<Delivery> {
    if (!mayBecome(delivery.state, state)) throw new IllegalTransitionError(delivery.id, delivery.state, state);
    const at = new Date(this.now()).toISOString();
    const next: Delivery = {
      ...delivery,
      ...patch,
      state,
      updatedAt: at,
      history: [...delivery.history, { at, event: state, ...(detail ? { detail } : {}) }],
    };
    for (const key of Object.keys(patch) as Array<keyof Delivery>) if (patch[key] === undefined) delete next[key];
    await this.store.saveDelivery(next, claim ? { release: this.opts.owner } : undefined);
    if (claim) claim.released = true;
    if (state === 'dead' || state === 'uncertain') this.opts.onTrouble?.(next);
    return next;
  }
}

/** A claim this process holds while it publishes a delivery: released with the attempt's last write, or after it. */
interface HeldClaim {
  released: boolean;
}

/** Decided on the error's `wait` field, never on its words (the house rule "facts travel as data"). */
function isCredentialsRefusal(err: unknown): err is ThreadcastError {
  return err instanceof ThreadcastError && err.wait === 'auth';
}
