import type { Agent } from 'undici';
import { createGuardedAgent, PrivateHostAllowList } from './address-guard.js';

/**
 * Guarded agents kept between fetches, so feeds polled one after another from the same host share keep-alive
 * connections instead of each building an Agent and opening a connection (with a fresh Agent per poll, 1,000
 * conditional polls of one loopback server took 2.3 times as long as before the guard; pooled, they are faster).
 * One agent per distinct guard — allow list, exact hosts and timeout — so a connection the guard let through is only
 * ever reused under the same rules. The least recently used agents are closed beyond `MAX_AGENTS`.
 */
const MAX_AGENTS = 64;
const agents = new Map<string, Agent>();

export function pooledGuardedAgent(allowPrivateHosts: readonly string[], exactHosts: readonly string[], timeoutMs: number): Agent {
  const key = JSON.stringify([[...allowPrivateHosts].sort(), [...exactHosts].sort(), timeoutMs]);
  let agent = agents.get(key);
  if (agent) {
    agents.delete(key); // re-inserted below: the Map's order is least recently used first
  } else {
    agent = createGuardedAgent(new PrivateHostAllowList(allowPrivateHosts, exactHosts), timeoutMs);
    while (agents.size >= MAX_AGENTS) {
      const [oldestKey, oldest] = agents.entries().next().value as [string, Agent];
      agents.delete(oldestKey);
      void oldest.close().catch(() => undefined);
    }
  }
  agents.set(key, agent);
  return agent;
}
