/** `POST /v1/cluster/rotate-psk`: the leader rotates the cluster's private-network key (psk-rotation.ts). */
import { Type } from '@sinclair/typebox';
import type { Api } from '@shoal/api';
import { ErrorCode, ShoalError } from '@shoal/types';
import type { ClusterRuntime } from './runtime.js';
import { rotatePsk, type PskHolder } from './psk-rotation.js';

export interface PskNode {
  runtime: ClusterRuntime | null;
  psk: PskHolder | null;
}

const Body = Type.Object({ force: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

export function registerPskRoutes(app: Api, node: PskNode): void {
  app.post('/v1/cluster/rotate-psk', { schema: { body: Body } }, async (req) => {
    const rt = node.runtime;
    if (!rt || !node.psk) throw new ShoalError(ErrorCode.Conflict, 'this agent is not in a cluster');
    return rotatePsk(rt, node.psk, { force: (req.body as { force?: boolean } | undefined)?.force === true });
  });
}
