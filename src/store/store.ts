import type Keyv from 'keyv';
import type { Delivery, DeliveryState } from '../core/delivery.js';

export interface DeliveryQuery {
  channelId?: string;
  states?: readonly DeliveryState[];
  /** Only deliveries whose `notBefore` is absent or at or before this time (epoch ms). */
  dueAt?: number;
  limit?: number;
}

/**
 * All state behind one interface. Plain values (feed caches, seen marks, sessions) go through keyv;
 * deliveries and claims use the backend's own atomic primitives, because keyv has no set-if-absent.
 * Many kv values at once go through `kv.getMany` / `kv.setMany`: both backends answer those in one read or write
 * (one SQLite transaction; one Redis MGET / MULTI), in order.
 */
export interface Store {
  /** Plain key-value state. */
  readonly kv: Keyv;
  /** Inserts the delivery unless one with its id exists; true when this call created it. Atomic. */
  createDelivery(delivery: Delivery): Promise<boolean>;
  /**
   * createDelivery for each, in order, in one write: one transaction (SQLite), one pipeline of the same script
   * (Redis). A feed's intake queues thousands at once, and a commit each was most of its time. Each element is
   * atomic as createDelivery is; true where that call created it.
   */
  createDeliveries(deliveries: readonly Delivery[]): Promise<boolean[]>;
  /**
   * Writes the delivery. With `release`, the claim `release` holds on it is given up in the same atomic write: the
   * final state of a publish and the end of its claim cost one write, not two (releaseDelivery's rules apply).
   */
  saveDelivery(delivery: Delivery, opts?: { release?: string }): Promise<void>;
  getDelivery(id: string): Promise<Delivery | undefined>;
  /** Oldest first within a priority, highest priority first. */
  listDeliveries(query?: DeliveryQuery): Promise<Delivery[]>;
  countDeliveries(channelId?: string): Promise<Record<DeliveryState, number>>;
  /**
   * Takes the delivery for `owner` until `now + leaseMs` unless another owner holds an unexpired claim,
   * or that owner is `replacing` (a holder known to be dead). Atomic.
   */
  claimDelivery(id: string, owner: string, leaseMs: number, now: number, replacing?: string): Promise<boolean>;
  /** The current claim holder, if any claim is unexpired at `now`. */
  claimHolder(id: string, now: number): Promise<string | undefined>;
  releaseDelivery(id: string, owner: string): Promise<void>;
  /**
   * Takes the named lease for `owner` until `now + ttlMs`, or renews it when `owner` already holds it; false
   * while another owner holds an unexpired one. Atomic across processes. For a leader lease: one instance
   * of several on one store schedules and publishes at a time.
   */
  acquireLease(name: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  /** Gives the lease up, only if `owner` holds it. */
  releaseLease(name: string, owner: string): Promise<void>;
  /** The current lease holder, if the lease is unexpired at `now`. */
  leaseHolder(name: string, now: number): Promise<string | undefined>;
  /**
   * Adds the integer `delta` to the integer kept in kv under `key` (none counts as 0), atomically across processes,
   * and returns the new total. With `limit`, an addition that would take the total above it adds nothing and
   * returns undefined (a negative delta is always added). A read, then a kv.set, let two processes that spend from
   * one budget both see room for their post, and one of the two additions be lost.
   */
  addToTotal(key: string, delta: number, limit?: number): Promise<number | undefined>;
  close(): Promise<void>;
}
