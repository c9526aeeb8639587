import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { type ChannelConfig } from '../../src/config/schema.js';
import type { Item } from '../../src/core/item.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { createPublisher } from '../../src/platforms/create-publisher.js';
import type { Publisher } from '../../src/platforms/publisher.js';
import { ChannelPacer } from '../../src/schedule/channel-pacer.js';
import { newClaimOwner } from '../../src/store/claim-owner.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

/** One side of a publishing benchmark: posts a batch of items as threads, then cleans up. */
export interface Side {
  post(items: Item[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Threadcast's side, wired as `threadcast run` wires a channel: a SQLite store in a temp dir, the real
 * publisher from `createPublisher`, the outbox and the channel's pacer. `expectLive` guards against
 * benchmarking the dry-run stand-in by mistake.
 */
export async function threadcastSide<C extends ChannelConfig>(
  channelInput: Record<string, unknown>,
  expectLive: (publisher: Publisher) => boolean,
): Promise<Side & { channel: C }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'threadcast-bench-'));
  const config = ConfigSchema.parse({ store: `sqlite:${path.join(dir, 'state.sqlite')}`, channels: [channelInput] });
  const parsed: ChannelConfig = config.channels[0]!;
  const channel = parsed as C;
  const log = pino({ level: 'silent' });
  const store = new SqliteStore(config.store.slice('sqlite:'.length));
  const { publisher } = createPublisher(channel, { config, store, log, out: process.stderr });
  if (!expectLive(publisher)) throw new Error(`expected the live ${channel.platform} publisher, got a dry-run one`);
  const outbox = new Outbox(store, { owner: newClaimOwner(), retry: config.retry, log });
  const pacer = new ChannelPacer(store.kv, channel.id, channel.schedule);
  return {
    channel,
    async post(items) {
      for (const [order, item] of items.entries()) {
        if (!(await outbox.enqueue(item, channel.id, { order }))) throw new Error(`item ${item.id} was already queued`);
      }
      const summary = await outbox.publishDue(publisher, { pacer, limit: items.length });
      if (summary.published !== items.length) throw new Error(`Threadcast published ${summary.published} of ${items.length}: ${JSON.stringify(summary)}`);
    },
    async close() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Posts `items` through both sides in rounds of `perRound`, alternating which side goes first so drift on a
 * shared machine hits both alike; returns each side's total milliseconds.
 */
export async function alternateRounds(
  items: readonly Item[],
  perRound: number,
  ours: Side,
  base: Side,
  progress: (done: number, oursMs: number, baseMs: number) => void,
): Promise<{ oursMs: number; baseMs: number }> {
  const rounds = Math.ceil(items.length / perRound);
  let oursMs = 0;
  let baseMs = 0;
  for (let r = 0; r < rounds; r++) {
    const batch = items.slice(r * perRound, (r + 1) * perRound);
    const order: Array<['ours' | 'base', Side]> = r % 2 === 0 ? [['ours', ours], ['base', base]] : [['base', base], ['ours', ours]];
    for (const [name, side] of order) {
      const t0 = performance.now();
      await side.post(batch);
      if (name === 'ours') oursMs += performance.now() - t0;
      else baseMs += performance.now() - t0;
    }
    if ((r + 1) % 5 === 0 || r === rounds - 1) progress(Math.min(items.length, (r + 1) * perRound), oursMs, baseMs);
  }
  return { oursMs, baseMs };
}
