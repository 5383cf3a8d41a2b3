/**
 * `shoal init` and `shoal join` against a running agent that is in no
 * cluster yet: two routes the daemon adds to the admin API (same bearer
 * token, same error format).
 */
import { Type } from '@sinclair/typebox';
import type { Api, ClusterStatus, JoinToken } from '@shoal/api';

/**
 * What the two routes need: a node that can create or join a cluster and
 * answer with the join token or the cluster's status. Options left out take
 * the node's configured defaults.
 */
export interface ClusterLifecycle {
  initCluster(opts: { voters?: number; allowDangerous?: boolean }): Promise<JoinToken>;
  joinCluster(addr: string, token: string): Promise<ClusterStatus>;
}

const InitBody = Type.Object(
  {
    voters: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(3), Type.Literal(5)])),
    allowDangerous: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const JoinBody = Type.Object(
  { addr: Type.String({ minLength: 3, maxLength: 300 }), token: Type.String({ minLength: 8, maxLength: 8192 }) },
  { additionalProperties: false },
);

export function registerClusterRoutes(app: Api, node: ClusterLifecycle): void {
  app.post('/v1/cluster/init', { schema: { body: InitBody, tags: ['cluster'], summary: 'Create a new cluster with this node as its first voter; returns the join token' } }, async (req) => {
    const body = (req.body ?? {}) as { voters?: number; allowDangerous?: boolean };
    return node.initCluster({ voters: body.voters, allowDangerous: body.allowDangerous });
  });
  app.post('/v1/cluster/join', { schema: { body: JoinBody, tags: ['cluster'], summary: 'Join an existing cluster through the member at addr (host:port); returns the cluster status' } }, async (req) => {
    const body = req.body as { addr: string; token: string };
    return node.joinCluster(body.addr, body.token);
  });
}
