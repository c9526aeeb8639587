import { Counter, Registry } from 'prom-client';

/**
 * The process's metrics, in one registry that `/metrics` will serve. Modules increment what they
 * own; labels are channel ids, never anything user-supplied beyond config.
 */
export const metricsRegistry = new Registry();

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
