import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite-store.js';
const CH = ['x-main', 'bluesky-main'];
function seenKey(i: number): string {
  const channel = CH[i % 2]!; const rest = Math.floor(i / 2);
  const source = `src-${String(rest % 100).padStart(3, '0')}`;
  return `seen:${channel}:${source}:https://${source}.example.org/?p=${Math.floor(rest / 100)}`;
}
function seenValue(i: number): string {
  const hash = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0').repeat(4);
  return JSON.stringify({ value: { firstSeenAt: new Date(Date.UTC(2025, 0, 1) + i * 30_000).toISOString(), contentHash: hash } });
}
for (const sorted of [false, true]) {
  const f = `/tmp/scratch3-${sorted}.sqlite`;
  const s = new SqliteStore(f);
  const db = new Database(f);
  db.pragma('cache_size = -1000000');
  let t0 = performance.now();
  let rows: [string, string][] = [];
  for (let i = 0; i < 1_000_000; i++) rows.push([`tc:${seenKey(i)}`, seenValue(i)]);
  if (sorted) rows.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  console.log('gen', sorted, performance.now() - t0);
  t0 = performance.now();
  const ins = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)');
  db.transaction(() => { for (const [k, v] of rows) ins.run(k, v); })();
  console.log('insert', performance.now() - t0);
  t0 = performance.now();
  db.pragma('wal_checkpoint(TRUNCATE)');
  console.log('ckpt', performance.now() - t0);
  rows = [];
  db.close(); await s.close();
}
