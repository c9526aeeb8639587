import Database from 'better-sqlite3';
import Keyv from 'keyv';
import type { Logger } from 'pino';
import { DELIVERY_STATES, type DeliveryState } from '../core/delivery-states.js';
import { DeliverySchema, type Delivery } from '../core/delivery.js';
import { preparePrivateDatabase } from './private-files.js';
import { SqliteKeyvAdapter } from './sqlite-keyv-adapter.js';
import type { DeliveryQuery, Store } from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  id TEXT PRIMARY KEY,
  channel_id TEXT NOT NULL,
  state TEXT NOT NULL,
  priority INTEGER NOT NULL,
  not_before INTEGER,
  created_at INTEGER NOT NULL,
  claim_owner TEXT,
  claim_until INTEGER,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (channel_id, state, priority DESC, created_at);
CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  until INTEGER NOT NULL
);
`;

interface Row {
  data: string;
}

/** The embedded default: one SQLite file in WAL mode holding keyv state and the outbox. */
export class SqliteStore implements Store {
  readonly kv: Keyv;
  private readonly db: Database.Database;
  private readonly insertStmt: Database.Statement;
  private readonly upsertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], Row>;
  private readonly claimStmt: Database.Statement;
  private readonly releaseStmt: Database.Statement;
  private readonly holderStmt: Database.Statement<[string, number], { claim_owner: string | null }>;
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
    this.kv = new Keyv({ store: new SqliteKeyvAdapter(this.db), namespace: 'tc' });
    const columns = '(id, channel_id, state, priority, not_before, created_at, data) VALUES (@id, @channelId, @state, @priority, @notBefore, @createdAt, @data)';
    this.insertStmt = this.db.prepare(`INSERT INTO deliveries ${columns} ON CONFLICT(id) DO NOTHING`);
    this.upsertStmt = this.db.prepare(
      `INSERT INTO deliveries ${columns} ON CONFLICT(id) DO UPDATE SET state = excluded.state, priority = excluded.priority, not_before = excluded.not_before, data = excluded.data`,
    );
    this.getStmt = this.db.prepare('SELECT data FROM deliveries WHERE id = ?');
    this.claimStmt = this.db.prepare(
      'UPDATE deliveries SET claim_owner = @owner, claim_until = @until WHERE id = @id AND (claim_owner IS NULL OR claim_owner = @owner OR claim_owner = @replacing OR claim_until < @now)',
    );
    this.holderStmt = this.db.prepare('SELECT claim_owner FROM deliveries WHERE id = ? AND claim_until >= ?');
    this.releaseStmt = this.db.prepare('UPDATE deliveries SET claim_owner = NULL, claim_until = NULL WHERE id = ? AND claim_owner = ?');
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

  async saveDelivery(delivery: Delivery): Promise<void> {
    this.upsertStmt.run(toRow(delivery));
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
    return this.claimStmt.run({ id, owner, until: now + leaseMs, now, replacing: replacing ?? null }).changes === 1;
  }

  async claimHolder(id: string, now: number): Promise<string | undefined> {
    const row = this.holderStmt.get(id, now);
    return row?.claim_owner ?? undefined;
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
