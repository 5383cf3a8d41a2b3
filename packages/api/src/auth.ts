/**
 * Bearer-token check. Both sides are hashed first so the comparison is
 * constant-time whatever the lengths (timingSafeEqual needs equal lengths).
 * It runs in onRequest, before the body is even read: a refused request
 * changes nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, ShoalError } from '@shoal/types';
import { errorBody } from './http-errors.js';
import { CONSOLE_PREFIX } from './console.js';

/** Routes that answer without a token (load balancers and probes). */
const OPEN_PATHS = new Set(['/healthz']);

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

export function bearerAuth(token: string) {
  if (token.length < 16) throw new ShoalError(ErrorCode.BadConfig, 'the admin API token must be at least 16 characters');
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const path = request.url.split('?', 1)[0];
    if (OPEN_PATHS.has(path) || isConsoleFile(path)) return;
    const header = request.headers.authorization;
    const presented = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    if (tokenMatches(token, presented)) return;
    const err = new ShoalError(
      ErrorCode.Unauthorized,
      presented === undefined
        ? 'missing API token: set SHOAL_TOKEN, or pass --token-file or --data-dir (the token is <data-dir>/api.token)'
        : 'wrong API token: use the one in <data-dir>/api.token of the node you talk to',
    );
    await reply.status(401).header('www-authenticate', 'Bearer').send(errorBody(err));
  };
}
