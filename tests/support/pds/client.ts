/**
 * HTTP-only helpers for tests that use the shared real PDS (started by global-setup.ts):
 *
 *   import { inject } from 'vitest';
 *   import { pdsClient } from '../../support/pds/client.js';
 *   const pds = pdsClient(inject('pdsUrl'));
 *   const alice = await pds.createAccount('alice');
 *
 * Works from any process (test workers included): everything goes over HTTP to the harness URL.
 * Account setup and read-back requests made here carry an internal header, so the harness neither
 * counts, records nor faults them: counts reflect only what the code under test sent.
 *
 * Test files run in parallel against one PDS: scope counts/requests/faults to your own account's DID
 * (`{ did: alice.did }`) rather than using the global views.
 */
import { randomBytes } from 'node:crypto';
import { AtpAgent } from '@atproto/api';
import {
  HARNESS_INTERNAL_HEADER,
  type ActiveFault,
  type FaultSpec,
  type HarnessCounts,
  type RecordedRequest,
} from './types.js';

export type { ActiveFault, FaultMode, FaultSpec, HarnessCounts, MethodCount, RecordedRequest } from './types.js';

export interface TestAccount {
  did: string;
  handle: string;
  /** The account's main password (only for setup; bots log in with `appPassword`). */
  password: string;
  /** An app password (xxxx-xxxx-xxxx-xxxx), as a bot is given. */
  appPassword: string;
  email: string;
}

export interface PdsRecord<T = Record<string, unknown>> {
  uri: string;
  cid: string;
  value: T;
}

export interface HarnessHealth {
  ok: boolean;
  booted?: boolean;
  bootMs?: number | null;
  pdsAddress?: { address: string; port: number } | null;
  plcAddress?: { address: string; port: number } | null;
}

export interface Scope {
  /** Only this account's requests (see the note at the top). */
  did?: string;
}

export class PdsXrpcError extends Error {
  constructor(
    readonly nsid: string,
    readonly status: number,
    readonly error: string | undefined,
    message: string,
  ) {
    super(`${nsid} → ${status} ${error ?? ''}: ${message}`);
    this.name = 'PdsXrpcError';
  }
}

export class PdsClient {
  /** Base URL of the PDS (and of its `/_harness/*` routes), e.g. `http://127.0.0.1:41234`. */
  readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
  }

  // ------------------------------------------------------------ accounts

  /**
   * Creates an account `<prefix>-<random>.test` through `com.atproto.server.createAccount`, then an app
   * password through `com.atproto.server.createAppPassword`.
   */
  async createAccount(handlePrefix = 'user'): Promise<TestAccount> {
    // Service handles allow 3–18 characters before the domain.
    const label = handlePrefix.toLowerCase().replace(/[^a-z0-9-]+/g, '').replace(/^-+|-+$/g, '').slice(0, 11) || 'user';
    const front = `${label}-${randomBytes(4).toString('hex').slice(0, 6)}`;
    const handle = `${front}.test`;
    const email = `${front}@threadcast.test`;
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const created = await this.xrpc<{ did: string; handle: string; accessJwt: string }>(
      'POST',
      'com.atproto.server.createAccount',
      { body: { handle, email, password } },
    );
    const app = await this.xrpc<{ password: string }>('POST', 'com.atproto.server.createAppPassword', {
      body: { name: `threadcast-test-${randomBytes(3).toString('hex')}` },
      token: created.accessJwt,
    });
    return { did: created.did, handle: created.handle, password, appPassword: app.password, email };
  }

  /** An `AtpAgent` logged in with the app password, as a bot would (this login *is* counted). */
  async login(account: Pick<TestAccount, 'handle' | 'appPassword'>): Promise<AtpAgent> {
    const agent = new AtpAgent({ service: this.url });
    await agent.login({ identifier: account.handle, password: account.appPassword });
    return agent;
  }

  // ------------------------------------------------------------ harness

  /** Harness status; `pdsAddress`/`plcAddress` say where the PDS app and PLC listen once booted. */
  async health(): Promise<HarnessHealth> {
    return this.harness<HarnessHealth>('GET', 'health', {});
  }

  async counts(scope: Scope = {}): Promise<HarnessCounts> {
    return this.harness<HarnessCounts>('GET', 'counts', scope);
  }

  /** Requests of one method answered so far (optionally only those answered with `status`). */
  async count(method: string, opts: Scope & { status?: number } = {}): Promise<number> {
    const c = (await this.counts(opts))[method];
    if (!c) return 0;
    return opts.status === undefined ? c.total : c.byStatus[String(opts.status)] ?? 0;
  }

  async resetCounts(scope: Scope = {}): Promise<void> {
    await this.harness('POST', 'reset-counts', scope);
  }

  /** Recorded bodies of applyWrites/createRecord/putRecord/deleteRecord requests, oldest first. */
  async requests(method?: string, scope: Scope = {}): Promise<RecordedRequest[]> {
    return this.harness<RecordedRequest[]>('GET', 'requests', { ...scope, method });
  }

  async clearRequests(scope: Scope = {}): Promise<void> {
    await this.harness('DELETE', 'requests', scope);
  }

  /** Arms a fault for the next `count` (default 1) matching requests. */
  async fault(spec: FaultSpec): Promise<ActiveFault> {
    return this.harness<ActiveFault>('POST', 'faults', {}, spec);
  }

  async faults(scope: Scope = {}): Promise<ActiveFault[]> {
    return this.harness<ActiveFault[]>('GET', 'faults', scope);
  }

  async clearFaults(filter: Scope & { id?: string } = {}): Promise<void> {
    await this.harness('DELETE', 'faults', filter);
  }

  /** Sends answers held by `hold` faults now (all, or one fault's). Returns how many. */
  async release(faultId?: string): Promise<number> {
    const r = await this.harness<{ released: number }>('POST', 'release', { id: faultId });
    return r.released;
  }

  /** Counts, recorded requests and faults: all of them, or only one account's. */
  async reset(scope: Scope = {}): Promise<void> {
    await this.harness('POST', 'reset', scope);
  }

  // ------------------------------------------------------------ read-back (not counted)

  /** `com.atproto.repo.getRecord`; null when the record does not exist. */
  async getRecord<T = Record<string, unknown>>(repo: string, collection: string, rkey: string): Promise<PdsRecord<T> | null> {
    try {
      return await this.xrpc<PdsRecord<T>>('GET', 'com.atproto.repo.getRecord', {
        query: { repo, collection, rkey },
      });
    } catch (err) {
      if (err instanceof PdsXrpcError && (err.error === 'RecordNotFound' || err.status === 404)) return null;
      throw err;
    }
  }

  /** Every record of a collection (all pages), newest first unless `reverse`. */
  async listRecords<T = Record<string, unknown>>(
    repo: string,
    collection: string,
    opts: { reverse?: boolean } = {},
  ): Promise<PdsRecord<T>[]> {
    const out: PdsRecord<T>[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.xrpc<{ records: PdsRecord<T>[]; cursor?: string }>('GET', 'com.atproto.repo.listRecords', {
        query: { repo, collection, limit: '100', cursor, reverse: opts.reverse ? 'true' : undefined },
      });
      out.push(...page.records);
      cursor = page.records.length > 0 ? page.cursor : undefined;
    } while (cursor);
    return out;
  }

  /** Polls getRecord until the record exists (or throws after `timeoutMs`). */
  async waitForRecord<T = Record<string, unknown>>(
    repo: string,
    collection: string,
    rkey: string,
    opts: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<PdsRecord<T>> {
    const deadline = Date.now() + (opts.timeoutMs ?? 5_000);
    for (;;) {
      const rec = await this.getRecord<T>(repo, collection, rkey);
      if (rec) return rec;
      if (Date.now() > deadline) throw new Error(`record ${repo}/${collection}/${rkey} did not appear`);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
    }
  }

  async describeRepo(repo: string): Promise<{ handle: string; did: string; collections: string[]; handleIsCorrect: boolean }> {
    return this.xrpc('GET', 'com.atproto.repo.describeRepo', { query: { repo } });
  }

  /** Blob bytes (`com.atproto.sync.getBlob`); null when the PDS does not have it. */
  async getBlob(did: string, cid: string): Promise<{ bytes: Uint8Array; mimeType: string | null } | null> {
    const res = await fetch(this.xrpcUrl('com.atproto.sync.getBlob', { did, cid }), {
      headers: { [HARNESS_INTERNAL_HEADER]: '1' },
    });
    if (res.status === 400 || res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) throw new PdsXrpcError('com.atproto.sync.getBlob', res.status, undefined, await res.text());
    return { bytes: new Uint8Array(await res.arrayBuffer()), mimeType: res.headers.get('content-type') };
  }

  // ------------------------------------------------------------ plumbing

  /** A raw XRPC call that bypasses the harness accounting. */
  async xrpc<T>(
    httpMethod: 'GET' | 'POST',
    nsid: string,
    opts: { query?: Record<string, string | undefined>; body?: unknown; token?: string } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { [HARNESS_INTERNAL_HEADER]: '1' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    const res = await fetch(this.xrpcUrl(nsid, opts.query), {
      method: httpMethod,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = (json ?? {}) as { error?: string; message?: string };
      throw new PdsXrpcError(nsid, res.status, e.error, e.message ?? text);
    }
    return json as T;
  }

  private xrpcUrl(nsid: string, query: Record<string, string | undefined> = {}): string {
    const u = new URL(`/xrpc/${nsid}`, this.url);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, v);
    return u.toString();
  }

  private async harness<T = unknown>(
    httpMethod: 'GET' | 'POST' | 'DELETE',
    route: string,
    query: { did?: string | undefined; id?: string | undefined; method?: string | undefined },
    body?: unknown,
  ): Promise<T> {
    const u = new URL(`/_harness/${route}`, this.url);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, v);
    const res = await fetch(u, {
      method: httpMethod,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T & { error?: string; message?: string };
    if (!res.ok) throw new Error(`harness ${httpMethod} ${route} → ${res.status}: ${json.message ?? json.error}`);
    return json;
  }
}

/** `pdsClient(inject('pdsUrl'))` inside a test. */
export function pdsClient(url: string): PdsClient {
  return new PdsClient(url);
}
