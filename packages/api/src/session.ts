/**
 * `GET /v1/session`: who the presented token is and what it may do, so a
 * client (the web console) can show only the actions its role allows. Any
 * valid token may ask. Where the API knows no roles (one token per node),
 * the caller is that node's token, with full rights.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Api } from './routes/app.js';

/** Least to most power: read-only reads; operator also changes services; admin also nodes, cluster and tokens. */
export type SessionRole = 'read-only' | 'operator' | 'admin';

export interface ApiSession {
  /** Token name ("node" for the node's own token). */
  name: string;
  role: SessionRole;
}

const SessionSchema = Type.Object({
  name: Type.String(),
  role: Type.Union([Type.Literal('read-only'), Type.Literal('operator'), Type.Literal('admin')]),
});

/** The caller the auth hook resolved, where the API has token roles. */
function callerOf(request: FastifyRequest): ApiSession | undefined {
  const caller = (request as { caller?: { name?: unknown; role?: unknown } }).caller;
  if (caller && typeof caller.name === 'string' && (caller.role === 'read-only' || caller.role === 'operator' || caller.role === 'admin')) {
    return { name: caller.name, role: caller.role };
  }
  return undefined;
}

export function sessionRoutes(api: Api): void {
  api.get('/v1/session', { schema: { tags: ['system'], summary: 'The token presented: its name and role', response: { 200: SessionSchema } } }, async (request): Promise<ApiSession> =>
    callerOf(request) ?? { name: 'node', role: 'admin' },
  );
}
