import Database from 'better-sqlite3';
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import { DELIVERY_STATES, type DeliveryState } from '../core/delivery-states.js';
import { DeliverySchema, type Delivery } from '../core/delivery.js';
import { preparePrivateDatabase } from './private-files.js';
import { SqliteKeyv, SqliteKeyvAdapter } from './sqlite-keyv-adapter.js';
import { assertIntegers } from './totals.js';
import type { DeliveryQuery, Store } from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  id TEXT PRIMARY KEY,
  channel_id TEXT NOT NULL,
  state TEXT NOT NULL,
  priority INTEGER NOT NULL,
  not_before INTEGER,
  created_at INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (channel_id, state, priority DESC, created_at);
CREATE TABLE IF NOT EXISTS claims (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  until INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  until INTEGER NOT NULL
);
`;

/**
 * The schema's version, in SQLite's user_version. 0: the releases before claims had their own table kept them in
 * two columns of `deliveries` (claim_owner, claim_until), so each claim rewrote the delivery's whole row with its
 * JSON. 1: claims in the small `claims` table.
 */
const SCHEMA_VERSION = 1;

/** A file written by an earlier release: its claims move to the claims table and the two old columns go. */
function upgrade(db: Database.Database): void {
  // Read first: every CLI command opens the store, and only an old file needs the write lock.
  if ((db.pragma('user_version', { simple: true }) as number) >= SCHEMA_VERSION) return;
  db.transaction(() => {
    if ((db.pragma('user_version', { simple: true }) as number) >= SCHEMA_VERSION) return;
    const columns = db.prepare("SELECT name FROM pragma_table_info('deliveries')").pluck().all() as string[];
    if (columns.includes('claim_owner')) {
      // A claim held when the old release stopped still holds, until its lease runs out.
      db.exec(`INSERT OR IGNORE INTO claims (id, owner, until)
               SELECT id, claim_owner, claim_until FROM deliveries WHERE claim_owner IS NOT NULL AND claim_until IS NOT NULL;
               ALTER TABLE deliveries DROP COLUMN claim_owner;
               ALTER TABLE deliveries DROP COLUMN claim_until;`);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

interface Row {
  data: string;
}

/** keyv's namespace for this store's plain values: every kv key is stored as `tc:<key>`. */
const KV_NAMESPACE = 'tc';

/** The embedded default: one SQLite file in WAL mode holding keyv state and the outbox. */
export class SqliteStore implements Store {
  readonly kv: Keyv;
  private readonly kvAdapter: SqliteKeyvAdapter;
  private readonly db: Database.Database;
  private readonly insertStmt: Database.Statement;
  private readonly upsertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], Row>;
  private readonly claimStmt: Database.Statement<[string, number, string, string | null, number]>;
  private readonly releaseStmt: Database.Statement;
  private readonly holderStmt: Database.Statement<[string, number], { owner: string }>;
  private readonly createAll: (deliveries: readonly Delivery[]) => boolean[];
  private readonly saveReleasing: (delivery: Delivery, owner: string) => void;
  private readonly acquireLeaseStmt: Database.Statement;
  private readonly releaseLeaseStmt: Database.Statement;
  private readonly leaseHolderStmt: Database.Statement<[string, number], { owner: string }>;

  /** `log` hears when an existing state file had to be made owner-only. */
  constructor(file: string, opts: { log?: Pick<Logger, 'warn'> } = {}) {
    // '' is a private temporary database, ':memory:' none at all: neither has a file to protect.
    if (file !== ':memory:' && file !== '') preparePrivateDatabase(file, opts.log);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // A second process (another CLI command) may hold the write lock briefly.
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    upgrade(this.db);
    this.kvAdapter = new SqliteKeyvAdapter(this.db);
    this.kv = new SqliteKeyv(this.kvAdapter, KV_NAMESPACE);
    const columns = '(id, channel_id, state, priority, not_before, created_at, data) VALUES (@id, @channelId, @state, @priority, @notBefore, @createdAt, @data)';
    this.insertStmt = this.db.prepare(`INSERT INTO deliveries ${columns} ON CONFLICT(id) DO NOTHING`);
    this.upsertStmt = this.db.prepare(
      `INSERT INTO deliveries ${columns} ON CONFLICT(id) DO UPDATE SET state = excluded.state, priority = excluded.priority, not_before = excluded.not_before, data = excluded.data`,
    );
    this.getStmt = this.db.prepare('SELECT data FROM deliveries WHERE id = ?');
    // One statement, so atomic across connections: only an existing delivery (the row to insert is read from its
    // primary key index, so an unknown id inserts nothing), and only when free, ours, held by `replacing` or
    // expired. A small row of its own: the delivery's JSON is not rewritten for a claim. Parameters go by position
    // (owner, until, id, replacing, now): named ones, read off an object per call, and an EXISTS subquery in
    // place of the plain index read cost about 4 % of the CPU time of a claim + release.
    this.claimStmt = this.db.prepare(
      `INSERT INTO claims (id, owner, until) SELECT id, ?, ? FROM deliveries WHERE id = ?
       ON CONFLICT(id) DO UPDATE SET owner = excluded.owner, until = excluded.until
       WHERE claims.owner = excluded.owner OR claims.owner = ? OR claims.until < ?`,
    );
    this.holderStmt = this.db.prepare('SELECT owner FROM claims WHERE id = ? AND until >= ?');
    this.releaseStmt = this.db.prepare('DELETE FROM claims WHERE id = ? AND owner = ?');
    this.createAll = this.db.transaction((deliveries: readonly Delivery[]) => deliveries.map((d) => this.insertStmt.run(toRow(d)).changes === 1));
    this.saveReleasing = this.db.transaction((delivery: Delivery, owner: string) => {
      this.upsertStmt.run(toRow(delivery));
      this.releaseStmt.run(delivery.id, owner);
    });
    // One statement, so atomic across connections: insert, or take over / renew only when free or ours.
    this.acquireLeaseStmt = this.db.prepare(
      'INSERT INTO leases (name, owner, until) VALUES (@name, @owner, @until) ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, until = excluded.until WHERE leases.owner = excluded.owner OR leases.until < @now',
    );
    this.releaseLeaseStmt = this.db.prepare('DELETE FROM leases WHERE name = ? AND owner = ?');
    this.leaseHolderStmt = this.db.prepare('SELECT owner FROM leases WHERE name = ? AND until >= ?');
  }

  async createDelivery(delivery: Delivery): Promise<boolean> {
    return this.insertStmt.run(toRow(delivery)).changes === 1;
  }

  async createDeliveries(deliveries: readonly Delivery[]): Promise<boolean[]> {
    return this.createAll(deliveries);
  }

  async saveDelivery(delivery: Delivery, opts: { release?: string } = {}): Promise<void> {
    if (opts.release !== undefined) this.saveReleasing(delivery, opts.release);
    else this.upsertStmt.run(toRow(delivery));
  }

  async getDelivery(id: string): Promise<Delivery | undefined> {
    const row = this.getStmt.get(id);
    return row ? fromRow(row) : undefined;
  }

  async listDeliveries(query: DeliveryQuery = {}): Promise<Delivery[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (query.channelId !== undefined) {
      where.push('channel_id = @channelId');
      params.channelId = query.channelId;
    }
    if (query.states) {
      const names = query.states.map((s, i) => {
        params[`s${i}`] = s;
        return `@s${i}`;
      });
      where.push(`state IN (${names.join(', ') || "''"})`);
    }
    if (query.dueAt !== undefined) {
      where.push('(not_before IS NULL OR not_before <= @dueAt)');
      params.dueAt = query.dueAt;
    }
    const sql = `SELECT data FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY priority DESC, created_at, id ${
      query.limit !== undefined ? 'LIMIT @limit' : ''
    }`;
    if (query.limit !== undefined) params.limit = query.limit;
    return (this.db.prepare(sql).all(params) as Row[]).map(fromRow);
  }

  async countDeliveries(channelId?: string): Promise<Record<DeliveryState, number>> {
    const counts = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;
    const rows = (
      channelId === undefined
        ? this.db.prepare('SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state').all()
        : this.db.prepare('SELECT state, COUNT(*) AS n FROM deliveries WHERE channel_id = ? GROUP BY state').all(channelId)
    ) as Array<{ state: DeliveryState; n: number }>;
    for (const { state, n } of rows) counts[state] = n;
    return counts;
  }

  async claimDelivery(id: string, owner: string, leaseMs: number, now: number, replacing?: string): Promise<boolean> {
    return this.claimStmt.run(owner, now + leaseMs, id, replacing ?? null, now).changes === 1;
  }

  async claimHolder(id: string, now: number): Promise<string | undefined> {
    return this.holderStmt.get(id, now)?.owner;
  }

  async releaseDelivery(id: string, owner: string): Promise<void> {
    this.releaseStmt.run(id, owner);
  }

  async acquireLease(name: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
    return this.acquireLeaseStmt.run({ name, owner, until: now + ttlMs, now }).changes === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    this.releaseLeaseStmt.run(name, owner);
  }

  async leaseHolder(name: string, now: number): Promise<string | undefined> {
    return this.leaseHolderStmt.get(name, now)?.owner;
  }
  async addToTotal(key: string, delta: number, limit?: number): Promise<number | undefined> {
    assertIntegers(delta, limit);
    return this.kvAdapter.addToTotal(`${KV_NAMESPACE}:${key}`, delta, limit);
  }


  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toRow(d: Delivery) {
  return {
    id: d.id,
    channelId: d.channelId,
    state: d.state,
    priority: d.priority,
    notBefore: d.notBefore ? Date.parse(d.notBefore) : null,
    createdAt: Date.parse(d.createdAt),
    data: JSON.stringify(d),
  };
}

function fromRow(row: Row): Delivery {
  return DeliverySchema.parse(JSON.parse(row.data));
}
