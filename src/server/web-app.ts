import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerDeps } from './server.js';
import { registerEditorApi } from './editor-api.js';
import { registerOpsRoutes } from './ops-routes.js';
import type { ApiToken } from './api-token.js';
import { guardEveryRoute, PUBLIC_ROUTE } from './route-guard.js';

// The page ships as plain files beside the sources; the path works from src/ (tsx) and from dist/ alike,
// since both sit one level below the package root.
const PAGE_DIR = new URL('../../src/server/page/', import.meta.url);
const ASSET_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** The page and its ES modules and styles, one route each, listed once: no path from a request reaches the disk. */
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

export interface WebApp {
  app: FastifyInstance;
  /** Answers one request on `server` through the app's routes, hooks and error handler. */
  handle(request: IncomingMessage, response: ServerResponse): void;
}

/**
 * The page, the editor API and the ops routes as one fastify app, served on `server` (already listening):
 * `token` is the editor token (configured, made up for this start, or off); `startedAt` is when `server` began listening.
 */
export async function buildWebApp(deps: ServerDeps, token: ApiToken, server: Server, startedAt: number): Promise<WebApp> {
  let handle: WebApp['handle'] | undefined;
  const app = Fastify({
    logger: false,
    bodyLimit: 256 * 1024,
    serverFactory: (handler) => {
      handle = handler;
      return server;
    },
  });
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
  registerOpsRoutes(app, { config: deps.config, store: deps.store, startedAt, ...(deps.describe ? { describe: deps.describe } : {}) });
  registerEditorApi(app, { config: deps.config, store: deps.store, queue: deps.queue });

  app.setErrorHandler((err: { statusCode?: number; message: string }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) deps.log.error({ route: request.routeOptions.url, err: err.message }, 'request failed');
    return reply.code(status).send({ error: status === 500 ? 'internal error (see the log)' : err.message });
  });
  await app.ready();
  if (!handle) throw new Error('fastify did not hand over its request handler');
  return { app, handle };
}
