import type { Writable } from 'node:stream';
import { openRuntime, type GlobalOptions } from './context.js';

/** Per channel: how many deliveries are in each state, and the latest publish. */
export async function statusCommand(opts: GlobalOptions & { json?: boolean }, out: Writable): Promise<number> {
  const runtime = openRuntime(opts);
  try {
    const channels = [];
    for (const channel of runtime.config.channels) {
      const counts = await runtime.store.countDeliveries(channel.id);
      const published = await runtime.store.listDeliveries({ channelId: channel.id, states: ['published'] });
      const last = published.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
      const problems = (await runtime.store.listDeliveries({ channelId: channel.id, states: ['queued', 'failed', 'uncertain', 'dead'] })).filter(
        (d) => d.state !== 'queued' || d.reason !== undefined,
      );
      channels.push({
        id: channel.id,
        platform: channel.platform,
        counts,
        lastPublished: last ? { at: last.updatedAt, item: last.item.title ?? last.itemId, posts: last.posts } : null,
        attention: problems.map((d) => ({ id: d.id, state: d.state, reason: d.reason ?? null, retryAt: d.notBefore ?? null })),
      });
    }
    if (opts.json) {
      out.write(`${JSON.stringify({ channels }, null, 2)}\n`);
      return 0;
    }
    for (const c of channels) {
      const nonZero = Object.entries(c.counts).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`);
      out.write(`${c.id} (${c.platform}): ${nonZero.join(', ') || 'nothing yet'}\n`);
      if (c.lastPublished) out.write(`  last published ${c.lastPublished.at}: ${c.lastPublished.item}\n`);
      for (const a of c.attention) out.write(`  ${a.state} ${a.id}: ${a.reason ?? ''}${a.retryAt ? ` (retry at ${a.retryAt})` : ''}\n`);
    }
    return 0;
  } finally {
    await runtime.store.close();
  }
}
