import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DELIVERY_STATES, RETIRED_STATES, type DeliveryState } from './delivery-states.js';
import type { WaitKind } from './errors.js';
import { ItemSchema } from './item.js';

export type { DeliveryState };

/** A stored state this version retired reads as the state that replaced it (src/core/delivery-states.ts). */
export const DeliveryStateSchema = z.preprocess((s) => (typeof s === 'string' ? (RETIRED_STATES[s] ?? s) : s), z.enum(DELIVERY_STATES));

/** One post as the platform answered it (or, in dry-run, as we recorded it). */
export const PostRefSchema = z.object({
  id: z.string(),
  url: z.string().optional(),
  cid: z.string().optional(),
});
export type PostRef = z.infer<typeof PostRefSchema>;

/** A composed thread: platform-specific parts the outbox stores and hands back without looking inside. */
export const ComposedThreadSchema = z.object({
  platform: z.string(),
  parts: z.array(z.object({ text: z.string() }).passthrough()),
});
export type ComposedThread = z.infer<typeof ComposedThreadSchema>;

export const HistoryEntrySchema = z.object({
  at: z.string(),
  event: z.string(),
  detail: z.string().optional(),
});

/** A wait kind this version renamed reads as its new name. */
const RENAMED_WAIT_KINDS: Record<string, WaitKind> = { 'rate-limit': 'rate', 'quiet-hours': 'quiet' };

/**
 * Why a delivery that nothing was sent for waits, as data for status, the page and the once summary
 * (the reason string is for people). Optional: deliveries stored before it existed still parse.
 */
export const DeliveryWaitSchema = z.object({
  kind: z.preprocess(
    (k) => (typeof k === 'string' ? (RENAMED_WAIT_KINDS[k] ?? k) : k),
    z.enum(['slot', 'spacing', 'cap', 'quiet', 'rate', 'budget', 'auth'] as const satisfies readonly WaitKind[]),
  ),
  until: z.string(),
});
export type DeliveryWait = z.infer<typeof DeliveryWaitSchema>;

export const DeliverySchema = z.object({
  id: z.string(),
  channelId: z.string(),
  sourceId: z.string(),
  itemId: z.string(),
  item: ItemSchema,
  state: DeliveryStateSchema,
  /** Higher goes first (editor announcements before feed items). */
  priority: z.number().int().default(0),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Earliest time it may be sent (a retry's backoff, an editor's publish-at); absent means now. */
  notBefore: z.string().optional(),
  attempts: z.number().int().default(0),
  /** Why it waits, failed, is uncertain or dead, in words for an operator. */
  reason: z.string().optional(),
  /** Set while it waits for a budget or for refused credentials; cleared by the next attempt. */
  wait: DeliveryWaitSchema.optional(),
  /** The thread as composed when publishing was decided: written before any platform request. */
  thread: ComposedThreadSchema.optional(),
  /** What the publisher decided before writing (e.g. Bluesky record keys), so a retry reuses it. */
  intent: z.record(z.string(), z.unknown()).optional(),
  /** Posts that landed, in thread order; a resumed thread continues after the last one. */
  posts: z.array(PostRefSchema).default([]),
  dryRun: z.boolean().default(false),
  /** For an update note: the delivery whose published thread this one continues. */
  replyTo: z.string().optional(),
  history: z.array(HistoryEntrySchema).default([]),
});
export type Delivery = z.infer<typeof DeliverySchema>;

/** Deterministic: the same item on the same channel always maps to the same delivery. */
export function deliveryId(channelId: string, sourceId: string, itemId: string): string {
  const digest = createHash('sha256').update(`${sourceId}\u0000${itemId}`).digest('hex').slice(0, 16);
  return `${channelId}:${digest}`;
}
