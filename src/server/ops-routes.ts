import type { FastifyInstance } from 'fastify';
import { readiness } from './health.js';
import type { Config } from '../config/schema.js';
import { DUE_STATES } from '../core/delivery-states.js';
import { collectProcessMetrics, deliveriesGauge, metricsRegistry, queueDepthGauge } from '../core/metrics.js';
import { kitFor } from '../platforms/index.js';
import type { Store } from '../store/store.js';
import { PUBLIC_ROUTE } from './route-guard.js';

export interface OpsDeps {
  config: () => Config;
  store: () => Store;
  /** When the server started listening (epoch ms): the routes themselves may be registered later, on first use. */
  startedAt: number;
  /** Extra facts for /healthz, e.g. whether this instance is the leader. */
  describe?: () => Record<string, unknown>;
}

/** Gauges that mirror the store are set at scrape time, so every instance reports the shared state. */
async function refreshStoreGauges(config: Config, store: Store, now: number): Promise<void> {
  for (const channel of config.channels) {
    const counts = await store.countDeliveries(channel.id);
    for (const [state, n] of Object.entries(counts)) deliveriesGauge.set({ channel: channel.id, state }, n);
    queueDepthGauge.set({ channel: channel.id }, DUE_STATES.reduce((sum, s) => sum + counts[s], 0));
    await kitFor(channel).scrapeMetrics?.(channel, store, now);
  }
}

/** /healthz (the process answers), /readyz (it does its job), /metrics (Prometheus). No token: nothing here is secret. */
export function registerOpsRoutes(app: FastifyInstance, deps: OpsDeps): void {
  collectProcessMetrics();
  app.get('/healthz', PUBLIC_ROUTE, async () => ({ status: 'ok', uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000), ...deps.describe?.() }));

  app.get('/readyz', PUBLIC_ROUTE, async (_request, reply) => {
    const result = await readiness(deps.config(), deps.store());
    return reply.code(result.ready ? 200 : 503).send(result);
  });

  app.get('/metrics', PUBLIC_ROUTE, async (_request, reply) => {
    try {
      await refreshStoreGauges(deps.config(), deps.store(), Date.now());
    } catch {
      // A store that does not answer must not hide the process metrics; /readyz reports the store.
    }
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
}
