import type { Backend } from '../backend.js';
import { NodeParams, AvailabilityBody, RemoveNodeQuery } from '../schemas.js';
import type { Api } from './app.js';

const tags = ['nodes'];

export function nodeRoutes(api: Api, backend: Backend): void {
  api.get('/v1/nodes', { schema: { tags, summary: 'List nodes' } }, async () => backend.listNodes());

  api.get('/v1/nodes/:id', { schema: { tags, summary: 'Inspect a node', params: NodeParams } }, async (request) => backend.getNode(request.params.id));

  api.delete('/v1/nodes/:id', { schema: { tags, summary: 'Remove a node from the cluster', params: NodeParams, querystring: RemoveNodeQuery } }, async (request, reply) => {
    await backend.removeNode(request.params.id, { force: request.query.force ?? false });
    return reply.status(204).send();
  });

  api.post(
    '/v1/nodes/:id/availability',
    { schema: { tags, summary: 'Set availability: active, pause (no new tasks) or drain (move tasks away)', params: NodeParams, body: AvailabilityBody } },
    async (request) => backend.setNodeAvailability(request.params.id, request.body.availability),
  );
}
