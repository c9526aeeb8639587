import type { Logger } from 'pino';
import type { ComposedThread, Delivery, PostRef } from '../core/delivery.js';
import type { Item } from '../core/item.js';

/** What the platform knows about a delivery whose outcome we did not see. */
export type ReconcileResult =
  | { status: 'published'; posts: PostRef[] }
  | { status: 'resume' }
  | { status: 'unknown'; reason: string };

export interface PublishContext {
  log: Logger;
  /** Called as each post lands, before the next is sent, so an interrupted thread resumes instead of repeating. */
  recordPost(post: PostRef): Promise<void>;
  /** When the thread continues an earlier one (an update note): that thread's first and last posts. */
  replyTo?: { root: PostRef; parent: PostRef };
  /** Makes the publisher's plan durable before any platform write; a retry finds it in `delivery.intent`. */
  saveIntent(intent: Record<string, unknown>): Promise<void>;
}

/**
 * The outcome of one harmless authenticated call (`threadcast doctor`). `problem` sorts failures:
 * `credentials` the service refused them; `unreachable` a network error, timeout or 5xx; `limited` a
 * rate limit (the credentials were not judged); `other` anything else. `advice`: the login works, but the
 * service says something the config should follow (doctor warns with it as the fix). Never carries a secret.
 */
export type AccountCheck =
  | { ok: true; account: string; detail?: string; advice?: string }
  | { ok: false; problem: 'credentials' | 'unreachable' | 'limited' | 'other'; detail: string; fix: string };

/**
 * One channel's adapter. The outbox talks only to this; every platform quirk stays behind it.
 * Errors thrown are ThreadcastErrors (retryable, permanent, ambiguous).
 */
export interface Publisher {
  readonly channelId: string;
  readonly platform: string;
  readonly dryRun: boolean;
  compose(item: Item): ComposedThread;
  /** Sends the parts not yet in `delivery.posts`; returns every post of the thread in order. */
  publish(delivery: Delivery, thread: ComposedThread, ctx: PublishContext): Promise<PostRef[]>;
  /** Asked on start for deliveries found mid-publish. */
  reconcile(delivery: Delivery, ctx: PublishContext): Promise<ReconcileResult>;
  /** One harmless authenticated call that says which account the credentials reach (dry-run need not). */
  checkAccount?(): Promise<AccountCheck>;
  close?(): Promise<void>;
}
