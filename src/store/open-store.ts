import type { Logger } from 'pino';
import { redactStoreUrl } from './redact-store-url.js';
import type { Store } from './store.js';

/**
 * Opens the store a config's `store` URL names; `log` hears about state files whose modes were tightened.
 * Each driver is imported only when its scheme is asked for: a SQLite setup never loads the Redis client
 * (about 18 MiB), and a Redis one never loads better-sqlite3.
 */
export async function openStore(url: string, opts: { log?: Pick<Logger, 'warn'> } = {}): Promise<Store> {
  if (url.startsWith('sqlite:')) {
    const { SqliteStore } = await import('./sqlite-store.js');
    return new SqliteStore(url.slice('sqlite:'.length), opts);
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const { RedisStore } = await import('./redis-store.js');
    return new RedisStore(url);
  }
  throw new Error(`store "${redactStoreUrl(url)}": unsupported; use sqlite:PATH or redis://[user:pass@]host:port[/db] (rediss:// for TLS)`);
}
