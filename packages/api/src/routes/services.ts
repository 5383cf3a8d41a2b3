import type { Backend } from '../backend.js';
import { ServiceSpecSchema, NameParams, UpdateBody, ScaleBody, LogsQuery, RollbackQuery } from '../schemas.js';
import { streamResponse } from '../stream.js';
import type { Api } from './app.js';

const tags = ['services'];

export function serviceRoutes(api: Api, backend: Backend): void {
  api.get('/v1/services', { schema: { tags, summary: 'List services' } }, async () => backend.listServices());

  api.post('/v1/services', { schema: { tags, summary: 'Create a service', body: ServiceSpecSchema } }, async (request, reply) => {
    const service = await backend.createService(request.body);
    return reply.status(201).send(service);
  });

  api.get('/v1/services/:name', { schema: { tags, summary: 'Inspect a service', params: NameParams } }, async (request) => backend.getService(request.params.name));

  api.delete('/v1/services/:name', { schema: { tags, summary: 'Remove a service and its tasks', params: NameParams } }, async (request, reply) => {
    await backend.removeService(request.params.name);
    return reply.status(204).send();
  });

  api.post(
    '/v1/services/:name/update',
    { schema: { tags, summary: 'Replace the spec of a service (rolling update); dryRun returns the plan', params: NameParams, body: UpdateBody } },
    async (request) => backend.updateService(request.params.name, request.body.spec, { dryRun: request.body.dryRun ?? false }),
  );

  api.post('/v1/services/:name/scale', { schema: { tags, summary: 'Set the replica count', params: NameParams, body: ScaleBody } }, async (request) =>
    backend.scaleService(request.params.name, request.body.replicas),
  );

  api.post(
    '/v1/services/:name/rollback',
    { schema: { tags, summary: 'Go back to the previous spec, or to a kept version (?toVersion=N)', params: NameParams, querystring: RollbackQuery } },
    async (request) => backend.rollbackService(request.params.name, request.query.toVersion !== undefined ? { toVersion: request.query.toVersion } : {}),
  );

  api.post(
    '/v1/services/:name/promote',
    { schema: { tags, summary: "Promote an update's canaries: the rolling update continues with the remaining old tasks", params: NameParams } },
    async (request) => backend.promoteService(request.params.name),
  );

  api.get('/v1/services/:name/history', { schema: { tags, summary: 'Kept versions of a service, oldest first, with who changed what', params: NameParams } }, async (request) =>
    backend.serviceHistory(request.params.name),
  );

  api.get(
    '/v1/services/:name/logs',
    { schema: { tags, summary: "Every task's output as NDJSON lines {task, slot, node, stream, line, ts}", params: NameParams, querystring: LogsQuery } },
    async (request, reply) => {
      const { name } = request.params;
      await backend.getService(name); // a 404 must be a status, not a stream that ends at once
      const { follow = false, tail } = request.query;
      await streamResponse(request, reply, 'ndjson', (signal) => backend.serviceLogs(name, { follow, tail, signal }));
    },
  );
}
