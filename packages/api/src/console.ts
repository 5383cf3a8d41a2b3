/**
 * Serves the web console (the static bundle of @shoal/ui) at /ui on the API
 * listener. The files hold no cluster data, so they are served without the
 * bearer token; every call the console makes to /v1 still needs it. A strict
 * content security policy keeps the console's token away from any script or
 * server but this one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Path prefix of the console; auth.ts lets it through without a token. */
export const CONSOLE_PREFIX = '/ui';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export interface ConsoleOptions {
  /** Directory holding the built console (index.html and assets/). */
  root: string;
}

export function registerConsole(app: FastifyInstance, opts: ConsoleOptions): void {
  const built = existsSync(join(opts.root, 'index.html'));
  void app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      void reply.header('content-security-policy', CSP);
      void reply.header('x-content-type-options', 'nosniff');
      void reply.header('referrer-policy', 'no-referrer');
      return payload;
    });
    scope.get(CONSOLE_PREFIX, { schema: { hide: true } }, async (_request, reply) => reply.redirect(`${CONSOLE_PREFIX}/`));
    if (!built) {
      scope.get(`${CONSOLE_PREFIX}/*`, { schema: { hide: true } }, async (_request, reply) =>
        reply.status(503).type('text/plain').send('the web console is not built on this node: run `npm run build` in the shoal checkout, then restart the agent\n'),
      );
      return;
    }
    await scope.register(fastifyStatic, { root: opts.root, prefix: `${CONSOLE_PREFIX}/`, index: ['index.html'], wildcard: true, schemaHide: true });
  });
}
