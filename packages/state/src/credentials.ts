/**
 * Resolving an operator credential on the leader. A forwarded write carries
 * the bearer token the follower's API received; the leader hashes it and
 * looks the hash up here, in the replicated state, so a member cannot vouch
 * for itself. Two kinds of credential count:
 *  - a cluster API token (`shoal token create`), with its role;
 *  - a node's own API token (its data dir's api.token), as an admin, but
 *    only while that node is a Raft voter: voters are trusted by Raft anyway
 *    (a voter that turns hostile can win an election and write the log),
 *    while a learner is what anyone holding the join token can become.
 */
import { ErrorCode } from '@shoal/types';
import type { Authority } from './authorize.js';
import type { ApiTokenRecord } from './security-tables.js';

export interface CredentialView {
  apiTokenByHash(hash: string): ApiTokenRecord | undefined;
  nodeByTokenHash(hash: string): string | undefined;
  node(id: string): { name: string } | undefined;
}

/** The audit name of a node's own token. API token names cannot contain ':', so the two never collide. */
export function nodeTokenName(nodeName: string): string {
  return `node:${nodeName}`;
}

export type Resolution = { ok: true; authority: Authority } | { ok: false; code: ErrorCode; message: string };

/** `hash`: sha256 (hex) of the presented token; `voters`: the current Raft voters. */
export function resolveCredential(view: CredentialView, hash: string, voters: readonly string[]): Resolution {
  const token = view.apiTokenByHash(hash);
  if (token) return { ok: true, authority: { kind: 'operator', name: token.name, role: token.role } };
  const nodeId = view.nodeByTokenHash(hash);
  if (nodeId !== undefined) {
    const name = view.node(nodeId)?.name ?? nodeId;
    if (voters.includes(nodeId)) return { ok: true, authority: { kind: 'operator', name: nodeTokenName(name), role: 'admin' } };
    return {
      ok: false,
      code: ErrorCode.Forbidden,
      message: `the API token of node ${name} is valid cluster-wide only while ${name} is a Raft voter (it is a learner): use a cluster token from \`shoal token create\`, or the API of a voter`,
    };
  }
  return { ok: false, code: ErrorCode.Unauthorized, message: 'the cluster does not know this API token (it may have been revoked): use a token from `shoal token create`' };
}
