import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/** Opens the store a config's `store` URL names. */
export function openStore(url: string): Store {
  if (url.startsWith('sqlite:')) return new SqliteStore(url.slice('sqlite:'.length));
  throw new Error(`store "${url}": unsupported; use sqlite:PATH`);
}
