import type { FastifyInstance } from 'fastify';
import type { ApiToken } from './api-token.js';
import { checkBearer, checkSameOrigin } from './request-guard.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without the editor token: the page's static files and the operators' health and metrics. */
    public?: boolean;
    /** Takes a multipart/form-data file upload besides JSON. */
    upload?: boolean;
  }
}

/** Route options for the few routes anyone may call. Everything else needs the editor token. */
export const PUBLIC_ROUTE = { config: { public: true } } as const;

/**
 * Deny by default, decided on the route the router matched — never on the request's URL text. The router
 * decodes and cleans paths (`/%61pi/…` is `/api/…` to it), so a guard that compared strings would guard a
 * different path from the one that runs. A route counts as public only when it says so; an unmatched path
 * (the 404 handler) is guarded too, so an outsider cannot even learn which API routes exist.
 */
export function guardEveryRoute(app: FastifyInstance, token: ApiToken): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.public === true) return;
    reply.header('cache-control', 'no-store');
    const auth = checkBearer(request.headers.authorization, token);
    if (!auth.ok) return reply.code(auth.status).send({ error: auth.error });
    const origin = checkSameOrigin(request.headers as Record<string, string | undefined>, request.method, request.routeOptions.config?.upload === true);
    if (!origin.ok) return reply.code(origin.status).send({ error: origin.error });
  });
}
