/**
 * Serves the web console (the static bundle of @shoal/ui) at /ui on the API
 * listener. The bundle is small and fixed once built, so it is read into
 * memory at start and served from a map of its own file names: nothing
 * outside it can be asked for, whatever the path says. The files hold no
 * cluster data, so they are served without the bearer token; every call the
 * console makes to /v1 still needs it. A strict content security policy
 * keeps the console's token away from any script or server but this one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

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

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Largest bundle read into memory; a console is ~150 KB. */
const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;

interface ConsoleFile {
  type: string;
  body: Buffer;
  /** Vite's hashed asset names never change content: cache them for good. */
  immutable: boolean;
}

export interface ConsoleOptions {
  /** Directory holding the built console (index.html and assets/). */
  root: string;
}

/** Every file under root by its URL path ("index.html", "assets/index-abc.js"). */
export function readConsoleBundle(root: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  let total = 0;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) {
        total += st.size;
        if (total > MAX_BUNDLE_BYTES) throw new Error(`the web console in ${root} is larger than ${MAX_BUNDLE_BYTES} bytes`);
        const rel = relative(root, path).split(sep).join('/');
        files.set(rel, { type: TYPES[extname(name)] ?? 'application/octet-stream', body: readFileSync(path), immutable: rel.startsWith('assets/') });
      }
    }
  };
  walk(root);
  return files;
}

export function registerConsole(app: FastifyInstance, opts: ConsoleOptions): void {
  const files = existsSync(join(opts.root, 'index.html')) ? readConsoleBundle(opts.root) : null;
  void app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      void reply.header('content-security-policy', CSP);
      void reply.header('x-content-type-options', 'nosniff');
      void reply.header('referrer-policy', 'no-referrer');
      return payload;
    });
    scope.get(CONSOLE_PREFIX, { schema: { hide: true } }, async (_request, reply) => reply.redirect(`${CONSOLE_PREFIX}/`));
    scope.get(`${CONSOLE_PREFIX}/*`, { schema: { hide: true } }, async (request, reply) => {
      if (!files) {
        return reply.status(503).type('text/plain; charset=utf-8').send('the web console is not built on this node: run `npm run build` in the shoal checkout, then restart the agent\n');
      }
      const wanted = (request.params as { '*': string })['*'] || 'index.html';
      const file = files.get(wanted);
      if (!file) return notFound(reply, wanted);
      return reply
        .type(file.type)
        .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(file.body);
    });
  });
}

function notFound(reply: FastifyReply, path: string): FastifyReply {
  return reply.status(404).send({ error: { code: 'NOT_FOUND', message: `the web console has no file ${path}` } });
}
