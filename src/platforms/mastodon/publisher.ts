import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { ComposedThread, Delivery, PostRef } from '../../core/delivery.js';
import { describeError, permanent, PlatformError, ThreadcastError } from '../../core/errors.js';
import type { Item } from '../../core/item.js';
import { rateLimitedTotal } from '../../core/metrics.js';
import { redactUrl } from '../../http/redact-url.js';
import { loadImage, prepareImage } from '../../media/images.js';
import type { Store } from '../../store/store.js';
import type { RetractReport } from '../kit.js';
import type { AccountCheck, PublishContext, Publisher, ReconcileResult } from '../publisher.js';
import { probeMastodonAccount, type VerifiedAccount } from './account-check.js';
import { MastodonApi } from './api.js';
import { withChannelUtm } from '../../compose/utm.js';
import { composeForChannel } from '../compose-for-channel.js';
import { composeWithLimits, type ComposeLimits, type MastodonPart } from './compose.js';
import type { MastodonChannelConfig } from './config.js';
import { rateWindowOf } from './errors.js';
import { InstanceLimits } from './instance-limits.js';
import { fitsMastodon, type MastodonLimits } from './limits.js';
import { MastodonRateGate, type RateFamily } from './rate-gate.js';
import { contentIsText } from './status-text.js';

/** Mastodon's default image limit is 16 MB; re-encoded images stay well below it. */
const IMAGE_MAX_BYTES = 8_000_000;
/** Mastodon keeps alt text (`description`) up to 1,500 characters. */
const ALT_TEXT_MAX = 1500;
/** How many of the account's newest statuses are read to find our own (the most one request returns). */
const READ_LIMIT = 40;
const REQUEST_TIMEOUT_MS = 30_000;

export interface MastodonPublisherOptions {
  channel: MastodonChannelConfig & { accessToken: string };
  web: Pick<Config['web'], 'timeoutMs' | 'maxImageBytes' | 'allowPrivateHosts'>;
  store: Store;
  log: Logger;
  now?: () => number;
  /** Timeout of each request to the instance; default 30 s (`threadcast doctor` uses a shorter one). */
  requestTimeoutMs?: number;
  /** How an upload answered 202 is waited for: GET /api/v1/media/:id every `intervalMs`, for at most `timeoutMs`. */
  mediaPoll?: { intervalMs: number; timeoutMs: number };
}

/** The plan saved before the first write: what is posted, and what makes each part's Idempotency-Key. */
interface MastodonIntent {
  /** When the plan was made; with the delivery id and the part's index it makes the part's Idempotency-Key. */
  plannedAt: string;
  /** The parts' texts as they are posted (recomposed when the instance's limits differ from the stored thread's). */
  texts: string[];
  /** The part sent last whose answer was not recorded. */
  pending?: number;
  /** Images of part 1, uploaded once. */
  mediaIds?: string[];
}

interface Status {
  id: string;
  url?: string | null;
  uri: string;
  content: string;
  in_reply_to_id?: string | null;
}

interface MediaAttachment {
  id: string;
  url?: string | null;
}

/**
 * A part's Idempotency-Key: the same delivery, plan and part always give the same key, so a retry after a crash
 * or an unanswered request gets the first status back from the instance (it keeps keys for an hour) instead of a
 * second one. Opaque: it names neither the channel nor the item.
 */
export function idempotencyKey(deliveryId: string, plannedAt: string, part: number): string {
  return createHash('sha256').update(`threadcast mastodon status v1\u0000${deliveryId}\u0000${plannedAt}\u0000${part}`).digest('hex').slice(0, 40);
}

function readIntent(intent: Record<string, unknown> | undefined): MastodonIntent | undefined {
  const { plannedAt, texts } = (intent ?? {}) as Partial<MastodonIntent>;
  if (typeof plannedAt !== 'string' || !Array.isArray(texts)) return undefined;
  return intent as unknown as MastodonIntent;
}

/** An item's BCP 47 tag cut to the ISO 639 language Mastodon takes ("en-GB" → "en"). */
function languageOf(tag: string | undefined): string | undefined {
  const primary = tag?.split(/[-_]/)[0]?.toLowerCase();
  return primary && /^[a-z]{2,3}$/.test(primary) ? primary : undefined;
}

/**
 * Posts a thread status by status, each replying to the one before (`in_reply_to_id`). Before the first write
 * the plan is saved; every status carries an Idempotency-Key derived from the delivery, the plan and the part,
 * and is recorded before the next is sent. A part whose answer was lost is first looked for among the account's
 * newest statuses, then sent again with the same key: either way it exists once.
 */
export class MastodonPublisher implements Publisher {
  readonly platform = 'mastodon';
  readonly dryRun = false;
  readonly channelId: string;
  private readonly now: () => number;
  private readonly where: string;
  private readonly api: MastodonApi;
  private readonly limits: InstanceLimits;
  private readonly gate: MastodonRateGate;

  constructor(private readonly opts: MastodonPublisherOptions) {
    const { channel, store } = opts;
    this.channelId = channel.id;
    this.now = opts.now ?? Date.now;
    this.where = `channel ${channel.id} (${redactUrl(channel.instance).replace(/\/$/, '')})`;
    this.gate = new MastodonRateGate(store.kv, channel.id, this.where);
    this.api = new MastodonApi({
      instance: channel.instance,
      accessToken: channel.accessToken,
      timeoutMs: opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      allowPrivateHosts: opts.web.allowPrivateHosts,
      where: this.where,
      now: this.now,
      onAnswer: async (request, answer) => {
        const family = rateFamilyOf(request);
        if (family) await this.gate.observe(family, rateWindowOf(answer.headers));
      },
    });
    this.limits = new InstanceLimits(this.api, store.kv, channel.instance, this.now);
  }

  /** The one compose preview uses too: for the channel's maxCharacters (else 500), whatever the instance says. */
  compose(item: Item): ComposedThread {
    return composeForChannel(item, this.opts.channel);
  }

  async publish(delivery: Delivery, thread: ComposedThread, ctx: PublishContext): Promise<PostRef[]> {
    if (ctx.replyTo && !/^\d+$/.test(ctx.replyTo.parent.id)) {
      throw permanent(`the thread to answer has no Mastodon status id to reply to (${ctx.replyTo.parent.id})`, { where: this.where });
    }
    let intent = readIntent(delivery.intent) ?? (await this.plan(delivery, thread, ctx));
    const posts = [...delivery.posts];

    if (intent.pending !== undefined && intent.pending === posts.length) {
      const found = await this.findOwn(intent.texts, posts, ctx.replyTo?.parent.id ?? null).catch((err: unknown) => {
        // Whatever kept the read from telling (no read:statuses scope, its own window, the network), sending
        // again is still safe: the part goes with the same Idempotency-Key, and a spent or refused write says so itself.
        ctx.log.warn({ part: intent.pending! + 1, err: describeError(err) }, 'could not read the account statuses; sending the part again with its key');
        return [];
      });
      for (const post of found) {
        await ctx.recordPost(post);
        posts.push(post);
      }
    }
    if (posts.length >= intent.texts.length) return posts;

    await this.gate.assertRoom('statuses', intent.texts.length - posts.length, this.now());
    let mediaIds: string[] = [];
    if (posts.length === 0) {
      intent = await this.uploadImages(delivery.item, intent, ctx);
      mediaIds = intent.mediaIds ?? [];
    }
    const { channel } = this.opts;
    const language = languageOf(delivery.item.language) ?? channel.language;
    for (let i = posts.length; i < intent.texts.length; i++) {
      intent = { ...intent, pending: i };
      await ctx.saveIntent({ ...intent });
      const parent = i === 0 ? ctx.replyTo?.parent.id : posts[i - 1]!.id;
      let status: Status;
      try {
        status = (
          await this.api.call<Status>('POST', '/api/v1/statuses', {
            idempotencyKey: idempotencyKey(delivery.id, intent.plannedAt, i),
            json: {
              status: intent.texts[i],
              visibility: channel.visibility,
              ...(parent ? { in_reply_to_id: parent } : {}),
              ...(i === 0 && mediaIds.length ? { media_ids: mediaIds } : {}),
              ...(language ? { language } : {}),
              ...(channel.spoilerText ? { spoiler_text: channel.spoilerText } : {}),
            },
          })
        ).body;
      } catch (err) {
        if (err instanceof PlatformError && err.fault.kind === 'rate') rateLimitedTotal.inc({ channel: this.channelId });
        throw err;
      }
      const post = { id: status.id, url: status.url ?? status.uri };
      await ctx.recordPost(post);
      posts.push(post);
    }
    await ctx.saveIntent({ plannedAt: intent.plannedAt, texts: intent.texts, ...(intent.mediaIds ? { mediaIds: intent.mediaIds } : {}) });
    return posts;
  }

  /**
   * Asked on start for a delivery left mid-publish: its parts not yet recorded are looked for among the account's
   * newest statuses. Whatever is not found is sent by publish() with the part's own key, so resuming is safe.
   */
  async reconcile(delivery: Delivery, ctx: PublishContext): Promise<ReconcileResult> {
    const intent = readIntent(delivery.intent);
    if (!intent) return { status: 'resume' };
    // An update note answers an earlier thread; when the caller does not say which, its first part may answer any.
    const firstParent = ctx.replyTo?.parent.id ?? (delivery.replyTo ? undefined : null);
    try {
      const found = await this.findOwn(intent.texts, delivery.posts, firstParent);
      if (found.length === 0) return { status: 'resume' };
      ctx.log.info({ found: found.length }, 'reconciled: found parts among the account statuses');
      return { status: 'published', posts: [...delivery.posts, ...found] };
    } catch (err) {
      // A refused token (401) is the channel's problem, not this delivery's: the outbox backs the channel off. A
      // token without read:statuses (403) can still post, and publish() sends the rest with the parts' own keys.
      if (err instanceof PlatformError && err.fault.kind === 'auth' && err.fault.httpStatus === 401) throw err;
      return { status: 'resume' };
    }
  }

  async checkAccount(): Promise<AccountCheck> {
    return probeMastodonAccount(this.api, this.limits, this.opts.channel);
  }

  /**
   * `threadcast retract`: DELETE /api/v1/statuses/:id for each status, the last part first, its media with it
   * (`delete_media`: a retracted image is not kept for a redraft). The instance's 404 says the status is gone already.
   */
  async deletePosts(posts: readonly PostRef[]): Promise<RetractReport> {
    const report: RetractReport = { deleted: 0, alreadyGone: 0 };
    for (const post of [...posts].reverse()) {
      try {
        await this.api.call('DELETE', `/api/v1/statuses/${encodeURIComponent(post.id)}`, { query: { delete_media: true } });
        report.deleted += 1;
      } catch (err) {
        if (!(err instanceof PlatformError && err.fault.httpStatus === 404)) throw err;
        report.alreadyGone += 1;
      }
    }
    return report;
  }

  /**
   * Decides what is posted and saves it before any write: the stored thread exactly as composed (what preview
   * showed) when it fits the instance; composed again for the instance's limits only when the instance allows
   * fewer characters than it was composed for, or counts a URL otherwise, and nothing of it is posted yet.
   */
  private async plan(delivery: Delivery, thread: ComposedThread, ctx: PublishContext): Promise<MastodonIntent> {
    const instance = await this.limits.load();
    let parts = thread.parts as MastodonPart[];
    const composedFor = parts[0];
    if (delivery.posts.length === 0 && composedFor && (instance.maxCharacters < composedFor.limit || instance.charactersReservedPerUrl !== composedFor.urlWeight)) {
      const { channel } = this.opts;
      const limits: ComposeLimits = { maxCharacters: Math.min(composedFor.limit, instance.maxCharacters), charactersReservedPerUrl: instance.charactersReservedPerUrl };
      const posted = channel.utm ? withChannelUtm(delivery.item, channel) : delivery.item;
      parts = composeWithLimits(posted, channel.template, limits, channel.spoilerText);
      ctx.log.warn(
        { parts: parts.length, composedFor: composedFor.limit, instanceMaxCharacters: instance.maxCharacters, instanceUrlWeight: instance.charactersReservedPerUrl },
        `composed again for the instance's limits, so this thread differs from its preview; set maxCharacters: ${instance.maxCharacters} on channel ${channel.id}`,
      );
    }
    assertWithinLimits(parts, instance, this.opts.channel.spoilerText, this.where);
    const intent: MastodonIntent = { plannedAt: new Date(this.now()).toISOString(), texts: parts.map((p) => p.text) };
    await ctx.saveIntent({ ...intent });
    return intent;
  }

  /**
   * The thread's parts from `posts.length` on, as far as they are found in order among the account's newest
   * statuses: each one replying to the one before, with the text we sent. `firstParent`: what the first part
   * answers (null: nothing; undefined: anything).
   */
  private async findOwn(texts: string[], posts: PostRef[], firstParent: string | null | undefined): Promise<PostRef[]> {
    const account = await this.account();
    const statuses = (
      await this.api.call<Status[]>('GET', `/api/v1/accounts/${encodeURIComponent(account.id)}/statuses`, { query: { limit: READ_LIMIT, exclude_reblogs: true } })
    ).body;
    const found: PostRef[] = [];
    for (let i = posts.length; i < texts.length; i++) {
      const parent = i === 0 ? firstParent : (found.at(-1) ?? posts[i - 1])!.id;
      const match = statuses.find((s) => (parent === undefined || (s.in_reply_to_id ?? null) === parent) && contentIsText(s.content, texts[i]!));
      if (!match) break;
      found.push({ id: match.id, url: match.url ?? match.uri });
    }
    return found;
  }

  /** The account the token acts for, kept in the store (its id never changes). */
  private async account(): Promise<VerifiedAccount> {
    const key = `mastodon:account:${this.channelId}:${new URL(this.opts.channel.instance).origin}`;
    const cached = (await this.opts.store.kv.get(key)) as VerifiedAccount | undefined;
    if (cached) return cached;
    const me = (await this.api.call<VerifiedAccount>('GET', '/api/v1/accounts/verify_credentials')).body;
    const account = { id: me.id, username: me.username, acct: me.acct };
    await this.opts.store.kv.set(key, account);
    return account;
  }

  /**
   * Part 1's images with their alt text (`description`), uploaded once and kept in the intent, so a retry
   * attaches the same ones. An image that cannot be had is left out; refused credentials and a spent window are not.
   */
  private async uploadImages(item: Item, intent: MastodonIntent, ctx: PublishContext): Promise<MastodonIntent> {
    if (intent.mediaIds || item.images.length === 0) return intent;
    const limits = await this.limits.load();
    const images = item.images.slice(0, limits.maxMediaAttachments);
    await this.gate.assertRoom('media', images.length, this.now());
    const ids: string[] = [];
    for (const image of images) {
      try {
        const raw = await loadImage(image.url, { timeoutMs: this.opts.web.timeoutMs, maxBytes: this.opts.web.maxImageBytes, allowPrivateHosts: this.opts.web.allowPrivateHosts });
        const prepared = await prepareImage(raw, { maxBytes: IMAGE_MAX_BYTES });
        const uploaded = await this.api.call<MediaAttachment>('POST', '/api/v2/media', {
          multipart: {
            fields: image.alt ? { description: Array.from(image.alt).slice(0, ALT_TEXT_MAX).join('') } : {},
            files: [{ name: 'file', filename: `image.${prepared.mimeType.split('/')[1]}`, contentType: prepared.mimeType, data: prepared.data }],
          },
        });
        ids.push(uploaded.status === 202 || !uploaded.body.url ? await this.processed(uploaded.body.id) : uploaded.body.id);
      } catch (err) {
        if (err instanceof ThreadcastError && err.wait) throw err;
        ctx.log.warn({ image: redactUrl(image.url), err: describeError(err) }, 'image left out');
      }
    }
    const next = { ...intent, mediaIds: ids };
    await ctx.saveIntent({ ...next });
    return next;
  }

  /** An upload the instance processes later (202): asked after until it has a URL (200), as a status can only attach it then. */
  private async processed(id: string): Promise<string> {
    const { intervalMs, timeoutMs } = this.opts.mediaPoll ?? { intervalMs: 1000, timeoutMs: 60_000 };
    // Real time, not the injected clock: this waits on the instance.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await new Promise((r) => setTimeout(r, intervalMs));
      const media = await this.api.call<MediaAttachment>('GET', `/api/v1/media/${encodeURIComponent(id)}`);
      if (media.status === 200 && media.body.url) return id;
      if (Date.now() >= deadline) throw new Error(`the instance was still processing the image after ${timeoutMs} ms`);
    }
  }
}

function rateFamilyOf(request: { method: string; path: string }): RateFamily | undefined {
  if (request.method !== 'POST') return undefined;
  if (request.path === '/api/v1/statuses') return 'statuses';
  if (request.path === '/api/v2/media') return 'media';
  return undefined;
}

function assertWithinLimits(parts: MastodonPart[], limits: MastodonLimits, spoilerText: string | undefined, where: string): void {
  parts.forEach((part, i) => {
    if (!fitsMastodon(part.text, limits, spoilerText)) {
      throw permanent(`part ${i + 1} is over the instance's ${limits.maxCharacters} characters`, { where });
    }
  });
}
