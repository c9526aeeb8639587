import { RedisStore, redactUrl } from './redis-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/** Opens the store a config's `store` URL names. */
export function openStore(url: string): Store {
  if (url.startsWith('sqlite:')) return new SqliteStore(url.slice('sqlite:'.length));
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return new RedisStore(url);
  throw new Error(`store "${redactUrl(url)}": unsupported; use sqlite:PATH or redis://[user:pass@]host:port[/db] (rediss:// for TLS)`);
}
