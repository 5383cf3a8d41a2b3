import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../src/server.js';
import { MemoryBackend } from './memory-backend.js';

export const TOKEN = 'test-token-0123456789abcdef';
export const auth = { authorization: `Bearer ${TOKEN}` };

export function setup(backend = new MemoryBackend()): { backend: MemoryBackend; app: FastifyInstance } {
  return { backend, app: createApiServer({ backend, token: TOKEN }) };
}

/** Listen on an ephemeral loopback port; returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return `http://127.0.0.1:${addr.port}`;
}

