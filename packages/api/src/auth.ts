/**
 * Who is calling, and may they? A bearer token is resolved to a caller
 * (name + role) before the body is even read, so a refused request changes
 * nothing. The node's own token (its data dir's api.token) is an admin; the
 * daemon adds cluster tokens through `authenticate`. Each route needs a
 * role (see requiredRole); the caller is kept for the request's duration in
 * an AsyncLocalStorage so the daemon can forward the credential to the
 * leader, which checks it again against the replicated state.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, ShoalError, roleAllows, type ApiRole } from '@shoal/types';
import { errorBody } from './http-errors.js';
import { CONSOLE_PREFIX } from './console.js';

export interface Caller {
  /** Token name, for the audit log ("node" for the node's own token). */
  name: string;
  role: ApiRole;
  /** The presented bearer token, forwarded to the leader with writes. */
  token: string;
}

/** Resolves a presented token to its caller, or null when no token matches. */
export type Authenticate = (presented: string) => Caller | null;

/** Routes that answer without a token (load balancers and probes); they show more to a caller with one. */
const OPEN_PATHS = new Set(['/healthz']);

const callerStore = new AsyncLocalStorage<Caller>();

/** The caller of the request being handled, if any (undefined outside a request or on open routes). */
export function currentCaller(): Caller | undefined {
  return callerStore.getStore();
}

/** Runs `fn` as `caller` (the route wrapper does this for every handler). */
export function runAsCaller<T>(caller: Caller | undefined, fn: () => T): T {
  return caller ? callerStore.run(caller, fn) : fn();
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(expected), digest(presented));
}

/** The console's static files carry no cluster data; its API calls are checked like any other. */
function isConsoleFile(path: string): boolean {
  return path === CONSOLE_PREFIX || path.startsWith(`${CONSOLE_PREFIX}/`);
}

/** The node's own token as an admin caller (named `name` in the audit trail), then whatever `more` knows. */
export function nodeTokenAuth(token: string, more?: Authenticate, name = 'node'): Authenticate {
  if (token.length < 16) throw new ShoalError(ErrorCode.BadConfig, 'the admin API token must be at least 16 characters');
  return (presented) => (tokenMatches(token, presented) ? { name, role: 'admin', token: presented } : (more?.(presented) ?? null));
}

/** The role a request needs: reads are read-only, service changes operator, the rest admin. */
export function requiredRole(method: string, path: string): ApiRole {
  // The join token carries the cluster's PSK; token names and the audit trail are the admin's.
  if (path === '/v1/cluster/token' || path.startsWith('/v1/tokens') || path.startsWith('/v1/audit')) return 'admin';
  if (method === 'GET' || method === 'HEAD') return 'read-only';
  if (path.startsWith('/v1/services')) return 'operator';
  return 'admin';
}

function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

async function refuse(reply: FastifyReply, status: 401 | 403, err: ShoalError): Promise<void> {
  // Close after answering: a client trickling a body must not keep the connection once refused.
  await reply.status(status).header('connection', 'close').header('www-authenticate', 'Bearer').send(errorBody(err));
}

export function bearerAuth(authenticate: Authenticate) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const path = request.url.split('?', 1)[0];
    const presented = presentedToken(request);
    const caller = presented !== undefined && presented !== '' ? authenticate(presented) : null;
    if (caller) request.caller = caller;
    if (OPEN_PATHS.has(path) || isConsoleFile(path)) return;
    if (!caller) {
      const err = new ShoalError(
        ErrorCode.Unauthorized,
        presented === undefined
          ? 'missing API token: set SHOAL_TOKEN, or pass --token-file or --data-dir (the token is <data-dir>/api.token)'
          : 'wrong API token: use the one in <data-dir>/api.token of the node you talk to, or a token from `shoal token create`',
      );
      await refuse(reply, 401, err);
      return;
    }
    const needed = requiredRole(request.method, path);
    if (!roleAllows(caller.role, needed)) {
      await refuse(reply, 403, new ShoalError(ErrorCode.Forbidden, `token "${caller.name}" has role ${caller.role}; ${request.method} ${path} needs ${needed}: ask an admin for a token with that role (\`shoal token create --role ${needed}\`)`));
    }
  };
}
