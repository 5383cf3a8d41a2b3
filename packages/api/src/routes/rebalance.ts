import { Type } from '@sinclair/typebox';
import type { Backend } from '../backend.js';
import { NameParams } from '../schemas.js';
import type { Api } from './app.js';

const RebalanceBody = Type.Object(
  { dryRun: Type.Optional(Type.Boolean({ description: 'Show the moves; change nothing' })) },
  { additionalProperties: false },
);

export function rebalanceRoutes(api: Api, backend: Backend): void {
  api.post(
    '/v1/services/:name/rebalance',
    {
      schema: {
        tags: ['services'],
        summary: 'Even out the service over its nodes: moves start the new task first, in batches of the update parallelism; dryRun shows them',
        params: NameParams,
        body: RebalanceBody,
      },
    },
    async (request) => backend.rebalanceService(request.params.name, { dryRun: request.body.dryRun ?? false }),
  );
}
