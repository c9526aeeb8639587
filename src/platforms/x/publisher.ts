import { ApiResponseError, type TwitterApi } from 'twitter-api-v2';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { ComposedThread, Delivery, PostRef } from '../../core/delivery.js';
import { ambiguous, describeError, permanent, PlatformError, retryable, ThreadcastError } from '../../core/errors.js';
import type { Item } from '../../core/item.js';
import { rateLimitedTotal } from '../../core/metrics.js';
import { redactUrl } from '../../http/redact-url.js';
import { loadImage, prepareImage } from '../../media/images.js';
import type { Store } from '../../store/store.js';
import { composeForChannel } from '../compose-for-channel.js';
import type { RetractReport } from '../kit.js';
import type { AccountCheck, PublishContext, Publisher, ReconcileResult } from '../publisher.js';
import { bearerClient, oauth1Client, type XClientHooks } from './client.js';
import { estimateXCostUsd, fitsX } from './compose.js';
import type { XChannelConfig } from './config.js';
import { classifyXError, isDuplicateContent, isUnauthorized } from './errors.js';
import { OAuth2Tokens } from './oauth2-tokens.js';
import type { XPart } from './parts.js';
import { RateGate } from './rate-gate.js';
import { samePostText } from './post-text.js';
import { idUnknownAfterSearch, idUnknownWithoutRead, readFailed, readRefused, resendUnanswered, type PartInDoubt } from './settle-advice.js';
import { SpendLedger } from './spend-ledger.js';

const IMAGE_MAX_BYTES = 5_000_000;
const MAX_IMAGES = 4;
const ALT_TEXT_MAX = 1000;
/**
 * How far back a part in doubt is looked for: a small first page (it is nearly always among the newest
 * posts, and each post read is billed), then one more page to reach 100 posts.
 */
const SEARCH_PAGES = [20, 80];
const SEARCH_LIMIT = SEARCH_PAGES.reduce((a, b) => a + b, 0);

export interface XPublisherOptions {
  channel: XChannelConfig;
  web: Config['web'];
  secretKey?: string;
  store: Store;
  log: Logger;
  now?: () => number;
  /** Timeout of each API request; default 30 s (`threadcast doctor` uses its own, shorter one). */
  requestTimeoutMs?: number;
}

interface PendingIntent {
  /** Index of the part sent last whose answer we never saw. */
  pending?: number;
}

/**
 * Posts a thread part by part: each part's id is recorded before the next is sent, so an interrupted
 * thread resumes where it stopped. A part whose outcome is unknown is settled — by reading the
 * account's recent posts when `readAccess` allows, else by X's duplicate-content refusal. What may pass
 * (a failed read, an unanswered re-send) is retryable with the part still marked pending, so the next
 * attempt settles it before anything new is sent; only what needs an operator waits as uncertain, with
 * the commands that finish the thread in its reason.
 */
export class XPublisher implements Publisher {
  readonly platform = 'x';
  readonly dryRun = false;
  readonly channelId: string;
  private readonly now: () => number;
  private readonly where: string;
  private readonly gate: RateGate;
  private readonly ledger: SpendLedger;
  private readonly tokens: OAuth2Tokens | undefined;
  private readonly hooks: XClientHooks;
  private oauth1: TwitterApi | undefined;

  constructor(private readonly opts: XPublisherOptions) {
    const { channel, store } = opts;
    this.channelId = channel.id;
    this.now = opts.now ?? Date.now;
    // Every error and log line carries this: never a password written into apiBase.
    this.where = `channel ${channel.id} (${redactUrl(channel.apiBase).replace(/\/$/, '')})`;
    this.gate = new RateGate(store, channel.id, channel.limits, this.where);
    this.ledger = new SpendLedger(store, channel.id, channel.monthlyBudgetUsd, this.where);
    // Only the create-post answers speak for the posting windows; reads have windows of their own.
    this.hooks = {
      onHeaders: (headers, request) => {
        if (request.method === 'POST' && request.path.endsWith('/2/tweets')) this.gate.observe(headers, this.now());
      },
      ...(opts.requestTimeoutMs ? { timeoutMs: opts.requestTimeoutMs } : {}),
    };
    if (channel.auth === 'oauth2') {
      if (!channel.clientId) throw permanent('auth is oauth2 but clientId is missing', { where: this.where });
      this.tokens = new OAuth2Tokens({
        channelId: channel.id,
        apiBase: channel.apiBase,
        clientId: channel.clientId,
        ...(channel.clientSecret ? { clientSecret: channel.clientSecret } : {}),
        ...(channel.refreshToken ? { envRefreshToken: channel.refreshToken } : {}),
        ...(opts.secretKey ? { secretKey: opts.secretKey } : {}),
        kv: store.kv,
        leases: store,
        log: opts.log,
        now: this.now,
      });
    }
  }

  compose(item: Item): ComposedThread {
    return composeForChannel(item, this.opts.channel);
  }

  async publish(delivery: Delivery, thread: ComposedThread, ctx: PublishContext): Promise<PostRef[]> {
    const parts = thread.parts as unknown as XPart[];
    parts.forEach((part, i) => {
      if (!fitsX(part.text)) throw permanent(`part ${i + 1} is over X's 280 weighted characters`, { where: this.where });
    });
    const posts = [...delivery.posts];
    if (ctx.replyTo && !/^\d+$/.test(ctx.replyTo.parent.id)) {
      throw permanent(`the thread to answer has no X post id to reply to (${ctx.replyTo.parent.id})`, { where: this.where });
    }

    // Images belong to part 1, whether it is sent or re-sent to settle it; uploaded once, when needed.
    let mediaIds: string[] | undefined;
    const pending = (delivery.intent as PendingIntent | undefined)?.pending;
    if (pending === 0 && posts.length === 0 && !this.opts.channel.readAccess) mediaIds = await this.uploadImages(delivery.item, ctx.log);
    // A part that was in doubt and not found: if X now refuses it as a duplicate, it is ours after all.
    let doubted: number | undefined;
    if (pending !== undefined && pending === posts.length) {
      const settled = await this.settle(parts, posts, pending, delivery, ctx, mediaIds ?? []);
      if (settled) {
        await ctx.recordPost(settled);
        posts.push(settled);
      } else doubted = pending;
      await ctx.saveIntent({});
    }
    if (posts.length >= parts.length) return posts;

    // Never start what cannot finish: the whole rest of the thread must fit the money and the windows.
    const rest = parts.slice(posts.length);
    await this.ledger.assertAffordable(estimateXCostUsd(rest, this.opts.channel.prices), this.now());
    await this.gate.assertRoom(rest.length, this.now());
    if (posts.length === 0) mediaIds ??= await this.uploadImages(delivery.item, ctx.log);

    for (let i = posts.length; i < parts.length; i++) {
      const part = parts[i]!;
      await ctx.saveIntent({ pending: i });
      let post: PostRef;
      try {
        post = await this.send(part, i === 0 ? ctx.replyTo?.parent.id : posts[i - 1]?.id, i === 0 ? (mediaIds ?? []) : []);
      } catch (err) {
        const failure = classifyXError(err, this.where, { mayHaveApplied: true });
        if (failure.kind === 'ambiguous') {
          ctx.log.warn({ part: i + 1, err: failure.message }, 'part outcome unknown; settling it');
          const settled = await this.settle(parts, posts, i, delivery, ctx, i === 0 ? (mediaIds ?? []) : []);
          if (!settled) {
            // The intent stays: X's timeline may show a new post late, so the next attempt looks again before sending.
            throw retryable(`part ${i + 1} was not found after an unclear answer (${failure.detail}); the next attempt looks again, then sends it`, { where: this.where });
          }
          post = settled;
        } else if (isDuplicateContent(err) && doubted === i) {
          // The intent stays pending, so the next attempt reads again; should it still not be found, X refuses
          // the re-send once more, which costs a slot in the window but never a second copy.
          const doubt = await this.partInDoubt(parts, i, delivery, true);
          if (this.opts.channel.readAccess) throw retryable(idUnknownAfterSearch(doubt, SEARCH_LIMIT), { where: this.where });
          throw ambiguous(idUnknownWithoutRead(doubt), { where: this.where });
        } else if (isDuplicateContent(err)) {
          await ctx.saveIntent({});
          if (i === 0) throw permanent('X refuses the first part as duplicate content: the account already posted this text', { where: this.where });
          throw ambiguous(`X refuses part ${i + 1} as duplicate content, so the thread cannot continue by itself`, { where: this.where });
        } else {
          if (failure.wait) rateLimitedTotal.inc({ channel: this.channelId });
          await ctx.saveIntent({});
          throw failure;
        }
      }
      await ctx.recordPost(post);
      posts.push(post);
    }
    await ctx.saveIntent({});
    return posts;
  }

  async reconcile(): Promise<ReconcileResult> {
    // publish() settles a part in doubt before sending anything, so resuming is always safe.
    return { status: 'resume' };
  }

  /**
   * `threadcast doctor`: GET /2/users/me with the channel's credentials, through the same client and,
   * for OAuth 2.0, the same stored rotating tokens as publishing (a refresh it needs is saved as usual).
   * Not billed as a post read; not cached, so it proves the credentials work now.
   */
  async checkAccount(): Promise<AccountCheck> {
    const { channel } = this.opts;
    try {
      const me = await this.call((c) => c.v2.me());
      return { ok: true, account: `@${me.data.username}`, detail: `user id ${me.data.id}, ${channel.auth === 'oauth2' ? 'OAuth 2.0' : 'OAuth 1.0a'}, ${redactUrl(channel.apiBase)}` };
    } catch (err) {
      return xAccountProblem(err, redactUrl(channel.apiBase), channel.auth, this.where);
    }
  }

  /**
   * `threadcast retract`: DELETE /2/tweets/:id for each post, the last part first, so no reply is left answering
   * a deleted post. X's 404 says the post is gone already (deleted by hand, or by a retract cut short).
   */
  async deletePosts(posts: readonly PostRef[]): Promise<RetractReport> {
    const report: RetractReport = { deleted: 0, alreadyGone: 0 };
    for (const post of [...posts].reverse()) {
      try {
        const res = await this.call((c) => c.v2.deleteTweet(post.id));
        if (!res.data.deleted) throw retryable(`X did not delete post ${post.id}`, { where: this.where });
        report.deleted += 1;
      } catch (err) {
        if (err instanceof ApiResponseError && err.code === 404) report.alreadyGone += 1;
        else throw classifyXError(err, this.where, { mayHaveApplied: false });
      }
    }
    return report;
  }

  /** Sends one part. Money and the rate window are reserved before sending and given back only when X surely did nothing. */
  private async send(part: XPart, replyTo: string | undefined, mediaIds: string[]): Promise<PostRef> {
    const cost = estimateXCostUsd([part], this.opts.channel.prices);
    // One moment for the whole send: money given back goes to the month it was taken from.
    const now = this.now();
    // Checked first so that, short of both, the budget is the reason given. The money is reserved, then the place in
    // the windows taken, each in one step another process cannot come between; money for a place not had goes back.
    await this.ledger.assertAffordable(cost, now);
    await this.gate.assertRoom(1, now);
    await this.ledger.reserve(cost, now);
    try {
      await this.gate.take(now);
    } catch (err) {
      await this.ledger.record(-cost, now);
      throw err;
    }
    try {
      const res = await this.call((c) =>
        c.v2.tweet({
          text: part.text,
          ...(replyTo ? { reply: { in_reply_to_tweet_id: replyTo } } : {}),
          ...(mediaIds.length ? { media: { media_ids: mediaIds as [string] } } : {}),
        }),
      );
      return { id: res.data.id, url: `https://x.com/i/web/status/${res.data.id}` };
    } catch (err) {
      if (classifyXError(err, this.where, { mayHaveApplied: true }).kind !== 'ambiguous') await this.ledger.record(-cost, now);
      throw err;
    }
  }

  /**
   * Is part `i` on X? Returns its post when found, undefined when surely absent. Throws retryable (the
   * intent still pending) when trying again may tell, ambiguous when only an operator can.
   */
  private async settle(parts: XPart[], posts: PostRef[], i: number, delivery: Delivery, ctx: PublishContext, mediaIds: string[]): Promise<PostRef | undefined> {
    const part = parts[i]!;
    const parent = i === 0 ? ctx.replyTo?.parent.id : posts[i - 1]?.id;
    if (this.opts.channel.readAccess) {
      let found: PostRef | undefined;
      try {
        found = await this.findOwnPost(part.text, parent);
      } catch (err) {
        if (err instanceof ThreadcastError && err.wait) throw err;
        const failure = classifyXError(err, this.where, { mayHaveApplied: false });
        if (failure.wait) throw failure;
        const doubt = await this.partInDoubt(parts, i, delivery, false);
        if (failure.kind === 'permanent') throw ambiguous(readRefused(doubt, failure.detail), { where: this.where });
        throw retryable(readFailed(doubt, failure.detail), { where: this.where });
      }
      ctx.log.info({ part: i + 1, found: Boolean(found) }, 'settled by reading recent posts');
      return found;
    }
    // Without read access, send the same text again: X refuses a duplicate, which proves the first landed.
    try {
      return await this.send(part, parent, mediaIds);
    } catch (err) {
      if (isDuplicateContent(err)) {
        if (i === parts.length - 1) return { id: 'unknown (X confirmed it by refusing a duplicate)' };
        throw ambiguous(idUnknownWithoutRead(await this.partInDoubt(parts, i, delivery, true)), { where: this.where });
      }
      const failure = classifyXError(err, this.where, { mayHaveApplied: true });
      // Safe to repeat: a part that landed meanwhile is refused as a duplicate next time, never posted twice.
      if (failure.kind === 'ambiguous') throw retryable(resendUnanswered(await this.partInDoubt(parts, i, delivery, false), failure.detail), { where: this.where });
      throw failure;
    }
  }

  /**
   * Looks for our post among the account's latest ones, newest first, up to SEARCH_LIMIT of them. A
   * reply is newer than its parent (X's ids grow with time), so only what follows the parent is read;
   * a first part answers nothing, so replies are left out of the read.
   */
  private async findOwnPost(text: string, parentId: string | undefined): Promise<PostRef | undefined> {
    const prices = this.opts.channel.prices;
    const me = await this.userId();
    let token: string | undefined;
    for (const size of SEARCH_PAGES) {
      await this.ledger.assertAffordable(prices.readUsd * size, this.now());
      const page = await this.call((c) =>
        c.v2.userTimeline(me, {
          max_results: size,
          'tweet.fields': ['referenced_tweets', 'attachments', 'created_at'],
          ...(parentId ? { since_id: parentId } : { exclude: 'replies' }),
          ...(token ? { pagination_token: token } : {}),
        }),
      );
      const tweets = page.tweets;
      await this.ledger.record(prices.readUsd * tweets.length, this.now());
      const match = tweets.find((t) => {
        const repliedTo = t.referenced_tweets?.find((r) => r.type === 'replied_to')?.id;
        return repliedTo === parentId && samePostText(t.text, text, { mediaLink: Boolean(t.attachments?.media_keys?.length) });
      });
      if (match) return { id: match.id, url: `https://x.com/i/web/status/${match.id}` };
      token = page.meta.next_token;
      if (!token) return undefined;
    }
    return undefined;
  }

  /**
   * The facts an operator needs about a part in doubt. The account's handle is asked of X only when X
   * has just answered (`askX`); after a failed request a second one would likely fail (or hang) too.
   */
  private async partInDoubt(parts: XPart[], i: number, delivery: Delivery, askX: boolean): Promise<PartInDoubt> {
    const doubt: PartInDoubt = { index: i, text: parts[i]!.text, channelId: this.channelId, deliveryId: delivery.id };
    try {
      const account = askX ? await this.account() : await this.cachedAccount();
      if (account) doubt.username = account.username;
    } catch {
      // The advice reads well without the handle; the channel id names the account too.
    }
    return doubt;
  }

  private async userId(): Promise<string> {
    return (await this.account()).id;
  }

  /** The account the credentials act for (GET /2/users/me, not billed as a post read), kept in the store. */
  private async account(): Promise<{ id: string; username: string }> {
    const cached = await this.cachedAccount();
    if (cached) return cached;
    const me = await this.call((c) => c.v2.me());
    const account = { id: me.data.id, username: me.data.username };
    await this.opts.store.kv.set(this.accountKey, account);
    return account;
  }

  private get accountKey(): string {
    return `x:account:${this.channelId}`;
  }

  private async cachedAccount(): Promise<{ id: string; username: string } | undefined> {
    return (await this.opts.store.kv.get(this.accountKey)) as { id: string; username: string } | undefined;
  }

  private async uploadImages(item: Item, log: Logger): Promise<string[]> {
    const ids: string[] = [];
    for (const image of item.images.slice(0, MAX_IMAGES)) {
      try {
        const raw = await loadImage(image.url, { timeoutMs: this.opts.web.timeoutMs, maxBytes: this.opts.web.maxImageBytes, allowPrivateHosts: this.opts.web.allowPrivateHosts });
        const prepared = await prepareImage(raw, { maxBytes: IMAGE_MAX_BYTES });
        const id = await this.call((c) => c.v2.uploadMedia(prepared.data, { media_type: prepared.mimeType, media_category: 'tweet_image' }));
        if (image.alt) await this.call((c) => c.v2.createMediaMetadata(id, { alt_text: { text: image.alt.slice(0, ALT_TEXT_MAX) } }));
        ids.push(id);
      } catch (err) {
        log.warn({ image: redactUrl(image.url), err: describeError(err) }, 'image left out');
      }
    }
    return ids;
  }

  /** One API call with the channel's credentials; an OAuth 2 token refused with 401 is refreshed once. */
  private async call<T>(fn: (client: TwitterApi) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.client());
    } catch (err) {
      if (!(this.tokens && isUnauthorized(err))) throw err;
      // A 401 means nothing was applied, so repeating the call after a refresh is safe.
      await this.tokens.refresh();
      return await fn(await this.client());
    } finally {
      // Best effort: the windows X announced are a hint for the next send. A store that fails here must not turn a
      // post X took into a failure, which would give its money back and send it again.
      await this.gate.save().catch((err: unknown) => this.opts.log.warn({ err: describeError(err) }, "could not keep X's rate-limit headers; the next answer brings them again"));
    }
  }

  private async client(): Promise<TwitterApi> {
    const { channel } = this.opts;
    if (this.tokens) return bearerClient(channel.apiBase, await this.tokens.accessToken(), this.hooks);
    this.oauth1 ??= oauth1Client(
      channel.apiBase,
      { appKey: channel.appKey!, appSecret: channel.appSecret!, accessToken: channel.accessToken!, accessSecret: channel.accessSecret! },
      this.hooks,
    );
    return this.oauth1;
  }
}

const OAUTH1_FIX =
  'regenerate the access token and secret (developer portal → your app → Keys and tokens, with Read and Write permission) and set accessToken and accessSecret; appKey and appSecret must be the API key and secret of the same app';
const OAUTH2_FIX =
  'authorize the account again (OAuth 2.0 with the offline.access scope) and set refreshToken to the new refresh token; check clientId and clientSecret';

/** Sorts a failed GET /2/users/me (or token refresh) into what an operator must do; never repeats a credential. */
function xAccountProblem(err: unknown, apiBase: string, auth: 'oauth1' | 'oauth2', where: string): AccountCheck {
  const credentialsFix = auth === 'oauth2' ? OAUTH2_FIX : OAUTH1_FIX;
  const unreachableFix = `check that ${apiBase} is reachable from this host (DNS, proxy, firewall); if X answers 5xx, try again later`;
  const failure = classifyXError(err, where, { mayHaveApplied: false });
  const fault = failure instanceof PlatformError ? failure.fault : undefined;
  if (err instanceof ApiResponseError) {
    if (err.code === 401) return { ok: false, problem: 'credentials', detail: `X refused the credentials (401) at ${apiBase}`, fix: credentialsFix };
    if (err.code === 429) return { ok: false, problem: 'limited', detail: failure.detail, fix: 'wait for the rate window to reset and run doctor again' };
    if (err.code >= 500) return { ok: false, problem: 'unreachable', detail: `X could not be reached at ${apiBase}: ${failure.detail}`, fix: unreachableFix };
    return { ok: false, problem: 'other', detail: failure.detail, fix: "check the app's access level and project in the developer portal (GET /2/users/me needs user context)" };
  }
  // The OAuth 2.0 refresh: its refusals arrive already classified (401 as auth, any other 4xx as invalid).
  if (fault?.kind === 'auth' || fault?.kind === 'invalid' || fault?.kind === 'duplicate') {
    return { ok: false, problem: 'credentials', detail: `X refused the ${auth === 'oauth2' ? 'OAuth 2.0 token refresh' : 'credentials'}: ${failure.detail}`, fix: credentialsFix };
  }
  if (failure.wait === 'rate') return { ok: false, problem: 'limited', detail: failure.detail, fix: 'wait for the rate window to reset and run doctor again' };
  if (failure.kind === 'retryable') {
    return { ok: false, problem: 'unreachable', detail: `X could not be reached at ${apiBase}: ${fault?.kind === 'transient' && fault.httpStatus === undefined && fault.errno ? fault.errno : failure.detail}`, fix: unreachableFix };
  }
  return { ok: false, problem: 'other', detail: failure.detail, fix: 'fix what the detail names in the channel configuration' };
}
