import { ErrorCode, ShoalError } from '@shoal/types';
import type { Backend } from '../backend.js';

const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,127}$/;
import { NodeParams, AvailabilityBody, NodeLabelsBody, RemoveNodeQuery } from '../schemas.js';
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
    async (request) => {
      const { availability, deadlineMs } = request.body;
      if (deadlineMs !== undefined && availability !== 'drain') throw new ShoalError(ErrorCode.InvalidSpec, 'a deadline applies only to drain');
      return backend.setNodeAvailability(request.params.id, availability, deadlineMs !== undefined ? { deadlineMs } : {});
    },
  );

  api.post(
    '/v1/nodes/:id/labels',
    { schema: { tags, summary: 'Add and remove node labels at runtime (kept across agent restarts)', params: NodeParams, body: NodeLabelsBody } },
    async (request) => {
      const add = request.body.add ?? {};
      const remove = request.body.remove ?? [];
      // The schema's key pattern cannot refuse a record key on its own (ajv drops it), so refuse here.
      const bad = [...Object.keys(add), ...remove].find((k) => !LABEL_KEY.test(k));
      if (bad !== undefined) throw new ShoalError(ErrorCode.InvalidSpec, `label key ${JSON.stringify(bad)} is not valid: letters, digits, _ . - / (up to 128, starting with a letter or digit)`);
      return backend.updateNodeLabels(request.params.id, { add, remove });
    },
  );
}
