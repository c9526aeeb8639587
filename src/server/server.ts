import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { describeError } from '../core/errors.js';
import type { EditorQueue } from '../outbox/editor-queue.js';
import type { Store } from '../store/store.js';
import { API_TOKEN_ENV, MIN_TOKEN_LENGTH } from './request-guard.js';
import type { WebApp } from './web-app.js';

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

/**
 * Starts listening on server.host:server.port; rejects (e.g. port in use) so `run` can say so and stop.
 *
 * The routes (fastify, the editor API, the metrics registry) load with the first request, not here: a service
 * nobody visits stays about 5 MiB smaller (bench/idle.ts). Listening and the token check happen at once, so a
 * port in use or a missing token is still said at start.
 */
export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const token = apiToken(deps.env ?? process.env, deps.log);
  const server = createServer();
  // What fastify sets on a server it creates itself.
  server.keepAliveTimeout = 72_000;
  server.requestTimeout = 0;
  let startedAt = Date.now();
  let webApp: Promise<WebApp> | undefined;
  const loadWebApp = (): Promise<WebApp> => {
    webApp ??= import('./web-app.js').then(({ buildWebApp }) => buildWebApp(deps, token, server, startedAt));
    // A failed load is tried again by the next request rather than remembered.
    webApp.catch(() => (webApp = undefined));
    return webApp;
  };
  server.on('request', (request, response) => {
    loadWebApp().then(
      ({ handle }) => handle(request, response),
      (err: unknown) => {
        deps.log.error({ err: describeError(err) }, 'the web page could not be loaded');
        response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end('{"error":"internal error (see the log)"}');
      },
    );
  });
  const { host: bind, port: wanted } = deps.config().server;
  await listen(server, bind, wanted);
  startedAt = Date.now();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : wanted;
  const host = bind.includes(':') ? `[${bind}]` : bind;
  return {
    url: `http://${host}:${port}/`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const loaded = await webApp?.catch(() => undefined);
      await loaded?.app.close();
      await closed;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function apiToken(env: NodeJS.ProcessEnv, log: Logger): string | undefined {
  const token = env[API_TOKEN_ENV]?.trim();
  if (!token) {
    log.warn(`editor API off: set ${API_TOKEN_ENV} to use the web page`);
    return undefined;
  }
  if (token.length < MIN_TOKEN_LENGTH) {
    log.warn(`editor API off: ${API_TOKEN_ENV} is shorter than ${MIN_TOKEN_LENGTH} characters`);
    return undefined;
  }
  return token;
}
