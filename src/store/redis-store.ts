import { createHash } from 'node:crypto';
import KeyvRedis, { type KeyvRedisEntry } from '@keyv/redis';
import { createClient, ErrorReply, TimeoutError, type RedisClientType } from '@redis/client';
import Keyv from 'keyv';
import { DELIVERY_STATES, type DeliveryState } from '../core/delivery-states.js';
import { DeliverySchema, type Delivery } from '../core/delivery.js';
import { deserializeStored, serializeStored } from './keyv-codec.js';
import type { DeliveryQuery, Store } from './store.js';
import { redactStoreUrl } from './redact-store-url.js';
import { assertIntegers } from './totals.js';

/**
 * Every key this store writes starts with this, so a shared Redis stays tidy. Plain kv state lives under
 * `threadcast::` (keyv's namespace and separator), the outbox under `threadcast:<kind>:`.
 */
export const KEY_PREFIX = 'threadcast:';

const K = {
  delivery: (id: string) => `${KEY_PREFIX}delivery:${id}`,
  deliveryPrefix: `${KEY_PREFIX}delivery:`,
  /** One sorted set per (channel, state): score -priority, member createdAt(17 digits) + id. */
  list: (channelId: string, state: string) => `${KEY_PREFIX}list:${channelId}:${state}`,
  listPrefix: `${KEY_PREFIX}list:`,
  /** Hashes id -> the list key / member the delivery is indexed under, and id -> notBefore (epoch ms). */
  indexList: `${KEY_PREFIX}index:list`,
  indexMember: `${KEY_PREFIX}index:member`,
  indexNotBefore: `${KEY_PREFIX}index:notbefore`,
  /** Every channel id that has a delivery, for queries across channels. */
  channels: `${KEY_PREFIX}channels`,
  claim: (id: string) => `${KEY_PREFIX}claim:${id}`,
  lease: (name: string) => `${KEY_PREFIX}lease:${name}`,
};

/** Date.parse covers ±8.64e15 ms; shifted by that, every date is a non-negative 17-digit number. */
const DATE_OFFSET = 8.64e15;
const DATE_DIGITS = 17;

interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Deletes `key` only when it holds `owner`'s claim or lease ("until:owner"). */
const RELEASE_FUNCTION = `
local function release(key, owner)
  local current = redis.call('GET', key)
  if current then
    local sep = string.find(current, ':', 1, true)
    if sep and string.sub(current, sep + 1) == owner then return redis.call('DEL', key) end
  end
  return 0
end
`;

/**
 * Store.addToTotal: the number in a keyv value (`{"value":N}`, keyv's format; none or another value counts as 0)
 * plus ARGV[1], written back in the same format, unless ARGV[2] (a limit; '' = none) would be passed by a positive
 * addition. Returns the new total as a string, or nil.
 * KEYS: the keyv key as stored
 * ARGV: delta, limit
 */
const ADD_TO_TOTAL = script(`
local current = 0
local raw = redis.call('GET', KEYS[1])
if raw then
  local ok, data = pcall(cjson.decode, raw)
  if ok and type(data) == 'table' and type(data.value) == 'number' then current = data.value end
end
local delta = tonumber(ARGV[1])
local total = current + delta
if ARGV[2] ~= '' and delta > 0 and total > tonumber(ARGV[2]) then return false end
local text = string.format('%.0f', total)
redis.call('SET', KEYS[1], '{"value":' .. text .. '}')
return text
`);

/**
 * create / save in one step: the JSON value and its index entries change together or not at all, and
 * the old index entry (read here, inside the script) goes when the state or priority moves. With a seventh key,
 * the claim there is released in the same step when ARGV[8] holds it (saveDelivery's `release`).
 * KEYS: delivery, new list, index:list, index:member, index:notbefore, channels [, claim]
 * ARGV: json, id, score, member, notBefore ('' = none), channelId, mode ('create' = only if absent) [, owner]
 */
const SAVE = script(`${RELEASE_FUNCTION}
if ARGV[7] == 'create' then
  if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
else
  redis.call('SET', KEYS[1], ARGV[1])
end
local oldList = redis.call('HGET', KEYS[3], ARGV[2])
local oldMember = redis.call('HGET', KEYS[4], ARGV[2])
if oldList and oldMember then redis.call('ZREM', oldList, oldMember) end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[2], KEYS[2])
redis.call('HSET', KEYS[4], ARGV[2], ARGV[4])
if ARGV[5] == '' then redis.call('HDEL', KEYS[5], ARGV[2]) else redis.call('HSET', KEYS[5], ARGV[2], ARGV[5]) end
redis.call('SADD', KEYS[6], ARGV[6])
if #KEYS > 6 then release(KEYS[7], ARGV[8]) end
return 1
`);

/**
 * One consistent snapshot: from each (channel, state) list, in order, the first `limit` deliveries that are
 * due, as score, member, JSON triples. The caller merges the lists (byte order, not Lua's locale order).
 * KEYS: channels, index:notbefore
 * ARGV: list prefix, delivery prefix, hasChannel, channel, dueAt ('' = any), limit ('' = all), states...
 */
const LIST = script(`
local dueAt = nil
if ARGV[5] ~= '' then dueAt = tonumber(ARGV[5]) end
local limit = nil
if ARGV[6] ~= '' then limit = tonumber(ARGV[6]) end
local channels
if ARGV[3] == '1' then channels = { ARGV[4] } else channels = redis.call('SMEMBERS', KEYS[1]) end
local out = {}
if limit == 0 then return out end
local page = 256
for _, channel in ipairs(channels) do
  for s = 7, #ARGV do
    local list = ARGV[1] .. channel .. ':' .. ARGV[s]
    local taken, start = 0, 0
    repeat
      local rows = redis.call('ZRANGE', list, start, start + page - 1, 'WITHSCORES')
      for i = 1, #rows, 2 do
        local member = rows[i]
        local id = string.sub(member, ${DATE_DIGITS + 1})
        local due = true
        if dueAt then
          local notBefore = redis.call('HGET', KEYS[2], id)
          if notBefore and tonumber(notBefore) > dueAt then due = false end
        end
        if due then
          local json = redis.call('GET', ARGV[2] .. id)
          if json then
            out[#out + 1] = rows[i + 1]
            out[#out + 1] = member
            out[#out + 1] = json
            taken = taken + 1
            if limit and taken >= limit then break end
          end
        end
      end
      start = start + page
    until #rows < page * 2 or (limit and taken >= limit)
  end
end
return out
`);

/**
 * KEYS: channels
 * ARGV: list prefix, hasChannel, channel, states...
 */
const COUNT = script(`
local channels
if ARGV[2] == '1' then channels = { ARGV[3] } else channels = redis.call('SMEMBERS', KEYS[1]) end
local out = {}
for s = 4, #ARGV do
  local n = 0
  for _, channel in ipairs(channels) do n = n + redis.call('ZCARD', ARGV[1] .. channel .. ':' .. ARGV[s]) end
  out[#out + 1] = n
end
return out
`);

/**
 * Claims and leases. The value is "until:owner"; PX lets Redis drop a dead holder's key on its own, and
 * "until" keeps the caller's clock (\`now\`) authoritative, as in the SQLite store.
 * First SET NX PX (the free case); otherwise take over only from ourselves (renew), from \`replacing\`, or
 * from an expired holder.
 * KEYS: holder key [, key that must exist (the delivery)]
 * ARGV: owner, value, px, now, hasReplacing ('1' / '0'), replacing
 */
const TAKE = script(`
if #KEYS > 1 and redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
local current = redis.call('GET', KEYS[1])
if current then
  local sep = string.find(current, ':', 1, true)
  local heldUntil = tonumber(string.sub(current, 1, sep - 1))
  local holder = string.sub(current, sep + 1)
  if holder ~= ARGV[1] and not (ARGV[5] == '1' and holder == ARGV[6]) and heldUntil >= tonumber(ARGV[4]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`);

/** KEYS: holder key. ARGV: owner. Deletes only the owner's own claim or lease. */
const RELEASE = script(`${RELEASE_FUNCTION}
return release(KEYS[1], ARGV[1])
`);

export interface RedisStoreOptions {
  /** Bound of a whole connect (every attempt in it) and of each TCP connect. Default 5 s. */
  connectTimeoutMs?: number;
  /** Bound of each command; a command that runs out drops the connection, the next call reconnects. Default 10 s. */
  commandTimeoutMs?: number;
  /** Reconnect attempts after a dropped connection before pending calls fail. Default 5. */
  reconnectAttempts?: number;
}

export class RedisStoreError extends Error {
  override readonly name = 'RedisStoreError';
  /** The underlying errno (ECONNREFUSED, …) or Redis error code (WRONGPASS, NOAUTH, …), when there is one. */
  readonly code: string | undefined;

  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

interface ParsedUrl {
  label: string;
  host: string;
  port: number;
  tls: boolean;
  database: number;
  username?: string;
  password?: string;
}

function parseRedisUrl(url: string): ParsedUrl {
  const bad = (why: string) => new RedisStoreError(`store "${redactStoreUrl(url)}": ${why}; use redis://[user:pass@]host:port[/db] or rediss://…`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not the URL error itself: it carries the whole input, password included.
    throw bad('not a valid URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw bad('not a redis:// or rediss:// URL');
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw bad('no host');
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  const database = dbText === '' ? 0 : Number(dbText);
  if (!/^\d*$/.test(dbText) || !Number.isSafeInteger(database)) throw bad('the path must be a database number');
  let username: string | undefined;
  let password: string | undefined;
  try {
    username = u.username ? decodeURIComponent(u.username) : undefined;
    password = u.password ? decodeURIComponent(u.password) : undefined;
  } catch {
    throw bad('badly escaped user or password');
  }
  const auth = u.username || u.password ? `${u.username}${u.password ? ':***' : ''}@` : '';
  const label = `${u.protocol}//${auth}${u.host}/${database}`;
  return { label, host, port, tls: u.protocol === 'rediss:', database, username, password };
}

type Client = RedisClientType;

type Guard = <T>(op: string, work: () => Promise<T>) => Promise<T>;

/**
 * keyv's Redis adapter on our client. Every keyv call goes through the store's guard: it waits for our
 * (bounded, lazy) connect, gets the same reply deadline as the store's own calls and the same redacted errors.
 * The adapter never connects on its own.
 */
class SharedClientKeyvRedis extends KeyvRedis<unknown> {
  private readonly guard: Guard;
  private readonly whenReady: () => Promise<void>;

  constructor(client: Client, guard: Guard, whenReady: () => Promise<void>) {
    super(client, { throwOnErrors: true, throwOnConnectError: true });
    this.guard = guard;
    this.whenReady = whenReady;
  }

  override async getClient() {
    await this.whenReady();
    return this.client;
  }

  override get<U = unknown>(key: string): Promise<U | undefined> {
    return this.guard('kv get', () => super.get<U>(key));
  }

  override getMany<U = unknown>(keys: string[]): Promise<Array<U | undefined>> {
    return this.guard('kv getMany', () => super.getMany<U>(keys));
  }

  override set(key: string, value: string, ttl?: number): Promise<void> {
    return this.guard('kv set', () => super.set(key, value, ttl));
  }

  override setMany(entries: KeyvRedisEntry<unknown>[]): Promise<void> {
    return this.guard('kv setMany', () => super.setMany(entries));
  }

  override has(key: string): Promise<boolean> {
    return this.guard('kv has', () => super.has(key));
  }

  override hasMany(keys: string[]): Promise<boolean[]> {
    return this.guard('kv hasMany', () => super.hasMany(keys));
  }

  override delete(key: string): Promise<boolean> {
    return this.guard('kv delete', () => super.delete(key));
  }

  override deleteMany(keys: string[]): Promise<boolean> {
    return this.guard('kv deleteMany', () => super.deleteMany(keys));
  }

  override clear(): Promise<void> {
    return this.guard('kv clear', () => super.clear());
  }
}

/**
 * The shared backend: several instances on one Redis. Deliveries, claims and leases use Redis' own atomic
 * primitives (SET NX, SET NX PX, Lua scripts); plain values go through keyv (`kv`).
 */
export class RedisStore implements Store {
  readonly kv: Keyv;
  private readonly kvAdapter: SharedClientKeyvRedis;
  private readonly client: Client;
  private readonly label: string;
  private readonly secrets: string[];
  private readonly connectTimeoutMs: number;
  private readonly commandTimeoutMs: number;
  private connecting: Promise<void> | undefined;
  private connectAbort: AbortController | undefined;
  private lastError: Error | undefined;
  private closed = false;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(url: string, opts: RedisStoreOptions = {}) {
    const parsed = parseRedisUrl(url);
    this.label = parsed.label;
    this.secrets = parsed.password ? [...new Set([parsed.password, encodeURIComponent(parsed.password)])] : [];
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 10_000;
    const reconnectAttempts = opts.reconnectAttempts ?? 5;
    // Built from parts, not `url`: the client (and keyv's adapter, via `opts.url`) would otherwise keep the
    // password in plain sight.
    const socket = {
      host: parsed.host,
      port: parsed.port,
      connectTimeout: this.connectTimeoutMs,
      reconnectStrategy: (retries: number, cause: Error) => {
        // A refusal by the server (wrong password, no such database) will not change by retrying.
        if (cause instanceof ErrorReply) return cause;
        if (retries >= reconnectAttempts) return new Error(`gave up after ${retries + 1} attempts: ${cause.message}`);
        return Math.min(100 * 2 ** retries, 2000);
      },
    };
    this.client = createClient({
      socket: parsed.tls ? { ...socket, tls: true as const } : { ...socket, tls: false as const },
      username: parsed.username,
      password: parsed.password,
      database: parsed.database,
      commandOptions: { timeout: this.commandTimeoutMs },
    }) as Client;
    // Without a listener an 'error' event would crash the process; failures surface through the calls.
    this.client.on('error', (err: Error) => {
      this.lastError = err;
    });
    const adapter = new SharedClientKeyvRedis(this.client, (op, work) => this.run(op, work), () => this.ready());
    this.kvAdapter = adapter;
    this.kv = new Keyv({ store: adapter, namespace: 'threadcast', useKeyPrefix: false, throwOnErrors: true, serialize: serializeStored, deserialize: deserializeStored });
    this.ready().catch(() => undefined);
  }

  async createDelivery(delivery: Delivery): Promise<boolean> {
    return (await this.save('createDelivery', delivery, 'create')) === 1;
  }

  async createDeliveries(deliveries: readonly Delivery[]): Promise<boolean[]> {
    if (deliveries.length === 0) return [];
    const calls = deliveries.map((d) => this.saveCall('createDeliveries', d, 'create'));
    const replies = await this.run('createDeliveries', async (c) => {
      // The first alone, so the script is known to the server before the rest are pipelined behind it.
      const first = await this.evalScript(c, SAVE, calls[0]!.keys, calls[0]!.args);
      const rest = await Promise.all(calls.slice(1).map((call) => this.evalScript(c, SAVE, call.keys, call.args)));
      return [first, ...rest];
    });
    return replies.map((r) => r === 1);
  }

  async saveDelivery(delivery: Delivery, opts: { release?: string } = {}): Promise<void> {
    await this.save('saveDelivery', delivery, 'save', opts.release);
  }

  async getDelivery(id: string): Promise<Delivery | undefined> {
    const json = await this.run('getDelivery', (c) => c.get(K.delivery(id)));
    return json === null ? undefined : DeliverySchema.parse(JSON.parse(json));
  }

  async listDeliveries(query: DeliveryQuery = {}): Promise<Delivery[]> {
    const states = [...new Set(query.states ?? DELIVERY_STATES)];
    // As SQLite's LIMIT: a negative limit is no limit.
    const limit = query.limit !== undefined && query.limit >= 0 ? Math.floor(query.limit) : undefined;
    if (states.length === 0 || limit === 0) return [];
    const hasChannel = query.channelId !== undefined;
    const reply = (await this.run('listDeliveries', (c) =>
      this.evalScript(c, LIST, [K.channels, K.indexNotBefore], [
        K.listPrefix,
        K.deliveryPrefix,
        hasChannel ? '1' : '0',
        query.channelId ?? '',
        query.dueAt !== undefined ? String(query.dueAt) : '',
        limit !== undefined ? String(limit) : '',
        ...states,
      ]),
    )) as string[];
    const rows: Array<{ score: number; member: Buffer; json: string }> = [];
    for (let i = 0; i + 2 < reply.length; i += 3) {
      rows.push({ score: Number(reply[i]), member: Buffer.from(reply[i + 1]!), json: reply[i + 2]! });
    }
    // The order Redis keeps within one list: score, then member bytes (createdAt digits, then id).
    rows.sort((a, b) => a.score - b.score || Buffer.compare(a.member, b.member));
    return rows.slice(0, limit).map((r) => DeliverySchema.parse(JSON.parse(r.json)));
  }

  async countDeliveries(channelId?: string): Promise<Record<DeliveryState, number>> {
    const states = DELIVERY_STATES;
    const reply = (await this.run('countDeliveries', (c) =>
      this.evalScript(c, COUNT, [K.channels], [K.listPrefix, channelId !== undefined ? '1' : '0', channelId ?? '', ...states]),
    )) as number[];
    return Object.fromEntries(states.map((s, i) => [s, Number(reply[i] ?? 0)])) as Record<DeliveryState, number>;
  }

  async claimDelivery(id: string, owner: string, leaseMs: number, now: number, replacing?: string): Promise<boolean> {
    return this.take('claimDelivery', [K.claim(id), K.delivery(id)], owner, leaseMs, now, replacing);
  }

  async claimHolder(id: string, now: number): Promise<string | undefined> {
    return this.holder('claimHolder', K.claim(id), now);
  }

  async releaseDelivery(id: string, owner: string): Promise<void> {
    await this.run('releaseDelivery', (c) => this.evalScript(c, RELEASE, [K.claim(id)], [owner]));
  }

  async acquireLease(name: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
    return this.take('acquireLease', [K.lease(name)], owner, ttlMs, now, undefined);
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.run('releaseLease', (c) => this.evalScript(c, RELEASE, [K.lease(name)], [owner]));
  }

  async leaseHolder(name: string, now: number): Promise<string | undefined> {
    return this.holder('leaseHolder', K.lease(name), now);
  }

  async addToTotal(key: string, delta: number, limit?: number): Promise<number | undefined> {
    assertIntegers(delta, limit);
    // The key as keyv's Redis adapter stores it (its namespace, then "::").
    const stored = `${this.kvAdapter.namespace}::${key}`;
    const reply = await this.run('addToTotal', (c) => this.evalScript(c, ADD_TO_TOTAL, [stored], [String(delta), limit === undefined ? '' : String(limit)]));
    return reply === null || reply === undefined ? undefined : Number(reply);
  }

  /** Waits for the calls in flight (each bounded), then drops the connection. Never hangs on a dead Redis. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connectAbort?.abort();
    await Promise.allSettled([...this.inflight]);
    // keyv's adapter shares this client, so this disconnects both.
    if (this.client.isOpen) this.client.destroy();
  }

  private async save(op: string, d: Delivery, mode: 'create' | 'save', release?: string): Promise<number> {
    const { keys, args } = this.saveCall(op, d, mode, release);
    return (await this.run(op, (c) => this.evalScript(c, SAVE, keys, args))) as number;
  }

  /** The SAVE script's keys and arguments for one delivery. */
  private saveCall(op: string, d: Delivery, mode: 'create' | 'save', release?: string): { keys: string[]; args: string[] } {
    const createdAt = Date.parse(d.createdAt);
    if (!Number.isFinite(createdAt)) throw new RedisStoreError(`${op} ${d.id}: createdAt "${d.createdAt}" is not a date`);
    const notBefore = d.notBefore ? Date.parse(d.notBefore) : Number.NaN;
    const member = String(createdAt + DATE_OFFSET).padStart(DATE_DIGITS, '0') + d.id;
    const keys = [K.delivery(d.id), K.list(d.channelId, d.state), K.indexList, K.indexMember, K.indexNotBefore, K.channels];
    const args = [JSON.stringify(d), d.id, String(-d.priority || 0), member, Number.isFinite(notBefore) ? String(notBefore) : '', d.channelId, mode];
    if (release !== undefined) {
      keys.push(K.claim(d.id));
      args.push(release);
    }
    return { keys, args };
  }

  private async take(op: string, keys: string[], owner: string, ttlMs: number, now: number, replacing: string | undefined): Promise<boolean> {
    if (!Number.isFinite(ttlMs) || !Number.isFinite(now)) throw new RedisStoreError(`${op}: ttl and now must be finite numbers`);
    const px = String(Math.max(1, Math.ceil(ttlMs)));
    const args = [owner, `${now + ttlMs}:${owner}`, px, String(now), replacing !== undefined ? '1' : '0', replacing ?? ''];
    return (await this.run(op, (c) => this.evalScript(c, TAKE, keys, args))) === 1;
  }

  private async holder(op: string, key: string, now: number): Promise<string | undefined> {
    const value = await this.run(op, (c) => c.get(key));
    if (value === null) return undefined;
    const sep = value.indexOf(':');
    return Number(value.slice(0, sep)) >= now ? value.slice(sep + 1) : undefined;
  }

  /** EVALSHA, falling back to EVAL the first time a server sees the script. */
  private async evalScript(c: Client, s: Script, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await c.sendCommand(['EVALSHA', s.sha, ...tail]);
    } catch (err) {
      if (codeOf(err) !== 'NOSCRIPT') throw err;
      return c.sendCommand(['EVAL', s.source, ...tail]);
    }
  }

  /**
   * Every call: connected first (bounded), then a deadline on the answer. The client's own command timeout
   * only covers the wait to be written, not the reply, so a stalled server would otherwise hang the call.
   */
  private async run<T>(op: string, fn: (c: Client) => Promise<T>): Promise<T> {
    await this.ready();
    const call = (async () => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError()), this.commandTimeoutMs);
      });
      try {
        return await Promise.race([fn(this.client), deadline]);
      } catch (err) {
        // The reply may still come, out of step: drop the connection; the next call makes a new one.
        if (err instanceof TimeoutError && this.client.isOpen) this.client.destroy();
        throw this.fail(op, err);
      } finally {
        clearTimeout(timer);
      }
    })();
    this.inflight.add(call);
    const done = () => this.inflight.delete(call);
    call.then(done, done);
    return call;
  }

  /** One connect at a time, started by the constructor; after a failure or a drop, the next call connects again. */
  private ready(): Promise<void> {
    if (this.closed) return Promise.reject(new RedisStoreError(`redis store ${this.label}: closed`));
    if (!this.client.isOpen && !this.connecting) {
      this.connecting = this.connect().finally(() => {
        this.connecting = undefined;
      });
    }
    return this.connecting ?? Promise.resolve();
  }

  private async connect(): Promise<void> {
    this.lastError = undefined;
    const abort = new AbortController();
    this.connectAbort = abort;
    const attempt = this.client.connect();
    attempt.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no connection within ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
      abort.signal.addEventListener('abort', () => reject(new Error('store closed while connecting')), { once: true });
    });
    try {
      await Promise.race([attempt, bound]);
    } catch (err) {
      // Stop the client's own retrying: this call has failed and the next one starts afresh.
      if (this.client.isOpen) this.client.destroy();
      const last = this.lastError && describe(this.lastError) !== describe(err) ? ` (last error: ${describe(this.lastError)})` : '';
      throw this.fail('connect', err, last, this.lastError);
    } finally {
      clearTimeout(timer);
      if (this.connectAbort === abort) this.connectAbort = undefined;
    }
  }

  private fail(op: string, err: unknown, extra = '', also?: unknown): RedisStoreError {
    if (err instanceof RedisStoreError) return err;
    const why = err instanceof TimeoutError ? `no answer within ${this.commandTimeoutMs} ms` : describe(err);
    let message = `redis store ${this.label}: ${op} failed: ${why}${extra}`;
    for (const secret of this.secrets) message = message.split(secret).join('***');
    return new RedisStoreError(message, codeOf(err) ?? codeOf(also));
  }
}

function codeOf(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & { socketError?: unknown; code?: unknown; errors?: unknown[] };
  if (typeof e.code === 'string') return e.code;
  if (e.name === 'ReconnectStrategyError' && e.socketError) return codeOf(e.socketError);
  if (e.errors?.length) return codeOf(e.errors[0]);
  if (err instanceof ErrorReply) return /^[A-Z]+\b/.exec(err.message)?.[0];
  return undefined;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { socketError?: unknown; code?: string; errors?: unknown[] };
  if (e.name === 'ReconnectStrategyError' && e.socketError) return describe(e.socketError);
  if (e.errors?.length) return e.errors.map(describe).join('; ');
  return e.message || e.code || e.name;
}
