import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { describeError } from '../core/errors.js';
import type { EditorQueue } from '../outbox/editor-queue.js';
import type { Store } from '../store/store.js';
import { API_TOKEN_ENV, chooseApiToken, MIN_TOKEN_LENGTH, signInUrl, type ApiToken } from './api-token.js';
import { checkHost } from './host-guard.js';
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
  /** The page's address with the one-time token made up for this start; unset when the token is configured or off. */
  signInUrl?: string;
  close(): Promise<void>;
}

/**
 * How long a client may take to send a whole request, headers and body (at most the API's 256 KiB). Fastify's own
 * setting is 0, no limit: then a client that sends headers announcing a body and never sends it holds its
 * connection, and so a file descriptor, for ever; enough of them and feed files, sockets and the store fail.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Starts listening on server.host:server.port; rejects (e.g. port in use) so `run` can say so and stop.
 *
 * The routes (fastify, the editor API, the metrics registry) load with the first request, not here: a service
 * nobody visits stays about 5 MiB smaller (bench/idle.ts). Listening and the token check happen at once, so a
 * port in use or a missing token is still said at start.
 */
export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const token = apiToken(deps);
  // Checked every 2 s rather than Node's 30: a request held open past its timeout is closed soon after.
  const server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 2_000 });
  // What fastify sets on a server it creates itself.
  server.keepAliveTimeout = 72_000;
  let startedAt = Date.now();
  let webApp: Promise<WebApp> | undefined;
  const loadWebApp = (): Promise<WebApp> => {
    webApp ??= import('./web-app.js').then(({ buildWebApp }) => buildWebApp(deps, token, server, startedAt));
    // A failed load is tried again by the next request rather than remembered.
    webApp.catch(() => (webApp = undefined));
    return webApp;
  };
  server.on('request', (request, response) => {
    // Before the routes load: a rebinding page learns nothing, not even that fastify is here (host-guard.ts).
    const host = checkHost(request.headers.host, deps.config().server);
    if (!host.ok) {
      response.writeHead(host.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify({ error: host.error }));
      return;
    }
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
  const url = `http://${host}:${port}/`;
  // The one token ever logged: made up for this start, valid only on this loopback address, and needed by the
  // person at the terminal to open the page. A configured token is never logged.
  const signIn = token.kind === 'generated' ? signInUrl(url, token.token) : undefined;
  if (signIn !== undefined) {
    deps.log.warn({ url }, `editor page: sign in at ${signIn} (a one-time token for this start, made because ${API_TOKEN_ENV} is not set and the server listens on loopback only)`);
  }
  return {
    url,
    ...(signIn !== undefined ? { signInUrl: signIn } : {}),
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

function apiToken(deps: ServerDeps): ApiToken {
  const token = chooseApiToken(deps.env ?? process.env, deps.config().server.host);
  if (token.kind === 'off') deps.log.warn(`editor API off: ${token.detail}; set ${API_TOKEN_ENV} (${MIN_TOKEN_LENGTH} or more random characters) to use the web page`);
  return token;
}
