import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { EditorQueue } from '../outbox/editor-queue.js';
import type { Store } from '../store/store.js';
import { registerEditorApi } from './editor-api.js';
import { registerOpsRoutes } from './ops-routes.js';
import { API_TOKEN_ENV, chooseApiToken, MIN_TOKEN_LENGTH, signInUrl, type ApiToken } from './api-token.js';
import { guardEveryRoute, PUBLIC_ROUTE } from './route-guard.js';

/** What the server serves from. Getters: a config reload (SIGHUP) swaps them while the server keeps listening. */
export interface ServerDeps {
  config: () => Config;
  store: () => Store;
  queue: () => EditorQueue;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Extra facts for /healthz (e.g. leadership). */
  describe?: () => Record<string, unknown>;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8787/ (the real port when the config said 0). */
  url: string;
  close(): Promise<void>;
}

// The page ships as plain files beside the sources; the path works from src/ (tsx) and from dist/ alike,
// since both sit one level below the package root.
const PAGE_DIR = new URL('../../src/server/page/', import.meta.url);
const ASSET_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** The page and its ES modules and styles, one route each, listed once at start: no path from a request reaches the disk. */
function pageAssets(): Record<string, { file: string; type: string }> {
  const assets: Record<string, { file: string; type: string }> = { '/': { file: 'index.html', type: 'text/html; charset=utf-8' } };
  for (const file of readdirSync(PAGE_DIR)) {
    const type = ASSET_TYPES[file.slice(file.lastIndexOf('.'))];
    if (type) assets[`/assets/${file}`] = { file, type };
  }
  return assets;
}

// Scripts and styles only from this origin; images from here, data: (card thumbs) or blob: (thumbnails the page
// fetched with its token); no framing.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function buildServer(deps: ServerDeps, token: ApiToken = apiToken(deps)): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
  guardEveryRoute(app, token);

  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
  });

  for (const [route, asset] of Object.entries(pageAssets())) {
    app.get(route, PUBLIC_ROUTE, async (_request, reply) => reply.type(asset.type).send(await readFile(new URL(asset.file, PAGE_DIR))));
  }
  registerOpsRoutes(app, { config: deps.config, store: deps.store, ...(deps.describe ? { describe: deps.describe } : {}) });
  registerEditorApi(app, { config: deps.config, store: deps.store, queue: deps.queue });

  app.setErrorHandler((err: { statusCode?: number; message: string }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) deps.log.error({ route: request.routeOptions.url, err: err.message }, 'request failed');
    return reply.code(status).send({ error: status === 500 ? 'internal error (see the log)' : err.message });
  });
  return app;
}

/** Starts listening on server.host:server.port; rejects (e.g. port in use) so `run` can say so and stop. */
export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const token = apiToken(deps);
  const app = buildServer(deps, token);
  const { host: bind, port: wanted } = deps.config().server;
  await app.listen({ host: bind, port: wanted });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : wanted;
  const host = bind.includes(':') ? `[${bind}]` : bind;
  const url = `http://${host}:${port}/`;
  // The one token ever logged: made up for this start, valid only on this loopback address, and needed by the
  // person at the terminal to open the page. A configured token is never logged.
  if (token.kind === 'generated') {
    deps.log.warn({ url }, `editor page: sign in at ${signInUrl(url, token.token)} (a one-time token for this start, made because ${API_TOKEN_ENV} is not set and the server listens on loopback only)`);
  }
  return { url, close: () => app.close() };
}

function apiToken(deps: ServerDeps): ApiToken {
  const token = chooseApiToken(deps.env ?? process.env, deps.config().server.host);
  if (token.kind === 'off') deps.log.warn(`editor API off: ${token.detail}; set ${API_TOKEN_ENV} (${MIN_TOKEN_LENGTH} or more random characters) to use the web page`);
  return token;
}
