import type { Backend } from '../backend.js';
import type { Api } from './app.js';

export function systemRoutes(api: Api, backend: Backend): void {
  api.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    const { contentType, body } = await backend.metrics();
    return reply.type(contentType).send(body);
  });

  api.get('/healthz', { schema: { tags: ['system'], summary: 'Liveness; 200 when ok, 503 otherwise. Without a token only {ok}; with one, node, leader and quorum details', security: [] } }, async (request, reply) => {
    const health = await backend.health();
    // Without a token only the verdict: node id, leader and term help an attacker map the cluster.
    return reply.status(health.ok ? 200 : 503).send(request.caller ? health : { ok: health.ok });
  });
}
