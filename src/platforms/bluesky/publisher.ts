import { TID } from '@atproto/common-web';
import { AtUri, type AtpAgent } from '@atproto/api';
import type { Logger } from 'pino';
import { graphemeCount, utf8Length, withChannelUtm } from '../../compose/index.js';
import type { Config } from '../../config/schema.js';
import type { ComposedThread, Delivery, PostRef } from '../../core/delivery.js';
import { describeError, permanent, PlatformError, ThreadcastError } from '../../core/errors.js';
import type { Item } from '../../core/item.js';
import { rateLimitedTotal } from '../../core/metrics.js';
import { redactUrl } from '../../http/redact-url.js';
import { fetchLinkPreview } from '../../media/link-preview.js';
import { loadImage, prepareImage } from '../../media/images.js';
import type { Store } from '../../store/store.js';
import { composeForChannel } from '../compose-for-channel.js';
import type { RetractReport } from '../kit.js';
import type { AccountCheck, PublishContext, Publisher, ReconcileResult } from '../publisher.js';
import { BLUESKY_MAX_BYTES, BLUESKY_MAX_GRAPHEMES, CARD_THUMB_MAX_BYTES, fitsBluesky } from './compose.js';
import type { BlueskyChannelConfig } from './config.js';
import { classifyBlueskyError, isRateLimited, isSessionRefused, staleSession } from './errors.js';
import type { BlueskyPart } from './parts.js';
import { BlueskySession } from './session.js';
import { buildThreadRecords, POST_COLLECTION, type BlobRefJson, type EmbedJson, type ThreadIntent } from './thread-records.js';

const IMAGE_MAX_BYTES = 2_000_000;
const MAX_IMAGES = 4;
/** Longer than any write the PDS should need, short enough that a hung PDS does not stall the process. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface BlueskyPublisherOptions {
  channel: BlueskyChannelConfig & { identifier: string; password: string };
  web: Config['web'];
  store: Store;
  log: Logger;
  now?: () => number;
  /** Timeout of each PDS request; default 30 s (`threadcast doctor` uses its own, shorter one). */
  requestTimeoutMs?: number;
}

/**
 * Publishes a thread as one applyWrites commit whose record keys were chosen and stored first:
 * a retry after a crash or an unanswered request rebuilds the same records, and the PDS itself
 * refuses a second copy, so exactly one thread can exist.
 */
export class BlueskyPublisher implements Publisher {
  readonly platform = 'bluesky';
  readonly dryRun = false;
  readonly channelId: string;
  private readonly session: BlueskySession;
  private readonly now: () => number;
  private readonly where: string;

  constructor(private readonly opts: BlueskyPublisherOptions) {
    this.channelId = opts.channel.id;
    this.now = opts.now ?? Date.now;
    this.where = `channel ${opts.channel.id} (${opts.channel.service})`;
    this.session = new BlueskySession({
      channelId: opts.channel.id,
      service: opts.channel.service,
      identifier: opts.channel.identifier,
      password: opts.channel.password,
      kv: opts.store.kv,
      log: opts.log,
      timeoutMs: opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    });
  }

  compose(item: Item): ComposedThread {
    return composeForChannel(item, this.opts.channel);
  }

  async publish(delivery: Delivery, thread: ComposedThread, ctx: PublishContext): Promise<PostRef[]> {
    const parts = thread.parts as unknown as BlueskyPart[];
    parts.forEach((part, i) => assertWithinLimits(part, i, this.where));
    const loginsBefore = this.session.logins;
    const agent = await this.agent();
    const freshLogin = this.session.logins !== loginsBefore;

    let intent = readIntent(delivery.intent);
    if (intent) {
      // An earlier attempt may have landed without us hearing the answer.
      const landed = await this.landedPosts(agent, intent);
      if (landed) return this.record(landed, ctx);
    } else {
      intent = { rkeys: parts.map(() => TID.nextStr()), createdAt: new Date(this.now()).toISOString() };
      await ctx.saveIntent({ ...intent });
    }

    const embeds = await this.embedsFor(agent, delivery.item, ctx.log, freshLogin);
    const did = agent.session!.did;
    let replyTo: { root: { uri: string; cid: string }; parent: { uri: string; cid: string } } | undefined;
    if (ctx.replyTo) {
      const root = strongRef(ctx.replyTo.root);
      const parent = strongRef(ctx.replyTo.parent);
      // Posting it as a new thread would be wrong; the thread to answer has no record refs (e.g. it was a dry run).
      if (!root || !parent) throw permanent('the thread to answer has no Bluesky record (uri and cid)', { where: this.where });
      replyTo = { root, parent };
    }
    const records = await buildThreadRecords({ did, parts, intent, langs: this.langsFor(delivery.item), embeds, ...(replyTo ? { replyTo } : {}) });
    try {
      const res = await agent.com.atproto.repo.applyWrites({
        repo: did,
        validate: true,
        writes: records.map((r) => ({ $type: 'com.atproto.repo.applyWrites#create' as const, collection: POST_COLLECTION, rkey: r.rkey, value: r.record })),
      });
      const answered = (res.data.results ?? []).map((r) => ('cid' in r ? String(r.cid) : undefined));
      records.forEach((r, i) => {
        if (answered[i] !== r.cid) ctx.log.error({ rkey: r.rkey, ours: r.cid, theirs: answered[i] }, 'the PDS stored a record whose CID differs from ours; reply refs may not resolve');
      });
    } catch (err) {
      if (isRateLimited(err)) rateLimitedTotal.inc({ channel: this.channelId });
      if (isSessionRefused(err)) throw await this.sessionRefused(err, freshLogin);
      const failure = classifyBlueskyError(err, this.where);
      if (failure.kind === 'retryable' && !isRateLimited(err)) {
        // A 5xx or a dropped connection may follow a committed write (a repeated rkey even answers 500).
        const landed = await this.landedPosts(agent, intent).catch(() => undefined);
        if (landed) return this.record(landed, ctx);
      }
      throw failure;
    }
    return this.record(this.postsOf(records.map((r) => ({ uri: r.uri, cid: r.cid, rkey: r.rkey })), agent), ctx);
  }

  async reconcile(delivery: Delivery): Promise<ReconcileResult> {
    const intent = readIntent(delivery.intent);
    if (!intent) return { status: 'resume' };
    try {
      const landed = await this.landedPosts(await this.agent(), intent);
      return landed ? { status: 'published', posts: landed } : { status: 'resume' };
    } catch (err) {
      // Refused credentials are the channel's problem, not this delivery's: the outbox backs the channel off.
      if (err instanceof ThreadcastError && err.wait === 'auth') throw err;
      // Sending again is safe: the stored record keys make the PDS refuse a second copy.
      return { status: 'resume' };
    }
  }

  /**
   * `threadcast doctor`: gets the session exactly as publishing does — the stored (sealed) session is
   * resumed, which costs no login; only when the PDS refuses it does this log in (and store the new one).
   */
  async checkAccount(): Promise<AccountCheck> {
    const service = redactUrl(this.opts.channel.service);
    try {
      const agent = await this.agent();
      const { handle, did } = agent.session!;
      const how = this.session.connectedBy === 'resume' ? 'resumed the stored session (no login)' : 'logged in; session stored for reuse';
      return { ok: true, account: `@${handle} (${did})`, detail: `${how}, ${service}` };
    } catch (err) {
      return blueskyAccountProblem(err, service, this.opts.channel.identifier);
    }
  }

  /**
   * `threadcast retract`: one applyWrites commit that deletes every record of the thread still in the repository,
   * replies first. Each record is looked up before (getRecord): one already gone (deleted by hand, or by a retract
   * whose answer was lost) counts as deleted and is left out of the commit, which a delete of a missing record
   * would otherwise fail as a whole.
   */
  async deletePosts(posts: readonly PostRef[]): Promise<RetractReport> {
    const loginsBefore = this.session.logins;
    const agent = await this.agent();
    const freshLogin = this.session.logins !== loginsBefore;
    const did = agent.session!.did;
    const present: string[] = [];
    let alreadyGone = 0;
    try {
      for (const [i, post] of posts.entries()) {
        const uri = new AtUri(post.id);
        if (uri.host !== did) throw permanent(`part ${i + 1} (${post.id}) is not a record of this account (${did})`, { where: this.where });
        try {
          await agent.com.atproto.repo.getRecord({ repo: did, collection: uri.collection, rkey: uri.rkey });
          present.push(uri.rkey);
        } catch (err) {
          if ((err as { error?: string }).error !== 'RecordNotFound') throw err;
          alreadyGone += 1;
        }
      }
      if (present.length > 0) {
        await agent.com.atproto.repo.applyWrites({
          repo: did,
          writes: present.reverse().map((rkey) => ({ $type: 'com.atproto.repo.applyWrites#delete' as const, collection: POST_COLLECTION, rkey })),
        });
      }
    } catch (err) {
      if (isSessionRefused(err)) throw await this.sessionRefused(err, freshLogin);
      throw classifyBlueskyError(err, this.where);
    }
    return { deleted: present.length, alreadyGone };
  }

  private async agent(): Promise<AtpAgent> {
    return this.session.agent();
  }

  /**
   * The PDS refused the session on a request. One a login made moments ago for this very attempt says
   * the account itself is refused (the outbox backs the channel off); an older one was only stale, and
   * an ordinary retry logs in anew, so a PDS that revokes sessions costs one login, not one per delivery.
   */
  private async sessionRefused(err: unknown, freshLogin: boolean): Promise<ThreadcastError> {
    await this.session.invalidate();
    return freshLogin ? classifyBlueskyError(err, this.where) : staleSession(err, this.where);
  }

  private async record(posts: PostRef[], ctx: PublishContext): Promise<PostRef[]> {
    for (const post of posts) await ctx.recordPost(post);
    return posts;
  }

  /** The thread's posts when its first record exists (one commit: all of it or none), else undefined. */
  private async landedPosts(agent: AtpAgent, intent: ThreadIntent): Promise<PostRef[] | undefined> {
    const did = agent.session!.did;
    const found: Array<{ uri: string; cid: string; rkey: string }> = [];
    for (const rkey of intent.rkeys) {
      try {
        const res = await agent.com.atproto.repo.getRecord({ repo: did, collection: POST_COLLECTION, rkey });
        found.push({ uri: res.data.uri, cid: String(res.data.cid), rkey });
      } catch (err) {
        if ((err as { error?: string }).error === 'RecordNotFound' && found.length === 0) return undefined;
        throw classifyBlueskyError(err, this.where);
      }
    }
    return this.postsOf(found, agent);
  }

  private postsOf(records: Array<{ uri: string; cid: string; rkey: string }>, agent: AtpAgent): PostRef[] {
    const handle = agent.session?.handle ?? agent.session?.did;
    return records.map((r) => ({ id: r.uri, cid: r.cid, url: `https://bsky.app/profile/${handle}/post/${r.rkey}` }));
  }

  private langsFor(item: Item): string[] | undefined {
    if (item.language) return [item.language];
    return this.opts.channel.langs;
  }

  /** Images when the item has them (with alt text), else a link card; neither ever fails the delivery. */
  private async embedsFor(agent: AtpAgent, item: Item, log: Logger, freshLogin: boolean): Promise<Map<number, EmbedJson>> {
    const embeds = new Map<number, EmbedJson>();
    const images = await this.uploadImages(agent, item, log, freshLogin);
    if (images.length > 0) {
      embeds.set(0, { $type: 'app.bsky.embed.images', images });
      return embeds;
    }
    if (this.opts.channel.cards && item.url) {
      const card = await this.linkCard(agent, item.url, withChannelUtm(item, this.opts.channel).url ?? item.url, log);
      if (card) embeds.set(0, card);
    }
    return embeds;
  }

  private async uploadImages(agent: AtpAgent, item: Item, log: Logger, freshLogin: boolean) {
    const out: Array<{ alt: string; image: BlobRefJson; aspectRatio: { width: number; height: number } }> = [];
    for (const image of item.images.slice(0, MAX_IMAGES)) {
      try {
        const raw = await loadImage(image.url, this.fetchLimits(this.opts.web.maxImageBytes));
        const prepared = await prepareImage(raw, { maxBytes: IMAGE_MAX_BYTES });
        const blob = await this.uploadBlob(agent, prepared.data, prepared.mimeType);
        out.push({ alt: image.alt, image: blob, aspectRatio: { width: prepared.width, height: prepared.height } });
      } catch (err) {
        if (isSessionRefused(err)) throw await this.sessionRefused(err, freshLogin);
        log.warn({ image: redactUrl(image.url), err: describeError(err) }, 'image left out');
      }
    }
    return out;
  }

  /**
   * The card for the page at `url` (the item's canonical URL), pointing to `postedUrl` (the link as the text
   * carries it, with the channel's UTM tags). The page is fetched untagged: our fetch is no visitor, and a tagged
   * one would show up in the site's analytics as a visit from the campaign. A click on the card is a visitor,
   * so the card links to the tagged URL and is counted like a click on the link in the text.
   */
  private async linkCard(agent: AtpAgent, url: string, postedUrl: string, log: Logger): Promise<EmbedJson | undefined> {
    let problem: string | undefined;
    const preview = await fetchLinkPreview(url, {
      onProblem: (p) => (problem = p),
      timeoutMs: this.opts.web.timeoutMs,
      maxPageBytes: this.opts.web.maxPageBytes,
      maxImageBytes: this.opts.web.maxImageBytes,
      allowPrivateHosts: this.opts.web.allowPrivateHosts,
      thumbMaxBytes: CARD_THUMB_MAX_BYTES,
    });
    if (!preview) {
      log.warn({ url: redactUrl(url), problem }, 'posting without a link card: the page could not be read');
      return undefined;
    }
    if (preview.problem) log.warn({ url: redactUrl(url), problem: preview.problem }, 'link card without thumb');
    let thumb: BlobRefJson | undefined;
    if (preview.thumb) {
      try {
        thumb = await this.uploadBlob(agent, preview.thumb.data, preview.thumb.mimeType);
      } catch (err) {
        log.warn({ url: redactUrl(url), err: describeError(err) }, 'link card without thumb: upload failed');
      }
    }
    return { $type: 'app.bsky.embed.external', external: { uri: postedUrl, title: preview.title, description: preview.description, ...(thumb ? { thumb } : {}) } };
  }

  private async uploadBlob(agent: AtpAgent, data: Buffer, mimeType: string): Promise<BlobRefJson> {
    const res = await agent.uploadBlob(data, { encoding: mimeType });
    const blob = res.data.blob as unknown as { toJSON?: () => unknown; ref: { toString(): string }; mimeType: string; size: number };
    return { $type: 'blob', ref: { $link: blob.ref.toString() }, mimeType: blob.mimeType, size: blob.size };
  }

  private fetchLimits(maxBytes: number) {
    return { timeoutMs: this.opts.web.timeoutMs, maxBytes, allowPrivateHosts: this.opts.web.allowPrivateHosts };
  }
}

/** Sorts a failed login or resume into what an operator must do; never repeats a credential. */
function blueskyAccountProblem(err: unknown, service: string, identifier: string): AccountCheck {
  const message = err instanceof ThreadcastError ? err.detail : describeError(err);
  const fault = err instanceof PlatformError ? err.fault : undefined;
  const said = fault?.httpStatus !== undefined ? `${fault.httpStatus}: ${fault.said}` : undefined;
  if (err instanceof ThreadcastError && err.wait === 'auth') {
    return {
      ok: false,
      problem: 'credentials',
      detail: `${service} refused the login of ${identifier}${said ? ` (${said})` : ''}`,
      fix: 'create a new app password (Bluesky: Settings → Privacy and security → App passwords) and set it as the channel password; check that identifier is the handle or DID of the account on this service',
    };
  }
  if (err instanceof ThreadcastError && err.wait === 'rate') {
    return { ok: false, problem: 'limited', detail: `${service}: ${message}`, fix: 'wait for the login window to reset (createSession: 30 per 5 minutes, 100–300 a day) and run doctor again' };
  }
  if (err instanceof ThreadcastError && err.kind === 'retryable') {
    return {
      ok: false,
      problem: 'unreachable',
      detail: `could not reach the PDS at ${service}: ${(fault?.kind === 'transient' && fault.httpStatus === undefined && networkReason(err)) || message}`,
      fix: `check that ${service} is the account's PDS (or https://bsky.social) and is reachable from this host (DNS, proxy, firewall); if it answers 5xx, try again later`,
    };
  }
  return { ok: false, problem: 'other', detail: `${service}: ${message}`, fix: 'check the channel identifier and service in the config' };
}

/** fetch says only "fetch failed": the reason (ECONNREFUSED, ENOTFOUND…) sits deeper in the cause chain. */
function networkReason(err: unknown): string | undefined {
  let reason: string | undefined;
  for (let e = (err as { cause?: unknown }).cause, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return code;
    if (typeof message === 'string' && message !== 'fetch failed') reason = message;
  }
  return reason;
}

/** A part the PDS would refuse never leaves the process (and never burns write points). */
function assertWithinLimits(part: BlueskyPart, index: number, where: string): void {
  if (!fitsBluesky(part.text)) {
    // Counted as compose fits and checks, so the numbers given are the ones that decided.
    throw permanent(`part ${index + 1} has ${graphemeCount(part.text)} graphemes and ${utf8Length(part.text)} bytes; Bluesky allows ${BLUESKY_MAX_GRAPHEMES} and ${BLUESKY_MAX_BYTES}`, { where });
  }
}

function strongRef(post: PostRef): { uri: string; cid: string } | undefined {
  return post.cid ? { uri: post.id, cid: post.cid } : undefined;
}

function readIntent(raw: Record<string, unknown> | undefined): ThreadIntent | undefined {
  if (!raw || !Array.isArray(raw.rkeys) || typeof raw.createdAt !== 'string') return undefined;
  return { rkeys: raw.rkeys.map(String), createdAt: raw.createdAt };
}

