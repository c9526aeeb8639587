import type { Logger } from 'pino';
import { RedisStore, redactUrl } from './redis-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/** Opens the store a config's `store` URL names; `log` hears about state files whose modes were tightened. */
export function openStore(url: string, opts: { log?: Pick<Logger, 'warn'> } = {}): Store {
  if (url.startsWith('sqlite:')) return new SqliteStore(url.slice('sqlite:'.length), opts);
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return new RedisStore(url);
  throw new Error(`store "${redactUrl(url)}": unsupported; use sqlite:PATH or redis://[user:pass@]host:port[/db] (rediss:// for TLS)`);
}
