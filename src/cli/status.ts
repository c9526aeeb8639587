import type { Writable } from 'node:stream';
import type { ChannelConfig } from '../config/schema.js';
import { DUE_STATES, TROUBLE_STATES, type DeliveryState } from '../core/delivery-states.js';
import type { Delivery } from '../core/delivery.js';
import { CredentialsBackoff, type CredentialsRefusal } from '../outbox/credentials-backoff.js';
import { alsoInSummary } from '../outbox/seen-marks.js';
import { credentialsFingerprint, credentialsFix, dryRunReason } from '../platforms/create-publisher.js';
import { ChannelPacer } from '../schedule/channel-pacer.js';
import type { Store } from '../store/store.js';
import { openRuntime, type GlobalOptions } from './context.js';
import { terminalJson, terminalLine } from '../core/terminal-text.js';

interface Outlook {
  /** What goes out next, and when. */
  next: { at: string; item: string; deliveryId: string } | null;
  /** Why the channel is not sending right now, when it is not. */
  waiting: { reason: string; detail: string; until: string } | null;
}

/** Answers "what goes out next, when, and why is this channel waiting?" without reading logs. */
async function channelOutlook(store: Store, channel: ChannelConfig, refusal: CredentialsRefusal | undefined, now = Date.now()): Promise<Outlook> {
  const [head] = await store.listDeliveries({ channelId: channel.id, states: DUE_STATES, limit: 1 });
  if (!head) return { next: null, waiting: null };
  const pacer = new ChannelPacer(store.kv, channel.id, channel.schedule, () => now);
  const pace = await pacer.check();
  const headAt = head.notBefore ? Date.parse(head.notBefore) : now;
  const paceAt = pace.ok ? now : pace.until;
  const refusedUntil = refusal ? Date.parse(refusal.until) : now;
  const at = new Date(Math.max(headAt, paceAt, refusedUntil)).toISOString();
  const next = { at, item: head.item.title ?? head.item.url ?? head.itemId, deliveryId: head.id };
  if (refusal && refusedUntil > now && refusedUntil >= Math.max(headAt, paceAt)) {
    return { next, waiting: { reason: 'auth', detail: 'the platform refused the credentials; they are not tried again before then unless they change', until: refusal.until } };
  }
  if (!pace.ok && pace.until >= headAt) return { next, waiting: { reason: pace.reason, detail: pace.detail, until: new Date(pace.until).toISOString() } };
  if (headAt > now) {
    const reason = head.wait?.kind ?? (head.state === 'failed' ? 'retry' : 'publish-at');
    return { next, waiting: { reason, detail: head.reason ?? 'scheduled for later', until: head.notBefore! } };
  }
  return { next, waiting: null };
}

/** The key, in `status` counts, of published deliveries that dry-run only recorded: nothing of them is on the platform. */
const RECORDED = 'recordedDryRun';

/** Counts by state, with dry-run deliveries out of `published` and under `recordedDryRun`: published means posted. */
function recordedApart(counts: Record<DeliveryState, number>, published: Delivery[]): Record<DeliveryState | typeof RECORDED, number> {
  const recorded = published.filter((d) => d.dryRun).length;
  return { ...counts, published: counts.published - recorded, [RECORDED]: recorded };
}

/** Per channel: how many deliveries are in each state, and the latest publish. */
export async function statusCommand(opts: GlobalOptions & { json?: boolean }, out: Writable): Promise<number> {
  const runtime = await openRuntime(opts);
  try {
    const channels = [];
    for (const channel of runtime.config.channels) {
      const published = await runtime.store.listDeliveries({ channelId: channel.id, states: ['published'] });
      const counts = recordedApart(await runtime.store.countDeliveries(channel.id), published);
      const last = published.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
      const dryRun = dryRunReason(channel, runtime.config.dryRun);
      // A due delivery with a reason waits (refused credentials, a spent budget): worth a look too.
      const problems = (await runtime.store.listDeliveries({ channelId: channel.id, states: [...DUE_STATES, ...TROUBLE_STATES] })).filter(
        (d) => TROUBLE_STATES.includes(d.state) || d.reason !== undefined,
      );
      const refusal = await new CredentialsBackoff(runtime.store.kv, channel.id, credentialsFingerprint(channel)).refusal();
      const outlook = await channelOutlook(runtime.store, channel, refusal);
      const alsoIn = await alsoInSummary(runtime.store, channel.id);
      channels.push({
        id: channel.id,
        platform: channel.platform,
        dryRun: dryRun !== undefined,
        dryRunReason: dryRun ?? null,
        counts,
        credentialsRefused: refusal ? { since: refusal.since, lastAt: refusal.lastAt, until: refusal.until, detail: refusal.detail, fix: credentialsFix(channel) } : null,
        next: outlook.next,
        waiting: outlook.waiting,
        lastPublished: last ? { at: last.updatedAt, item: last.item.title ?? last.itemId, posts: last.posts, dryRun: last.dryRun } : null,
        attention: problems.map((d) => ({ id: d.id, state: d.state, reason: d.reason ?? null, retryAt: d.notBefore ?? null })),
        alsoIn: alsoIn ? { bySource: alsoIn.bySource, recent: alsoIn.recent } : null,
      });
    }
    if (opts.json) {
      out.write(`${terminalJson({ channels })}\n`);
      return 0;
    }
    for (const c of channels) {
      const nonZero = Object.entries(c.counts).filter(([, n]) => n > 0).map(([s, n]) => `${s === RECORDED ? 'recorded (dry-run)' : s} ${n}`);
      out.write(`${c.id} (${c.platform}): ${nonZero.join(', ') || 'nothing yet'}\n`);
      if (c.dryRunReason) out.write(`  dry-run (${terminalLine(c.dryRunReason)}): nothing is posted, threads are only recorded\n`);
      if (c.credentialsRefused) {
        const r = c.credentialsRefused;
        const retry = Date.parse(r.until) > Date.now() ? `backing off until ${r.until} (sooner when they change)` : 'tried again in the next round';
        out.write(`  credentials refused since ${r.since} (last at ${r.lastAt}); ${retry}: ${terminalLine(r.detail)}\n  fix: ${r.fix}\n`);
      }
      if (c.next) out.write(`  next: ${c.next.at} — ${terminalLine(c.next.item)}\n`);
      if (c.waiting) out.write(`  waiting (${c.waiting.reason}) until ${c.waiting.until}: ${terminalLine(c.waiting.detail)}\n`);
      if (c.lastPublished) out.write(`  last ${c.lastPublished.dryRun ? 'recorded (dry-run)' : 'published'} ${c.lastPublished.at}: ${terminalLine(c.lastPublished.item)}\n`);
      if (c.alsoIn) {
        const counts = Object.entries(c.alsoIn.bySource).map(([source, n]) => `${terminalLine(source)} ${n}`);
        out.write(`  also brought by other sources (announced once): ${counts.join(', ')}\n`);
        for (const r of c.alsoIn.recent.slice(-3)) {
          out.write(`    ${r.at}  ${terminalLine(r.title ?? r.url ?? '')} — first from ${terminalLine(r.firstSource)}, also in ${terminalLine(r.source)}\n`);
        }
      }
      for (const a of c.attention) out.write(`  ${a.state} ${terminalLine(a.id)}: ${terminalLine(a.reason ?? '')}${a.retryAt ? ` (retry at ${a.retryAt})` : ''}\n`);
    }
    return 0;
  } finally {
    await runtime.store.close();
  }
}
