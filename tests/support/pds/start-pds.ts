/**
 * A real Bluesky PDS (`@atproto/pds`) with an in-memory PLC directory (`@did-plc/server`) for tests,
 * listening on 127.0.0.1 only, behind the request-accounting/fault-injection harness (harness.ts).
 *
 *   const pds = await startPds();
 *   const alice = await pds.createAccount('alice');   // { did, handle, password, appPassword }
 *   // … talk to pds.url (XRPC and /_harness/*) …
 *   await pds.stop();
 *
 * Three listeners, all on 127.0.0.1 and free ports: the harness (pds.url, the only one tests use),
 * the PDS app behind it, and the PLC. `pds.start()` is not used because it listens on every interface;
 * this does what it does (start the sequencer, listen) on 127.0.0.1. The PDS's public URL (the
 * endpoint in every account's DID document, which `AtpAgent` switches to after login) is the harness
 * URL, so clients cannot bypass the harness.
 */
// Node 20 lacks the iterator helpers (Iterator.prototype.map/filter/…) the PDS uses. Must load first.
import 'core-js/actual/iterator/index.js';
import { createECDH, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { PDS as PdsType } from '@atproto/pds';
import { PdsClient, type TestAccount } from './client.js';
import { HarnessProxy, type Upstream } from './harness.js';

export type { TestAccount } from './client.js';

const HOST = '127.0.0.1';

export interface StartPdsOptions {
  /**
   * Boot the PDS on the first request to the harness instead of now (the harness URL is known at
   * once either way). Saves the ~3–5 s boot for runs that never use it. Default false.
   */
  lazy?: boolean;
  /** Port for the harness (the URL tests use). Default 0: a free port. */
  port?: number;
}

export interface PdsHandle {
  /** Base URL for XRPC and `/_harness/*`, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** HTTP helpers bound to `url` (same as `pdsClient(url)` in a worker). */
  readonly client: PdsClient;
  /** The in-process harness (counts, recorded requests, faults) for same-process callers. */
  readonly harness: HarnessProxy;
  /** Creates `<prefix>-<random>.test` via XRPC createAccount, plus an app password. */
  createAccount(handlePrefix?: string): Promise<TestAccount>;
  /** Waits until the PDS is up (boots it now when `lazy`). */
  ready(): Promise<void>;
  /** Boot time of the PDS + PLC in ms (module loading included), once booted. */
  readonly bootMs: number | undefined;
  /** Closes every listener and the PDS, removes the temp directory. Idempotent. */
  stop(): Promise<void>;
}

interface Booted {
  pds: PdsType;
  pdsServer: http.Server;
  plcServer: http.Server;
  closePlcDb: () => Promise<void>;
  upstream: Upstream;
  bootMs: number;
}

export async function startPds(opts: StartPdsOptions = {}): Promise<PdsHandle> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'threadcast-pds-'));
  // If the process dies without stop(), still remove the data directory.
  const removeOnExit = () => rmSync(dataDir, { recursive: true, force: true });
  process.once('exit', removeOnExit);
  let booting: Promise<Booted> | undefined;
  let booted: Booted | undefined;
  let stopped = false;

  const boot = (): Promise<Booted> => {
    if (stopped) return Promise.reject(new Error('test PDS has been stopped'));
    booting ??= bootPds(harness.port, dataDir).then((b) => {
      booted = b;
      return b;
    });
    return booting;
  };

  const harness = await HarnessProxy.listen({
    host: HOST,
    port: opts.port ?? 0,
    upstream: () => boot().then((b) => b.upstream),
    info: () => ({
      booted: booted !== undefined,
      bootMs: booted?.bootMs ?? null,
      // Where the PDS app and the PLC listen behind the harness (for tests of the bound address).
      pdsAddress: booted ? addressOf(booted.pdsServer) : null,
      plcAddress: booted ? addressOf(booted.plcServer) : null,
    }),
  });
  const url = `http://${HOST}:${harness.port}`;
  const client = new PdsClient(url);

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await harness.close();
    const b = booting ? await booting.catch(() => undefined) : undefined;
    if (b) {
      await closeServer(b.pdsServer);
      await b.pds.destroy().catch(() => undefined);
      await closeServer(b.plcServer);
      await b.closePlcDb().catch(() => undefined);
    }
    await rm(dataDir, { recursive: true, force: true });
    process.off('exit', removeOnExit);
  };

  if (!opts.lazy) {
    try {
      await boot();
    } catch (err) {
      await stop();
      throw err;
    }
  }

  return {
    url,
    client,
    harness,
    createAccount: (handlePrefix?: string) => client.createAccount(handlePrefix),
    ready: async () => {
      await boot();
    },
    get bootMs() {
      return booted?.bootMs;
    },
    stop,
  };
}

async function bootPds(publicPort: number, dataDir: string): Promise<Booted> {
  const t0 = performance.now();
  const [{ PDS, envToCfg, envToSecrets }, plcLib] = await Promise.all([
    import('@atproto/pds'),
    import('@did-plc/server'),
  ]);
  if (process.env['THREADCAST_PDS_DEBUG']) console.error(`[pds] modules loaded in ${Math.round(performance.now() - t0)} ms`);

  const plc = plcLib.PlcServer.create({ db: plcLib.Database.mock() });
  const plcServer = await listenApp(plc.app as unknown as ListenableApp);
  // The PDS's DID resolver refuses IP-literal hosts (safeFetchWrap({ allowIpHost: false }), whatever
  // disableSsrfProtection says), so the PLC URL has to use a name.
  const plcUrl = `http://localhost:${(plcServer.address() as AddressInfo).port}`;

  const env = {
    devMode: true,
    hostname: 'localhost',
    // The public URL and OAuth issuer come from this port: the harness's, not the PDS app's own.
    port: publicPort,
    version: '0.0.0-threadcast-test',
    dataDirectory: dataDir,
    blobstoreDiskLocation: path.join(dataDir, 'blobs'),
    blobstoreDiskTmpLocation: path.join(dataDir, 'blobs-tmp'),
    didPlcUrl: plcUrl,
    plcRotationKeyK256PrivateKeyHex: secp256k1PrivateKeyHex(),
    jwtSecret: randomBytes(32).toString('hex'),
    adminPassword: randomBytes(16).toString('hex'),
    serviceHandleDomains: ['.test'],
    inviteRequired: false,
    // As on bsky.social: sessions carry the DID document, and AtpAgent then talks to its endpoint.
    enableDidDocWithSession: true,
    disableSsrfProtection: true,
    rateLimitsEnabled: false,
    // No AppView or moderation service: dead addresses on loopback that refuse at once
    // (so app.bsky.* reads the PDS proxies answer 502 quickly, and nothing leaves the machine).
    bskyAppViewUrl: 'http://127.0.0.1:1',
    bskyAppViewDid: 'did:example:appview',
    bskyAppViewCdnUrlPattern: 'http://127.0.0.1:1/img/%s/plain/%s/%s@jpeg',
    modServiceUrl: 'http://127.0.0.1:1',
    modServiceDid: 'did:example:moderation',
    crawlers: [],
  };
  const cfg = envToCfg(env);
  // `http://localhost:PORT` by default; use the address we actually listen on so no client has to
  // resolve "localhost" (which may prefer ::1, where nothing listens).
  const publicUrl = `http://${HOST}:${publicPort}`;
  (cfg.service as { publicUrl: string }).publicUrl = publicUrl;
  if (cfg.oauth) (cfg.oauth as { issuer: string }).issuer = publicUrl;

  let pds: PdsType | undefined;
  try {
    pds = await PDS.create(cfg, envToSecrets(env));
    // What pds.start() does, minus listening on every interface.
    await pds.ctx.sequencer.start();
    // Through app.listen(), not http.createServer(app): @atproto/xrpc-server patches the app's
    // listen() to attach the WebSocket upgrade handler (com.atproto.sync.subscribeRepos).
    const pdsServer = await listenApp(pds.app as unknown as ListenableApp);
    pdsServer.keepAliveTimeout = 90_000;
    return {
      pds,
      pdsServer,
      plcServer,
      closePlcDb: () => plc.ctx.db.close(),
      upstream: { host: HOST, port: (pdsServer.address() as AddressInfo).port },
      bootMs: Math.round(performance.now() - t0),
    };
  } catch (err) {
    await pds?.destroy().catch(() => undefined);
    await closeServer(plcServer);
    throw err;
  }
}

/** A secp256k1 private key as 64 hex digits (what PLC rotation keys are). */
function secp256k1PrivateKeyHex(): string {
  const ecdh = createECDH('secp256k1');
  ecdh.generateKeys();
  return ecdh.getPrivateKey('hex').padStart(64, '0');
}

interface ListenableApp {
  listen(port: number, host: string): http.Server;
}

/** `app.listen(0, '127.0.0.1')`: a free port on loopback only. */
async function listenApp(app: ListenableApp): Promise<http.Server> {
  const server = app.listen(0, HOST);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

function addressOf(server: http.Server): { address: string; port: number } | null {
  const a = server.address();
  return a && typeof a !== 'string' ? { address: a.address, port: a.port } : null;
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
