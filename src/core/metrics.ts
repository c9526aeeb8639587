import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's metrics, in one registry that `/metrics` will serve. Modules increment what they
 * own; labels are channel ids, never anything user-supplied beyond config.
 */
export const metricsRegistry = new Registry();

let processMetricsOn = false;

/**
 * Process CPU, memory, event-loop lag and handles: what an operator looks at first when a bot misbehaves.
 * Started by the server of `threadcast run` only: short commands (`status`, `queue list`) have no one to report
 * to. The event-loop-lag monitor samples every 10 ms by default, which alone cost an idle bot ~0.7 CPU s/min
 * (measured by bench/idle.ts); 200 ms still shows any stall an operator would care about.
 */
export function collectProcessMetrics(): void {
  if (processMetricsOn) return;
  processMetricsOn = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'threadcast_', eventLoopMonitoringPrecision: 200 });
}

export const loginsTotal = new Counter({
  name: 'threadcast_logins_total',
  help: 'Fresh logins (password sessions created) per channel; resumed sessions do not count.',
  labelNames: ['channel'] as const,
  registers: [metricsRegistry],
});

export const publishesTotal = new Counter({
  name: 'threadcast_publishes_total',
  help: 'Threads published per channel.',
  labelNames: ['channel'] as const,
  registers: [metricsRegistry],
});

export const publishFailuresTotal = new Counter({
  name: 'threadcast_publish_failures_total',
  help: 'Failed publish attempts per channel and error kind.',
  labelNames: ['channel', 'kind'] as const,
  registers: [metricsRegistry],
});

export const rateLimitedTotal = new Counter({
  name: 'threadcast_rate_limited_total',
  help: 'HTTP 429 answers per channel.',
  labelNames: ['channel'] as const,
  registers: [metricsRegistry],
});

export const itemsSeenTotal = new Counter({
  name: 'threadcast_items_seen_total',
  help: 'Feed items seen for the first time, per source and channel (queued, or left out by backlog or the source rules).',
  labelNames: ['source', 'channel'] as const,
  registers: [metricsRegistry],
});

export const itemsFilteredTotal = new Counter({
  name: 'threadcast_items_filtered_total',
  help: "Feed items seen for the first time and dropped by the source's rules, per source, channel and list (include, exclude, maxAge).",
  labelNames: ['source', 'channel', 'list'] as const,
  registers: [metricsRegistry],
});

export const pollsTotal = new Counter({
  name: 'threadcast_polls_total',
  help: 'Feed polls per source and result (ok, not_modified, error).',
  labelNames: ['source', 'result'] as const,
  registers: [metricsRegistry],
});

/** Set from the store when /metrics is scraped, so every instance reports the shared truth. */
export const deliveriesGauge = new Gauge({
  name: 'threadcast_deliveries',
  help: 'Deliveries per channel and state, as the store holds them.',
  labelNames: ['channel', 'state'] as const,
  registers: [metricsRegistry],
});

export const queueDepthGauge = new Gauge({
  name: 'threadcast_queue_depth',
  help: 'Deliveries waiting to go out per channel (queued, failed awaiting retry; held ones excluded).',
  labelNames: ['channel'] as const,
  registers: [metricsRegistry],
});

export const spendUsdGauge = new Gauge({
  name: 'threadcast_spend_usd',
  help: "Dollars spent this calendar month (UTC) per X channel, from the budget ledger.",
  labelNames: ['channel'] as const,
  registers: [metricsRegistry],
});

export const publishLagSeconds = new Histogram({
  name: 'threadcast_publish_lag_seconds',
  help: "Time from an item's first sight (its delivery queued) to the thread's publication, per channel.",
  labelNames: ['channel'] as const,
  buckets: [10, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600, 48 * 3600],
  registers: [metricsRegistry],
});
