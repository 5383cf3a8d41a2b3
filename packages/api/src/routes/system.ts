import type { Backend } from '../backend.js';
import type { Api } from './app.js';

export function systemRoutes(api: Api, backend: Backend): void {
  api.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    const { contentType, body } = await backend.metrics();
    return reply.type(contentType).send(body);
  });

  api.get('/healthz', { schema: { tags: ['system'], summary: 'Liveness; 200 when ok, 503 otherwise; no token needed', security: [] } }, async (_request, reply) => {
    const health = await backend.health();
    return reply.status(health.ok ? 200 : 503).send(health);
  });
}
