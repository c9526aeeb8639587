/**
 * The front door of the test PDS: a small HTTP proxy on 127.0.0.1 that forwards every request, byte
 * for byte, to the real PDS (also on 127.0.0.1, on its own port) and on the way
 *  - counts XRPC requests per method and status (`GET /_harness/counts`),
 *  - records the JSON bodies of repo writes (`GET /_harness/requests`),
 *  - injects faults on demand (`POST /_harness/faults`): answer instead of the PDS (`before`), replace
 *    the PDS's answer after it did the work (`after`), or hold the PDS's real answer (`hold`).
 * The PDS's answer is fully buffered before an `after`/`hold` fault acts, so the write is committed
 * by then. Requests without a fault are streamed through unchanged.
 *
 * Counts, recorded requests and faults can be scoped to one account DID, so test files that run in
 * parallel against the one shared PDS do not see each other's traffic: a request is attributed to the
 * `sub` of its access token, else its `repo`/`did` parameter, else its login identifier (handles are
 * mapped to DIDs from createAccount/createSession answers).
 */
import http from 'node:http';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import {
  HARNESS_INTERNAL_HEADER,
  type ActiveFault,
  type FaultMode,
  type FaultSpec,
  type HarnessCounts,
  type MethodCount,
  type RecordedRequest,
} from './types.js';

export interface Upstream {
  host: string;
  port: number;
}

export interface HarnessOptions {
  /** Where the real PDS listens. Called for the first proxied request (so the PDS can boot lazily). */
  upstream: () => Promise<Upstream>;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port to listen on. Default 0 (a free port). */
  port?: number;
  /** Extra facts for `GET /_harness/health` (e.g. whether the PDS has booted, its ports). */
  info?: () => Record<string, unknown>;
}

/** Methods whose JSON bodies are recorded. */
const RECORDED_METHODS = new Set([
  'com.atproto.repo.applyWrites',
  'com.atproto.repo.createRecord',
  'com.atproto.repo.putRecord',
  'com.atproto.repo.deleteRecord',
]);

/** Methods whose answers teach the harness a handle → DID mapping. */
const IDENTITY_METHODS = new Set([
  'com.atproto.server.createAccount',
  'com.atproto.server.createSession',
  'com.atproto.server.refreshSession',
  'com.atproto.server.getSession',
]);

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const MAX_RECORDED = 10_000;
const DEFAULT_HOLD_MS = 60_000;

interface Held {
  faultId: string;
  release: () => void;
}

type InternalFault = ActiveFault;

interface Exchange {
  internal: boolean;
  nsid: string;
  did: string | null;
  record: RecordedRequest | null;
}

export class HarnessProxy {
  readonly server: http.Server;
  private readonly opts: HarnessOptions;
  // A fresh loopback connection per request: no keep-alive reuse race with the PDS closing an idle
  // socket, which would turn into a spurious 502 (or an ambiguous retry) in a test.
  private readonly upstreamAgent = new http.Agent({ keepAlive: false });
  private readonly upgradedSockets = new Set<net.Socket>();
  private readonly held = new Set<Held>();

  private counts = new Map<string, MethodCount>();
  private countsByDid = new Map<string, Map<string, MethodCount>>();
  private recorded: RecordedRequest[] = [];
  private seq = 0;
  private faults: InternalFault[] = [];
  private readonly handleToDid = new Map<string, string>();
  private closed = false;

  private constructor(opts: HarnessOptions) {
    this.opts = opts;
    this.server = http.createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          sendJson(res, 500, { error: 'HarnessError', message: String(err) });
        } else {
          res.destroy();
        }
      });
    });
    this.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      this.onUpgrade(req, socket, head);
    });
    // Keep-alive sockets from test clients must not keep the process alive on close.
    this.server.keepAliveTimeout = 5_000;
  }

  static async listen(opts: HarnessOptions): Promise<HarnessProxy> {
    const proxy = new HarnessProxy(opts);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
        proxy.server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  get port(): number {
    const addr = this.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('harness proxy is not listening');
    return addr.port;
  }

  get address(): net.AddressInfo {
    const addr = this.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('harness proxy is not listening');
    return addr;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.held) h.release();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const s of this.upgradedSockets) s.destroy();
    this.upstreamAgent.destroy();
    await closing;
  }

  // ---------------------------------------------------------------- state (also used in-process)

  getCounts(did?: string | null): HarnessCounts {
    const source = did ? this.countsByDid.get(did) ?? new Map<string, MethodCount>() : this.counts;
    const out: HarnessCounts = {};
    for (const [method, c] of [...source.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      out[method] = { total: c.total, byStatus: { ...c.byStatus }, reachedPds: c.reachedPds };
    }
    return out;
  }

  resetCounts(did?: string | null): void {
    if (did) {
      this.countsByDid.delete(did);
    } else {
      this.counts = new Map();
      this.countsByDid = new Map();
    }
  }

  getRequests(filter: { method?: string | null; did?: string | null } = {}): RecordedRequest[] {
    return this.recorded
      .filter((r) => (!filter.method || r.method === filter.method) && (!filter.did || r.did === filter.did))
      .map((r) => structuredClone(r));
  }

  clearRequests(did?: string | null): void {
    this.recorded = did ? this.recorded.filter((r) => r.did !== did) : [];
  }

  addFault(spec: FaultSpec): ActiveFault {
    const problem = validateFault(spec);
    if (problem) throw new Error(problem);
    const fault: InternalFault = {
      id: randomUUID(),
      method: spec.method,
      mode: spec.mode,
      spec: { ...spec },
      remaining: spec.count ?? 1,
      fired: 0,
      held: 0,
    };
    this.faults.push(fault);
    return snapshotFault(fault);
  }

  getFaults(did?: string | null): ActiveFault[] {
    return this.faults.filter((f) => !did || f.spec.did === did).map(snapshotFault);
  }

  /** Removes faults (all, one id, or those scoped to a DID). Held answers are not released. */
  clearFaults(filter: { id?: string | null; did?: string | null } = {}): void {
    this.faults = this.faults.filter((f) => {
      if (filter.id) return f.id !== filter.id;
      if (filter.did) return f.spec.did !== filter.did;
      return false;
    });
  }

  /** Sends held answers now (all, or those of one fault). Returns how many were released. */
  release(faultId?: string | null): number {
    let n = 0;
    for (const h of [...this.held]) {
      if (!faultId || h.faultId === faultId) {
        h.release();
        n++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- control routes

  private async onControl(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    const did = url.searchParams.get('did');
    const raw = await readStream(req);
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return sendJson(res, 400, { error: 'InvalidJson', message: 'control request body is not JSON' });
      }
    }
    switch (route) {
      case 'GET /_harness/health':
        return sendJson(res, 200, { ok: true, ...(this.opts.info?.() ?? {}) });
      case 'GET /_harness/counts':
        return sendJson(res, 200, this.getCounts(did));
      case 'POST /_harness/reset-counts':
        this.resetCounts(did);
        return sendJson(res, 200, {});
      case 'GET /_harness/requests':
        return sendJson(res, 200, this.getRequests({ method: url.searchParams.get('method'), did }));
      case 'DELETE /_harness/requests':
        this.clearRequests(did);
        return sendJson(res, 200, {});
      case 'GET /_harness/faults':
        return sendJson(res, 200, this.getFaults(did));
      case 'POST /_harness/faults':
        try {
          return sendJson(res, 200, this.addFault(body as FaultSpec));
        } catch (err) {
          return sendJson(res, 400, { error: 'InvalidFault', message: (err as Error).message });
        }
      case 'DELETE /_harness/faults':
        this.clearFaults({ id: url.searchParams.get('id'), did });
        return sendJson(res, 200, {});
      case 'POST /_harness/release':
        return sendJson(res, 200, { released: this.release(url.searchParams.get('id')) });
      case 'POST /_harness/reset':
        this.resetCounts(did);
        this.clearRequests(did);
        this.clearFaults({ did });
        return sendJson(res, 200, {});
      default:
        return sendJson(res, 404, { error: 'NotFound', message: `no harness route ${route}` });
    }
  }

  // ---------------------------------------------------------------- proxying

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://harness.invalid');
    if (url.pathname.startsWith('/_harness/')) return this.onControl(req, res, url);

    const reqBody = await readStream(req);
    let upstream: Upstream;
    try {
      upstream = await this.opts.upstream();
    } catch (err) {
      return sendJson(res, 503, { error: 'PdsUnavailable', message: `test PDS failed to start: ${String(err)}` });
    }

    // Helper requests (account setup, read-back) are neither counted, recorded nor faulted.
    const internal = req.headers[HARNESS_INTERNAL_HEADER] !== undefined;
    const nsid = url.pathname.startsWith('/xrpc/') ? decodeURIComponent(url.pathname.slice('/xrpc/'.length)) : null;
    if (nsid === null || (internal && !IDENTITY_METHODS.has(nsid))) {
      const up = await this.forward(upstream, req, reqBody).catch(() => null);
      if (up === null) return sendJson(res, 502, { error: 'UpstreamFailure', message: 'test PDS unreachable' });
      return pipeResponse(up, res);
    }

    const json = parseJsonBody(req, reqBody);
    const ex: Exchange = { nsid, did: this.attribute(req, url, json), record: null, internal };
    const fault = internal ? null : this.takeFault(nsid, ex.did);
    if (!internal && RECORDED_METHODS.has(nsid)) {
      ex.record = {
        seq: ++this.seq,
        at: new Date().toISOString(),
        method: nsid,
        did: ex.did,
        body: json,
        reachedPds: fault?.mode !== 'before',
        pdsStatus: null,
        status: null,
        fault: fault?.mode ?? null,
      };
      this.recorded.push(ex.record);
      if (this.recorded.length > MAX_RECORDED) this.recorded.splice(0, this.recorded.length - MAX_RECORDED);
    }

    if (fault?.mode === 'before') {
      await sleep(fault.spec.delayMs ?? 0);
      const status = fault.spec.status ?? 503;
      this.tally(ex, status, false, null);
      return sendInjected(res, fault.spec, status);
    }

    let up: http.IncomingMessage;
    try {
      up = await this.forward(upstream, req, reqBody);
    } catch (err) {
      this.tally(ex, 502, false, null);
      return sendJson(res, 502, { error: 'UpstreamFailure', message: `test PDS unreachable: ${String(err)}` });
    }
    const pdsStatus = up.statusCode ?? 502;

    if (!fault && !IDENTITY_METHODS.has(nsid)) {
      this.tally(ex, pdsStatus, true, pdsStatus);
      return pipeResponse(up, res);
    }

    // Buffer the whole answer: the PDS has finished (and committed) once we have it.
    const upBody = await readStream(up);
    if (IDENTITY_METHODS.has(nsid)) this.learnIdentity(ex, up, upBody);

    if (fault?.mode === 'after') {
      await sleep(fault.spec.delayMs ?? 0);
      const status = fault.spec.status ?? 500;
      this.tally(ex, status, true, pdsStatus);
      return sendInjected(res, fault.spec, status);
    }

    if (fault?.mode === 'hold') {
      await this.hold(fault, fault.spec.delayMs ?? DEFAULT_HOLD_MS);
    }
    this.tally(ex, pdsStatus, true, pdsStatus);
    return sendBuffered(res, up, upBody);
  }

  private hold(fault: InternalFault, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      fault.held++;
      const entry: Held = {
        faultId: fault.id,
        release: () => {
          clearTimeout(timer);
          if (this.held.delete(entry)) {
            fault.held--;
            resolve();
          }
        },
      };
      const timer = setTimeout(entry.release, ms);
      this.held.add(entry);
    });
  }

  private forward(upstream: Upstream, req: http.IncomingMessage, body: Buffer): Promise<http.IncomingMessage> {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || name === HARNESS_INTERNAL_HEADER) continue;
      headers[name] = value;
    }
    delete headers['content-length'];
    if (body.length > 0 || !['GET', 'HEAD', 'OPTIONS', 'DELETE'].includes(req.method ?? 'GET')) {
      headers['content-length'] = String(body.length);
    }
    return new Promise((resolve, reject) => {
      const upReq = http.request(
        {
          host: upstream.host,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers,
          agent: this.upstreamAgent,
        },
        resolve,
      );
      upReq.on('error', reject);
      upReq.end(body);
    });
  }

  private onUpgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    this.upgradedSockets.add(socket);
    socket.on('close', () => this.upgradedSockets.delete(socket));
    socket.on('error', () => socket.destroy());
    this.opts.upstream().then(
      (upstream) => {
        const conn = net.connect(upstream.port, upstream.host, () => {
          let head1 = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
          for (let i = 0; i < req.rawHeaders.length; i += 2) {
            head1 += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
          }
          conn.write(head1 + '\r\n');
          if (head.length > 0) conn.write(head);
          socket.pipe(conn).pipe(socket);
        });
        this.upgradedSockets.add(conn);
        conn.on('close', () => {
          this.upgradedSockets.delete(conn);
          socket.destroy();
        });
        conn.on('error', () => socket.destroy());
        socket.on('close', () => conn.destroy());
      },
      () => socket.destroy(),
    );
  }

  // ---------------------------------------------------------------- accounting

  private takeFault(nsid: string, did: string | null): InternalFault | null {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && (f.method === '*' || f.method === nsid) && (!f.spec.did || f.spec.did === did),
    );
    if (!fault) return null;
    fault.remaining--;
    fault.fired++;
    return fault;
  }

  private tally(ex: Exchange, status: number, reachedPds: boolean, pdsStatus: number | null): void {
    if (ex.internal) return;
    // Spent hold faults stay listed while they hold an answer, then go.
    this.faults = this.faults.filter((f) => f.remaining > 0 || f.held > 0);
    if (ex.record) {
      ex.record.status = status;
      ex.record.reachedPds = reachedPds;
      ex.record.pdsStatus = pdsStatus;
      ex.record.did ??= ex.did;
    }
    const bump = (map: Map<string, MethodCount>) => {
      let c = map.get(ex.nsid);
      if (!c) {
        c = { total: 0, byStatus: {}, reachedPds: 0 };
        map.set(ex.nsid, c);
      }
      c.total++;
      c.byStatus[String(status)] = (c.byStatus[String(status)] ?? 0) + 1;
      if (reachedPds) c.reachedPds++;
    };
    bump(this.counts);
    if (ex.did) {
      let perDid = this.countsByDid.get(ex.did);
      if (!perDid) {
        perDid = new Map();
        this.countsByDid.set(ex.did, perDid);
      }
      bump(perDid);
    }
  }

  private attribute(req: http.IncomingMessage, url: URL, json: unknown): string | null {
    const sub = jwtSubject(req.headers.authorization);
    if (sub) return sub;
    const body = isObject(json) ? json : {};
    const candidates = [
      body['repo'],
      url.searchParams.get('repo'),
      body['did'],
      url.searchParams.get('did'),
      body['identifier'],
      body['handle'],
    ];
    for (const c of candidates) {
      if (typeof c !== 'string' || c === '') continue;
      if (c.startsWith('did:')) return c;
      const did = this.handleToDid.get(c.toLowerCase());
      if (did) return did;
    }
    return null;
  }

  private learnIdentity(ex: Exchange, up: http.IncomingMessage, body: Buffer): void {
    const json = parseMaybeEncoded(up, body);
    if (!isObject(json)) return;
    const did = json['did'];
    const handle = json['handle'];
    if (typeof did !== 'string') return;
    if (typeof handle === 'string') this.handleToDid.set(handle.toLowerCase(), did);
    ex.did ??= did;
  }
}

// ------------------------------------------------------------------ helpers

function validateFault(spec: unknown): string | null {
  if (!isObject(spec)) return 'fault must be a JSON object';
  if (typeof spec['method'] !== 'string' || spec['method'] === '') return 'fault.method must be an NSID or "*"';
  const modes: FaultMode[] = ['before', 'after', 'hold'];
  if (!modes.includes(spec['mode'] as FaultMode)) return 'fault.mode must be before, after or hold';
  for (const key of ['count', 'status', 'delayMs'] as const) {
    const v = spec[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
      return `fault.${key} must be a non-negative integer`;
    }
  }
  if (spec['count'] === 0) return 'fault.count must be at least 1';
  const status = spec['status'];
  if (typeof status === 'number' && status !== 0 && (status < 100 || status > 599)) {
    return 'fault.status must be 0 or 100..599';
  }
  if (spec['headers'] !== undefined && !isObject(spec['headers'])) return 'fault.headers must be an object';
  if (spec['did'] !== undefined && typeof spec['did'] !== 'string') return 'fault.did must be a string';
  return null;
}

function snapshotFault(f: InternalFault): ActiveFault {
  return { id: f.id, method: f.method, mode: f.mode, spec: structuredClone(f.spec), remaining: f.remaining, fired: f.fired, held: f.held };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jwtSubject(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const m = /^(?:Bearer|DPoP)\s+([^.\s]+)\.([^.\s]+)\.[^.\s]*$/i.exec(authorization);
  if (!m?.[2]) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(m[2], 'base64url').toString('utf8'));
    if (isObject(payload) && typeof payload['sub'] === 'string' && payload['sub'].startsWith('did:')) {
      return payload['sub'];
    }
  } catch {
    // not a JWT we can read
  }
  return null;
}

function parseJsonBody(req: http.IncomingMessage, body: Buffer): unknown {
  if (body.length === 0) return undefined;
  if (!/\bjson\b/i.test(req.headers['content-type'] ?? '')) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function parseMaybeEncoded(res: http.IncomingMessage, body: Buffer): unknown {
  try {
    const enc = String(res.headers['content-encoding'] ?? 'identity').toLowerCase();
    const plain =
      enc === 'gzip' || enc === 'x-gzip'
        ? zlib.gunzipSync(body)
        : enc === 'deflate'
          ? zlib.inflateSync(body)
          : enc === 'br'
            ? zlib.brotliDecompressSync(body)
            : body;
    return JSON.parse(plain.toString('utf8'));
  } catch {
    return undefined;
  }
}

function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
    stream.on('aborted', () => reject(new Error('stream aborted')));
  });
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

function responseHeaders(up: http.IncomingMessage): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(up.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function pipeResponse(up: http.IncomingMessage, res: http.ServerResponse): void {
  if (res.destroyed) {
    up.resume();
    return;
  }
  res.writeHead(up.statusCode ?? 502, up.statusMessage, responseHeaders(up));
  up.pipe(res);
  up.on('error', () => res.destroy());
  res.on('close', () => {
    if (!up.complete) up.resume();
  });
}

function sendBuffered(res: http.ServerResponse, up: http.IncomingMessage, body: Buffer): void {
  if (res.destroyed) return;
  const headers = responseHeaders(up);
  headers['content-length'] = String(body.length);
  res.writeHead(up.statusCode ?? 502, up.statusMessage, headers);
  res.end(body);
}

function sendInjected(res: http.ServerResponse, spec: FaultSpec, status: number): void {
  if (res.destroyed) return;
  if (status === 0) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { ...(spec.headers ?? {}) };
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  let payload: Buffer;
  if (spec.body === null) {
    payload = Buffer.alloc(0);
  } else if (typeof spec.body === 'string') {
    payload = Buffer.from(spec.body);
    if (!hasType) headers['content-type'] = 'text/plain; charset=utf-8';
  } else {
    const value =
      spec.body !== undefined
        ? spec.body
        : {
            error: status === 429 ? 'RateLimitExceeded' : status >= 500 ? 'InternalServerError' : 'InjectedFault',
            message: `fault injected by the Threadcast test harness (${spec.mode})`,
          };
    payload = Buffer.from(JSON.stringify(value));
    if (!hasType) headers['content-type'] = 'application/json; charset=utf-8';
  }
  headers['content-length'] = String(payload.length);
  res.writeHead(status, headers);
  res.end(payload);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  if (res.destroyed) return;
  const payload = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(payload.length) });
  res.end(payload);
}
