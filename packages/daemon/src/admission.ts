/**
 * Joining a cluster. The joiner dials a member it was given (the only
 * libp2p method a non-member may call is `join`) and proves the join
 * secret. The leader checks the secret's hash and the revoked set, commits
 * the peer to the allowlist and the node registry, and adds it to Raft as a
 * learner; the autopilot promotes it to voter if the cluster needs one.
 * A member that is not the leader forwards the request as `join.admit`.
 */
import { timingSafeEqual } from 'node:crypto';
import { ErrorCode, NotLeaderError, ShoalError } from '@shoal/types';
import { JOIN_METHOD, hashSecret } from '@shoal/p2p';
import type { NodeRegistration } from '@shoal/state';
import type { ClusterRuntime } from './runtime.js';
import { sleep } from './sleep.js';
import { hashToken } from './write-gate.js';

export const ADMIT_METHOD = 'join.admit';

export interface JoinRequest {
  secret: string;
  node: NodeRegistration;
  /** sha256 of the joiner's own API token, registered with it (write-gate.ts: an admin's credential once it is a voter). */
  apiTokenHash?: string;
}

export interface JoinReply {
  clusterId: string;
  members: { id: string; addresses: string[] }[];
}

function parseJoinRequest(body: unknown): JoinRequest {
  const b = body as Partial<JoinRequest> | null;
  if (!b || typeof b.secret !== 'string' || b.secret.length > 512 || !b.node || typeof b.node !== 'object' || typeof b.node.name !== 'string') {
    throw new ShoalError(ErrorCode.BadMessage, 'malformed join request');
  }
  if (b.apiTokenHash !== undefined && (typeof b.apiTokenHash !== 'string' || !/^[0-9a-f]{64}$/.test(b.apiTokenHash))) throw new ShoalError(ErrorCode.BadMessage, 'malformed join request: apiTokenHash');
  return b as JoinRequest;
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function registerAdmission(rt: ClusterRuntime): void {
  rt.p2p.handle(JOIN_METHOD, async (from, body) => {
    const req = parseJoinRequest(body);
    if (rt.isLeader()) return admit(rt, from, req);
    const leader = rt.raft.status().leader;
    if (!leader) throw new NotLeaderError(null);
    return rt.p2p.request(leader, ADMIT_METHOD, { peerId: from, ...req }, { timeoutMs: 10_000 });
  });
  rt.p2p.handle(ADMIT_METHOD, async (_from, body) => {
    const req = parseJoinRequest(body);
    const peerId = (body as { peerId?: unknown }).peerId;
    if (typeof peerId !== 'string') throw new ShoalError(ErrorCode.BadMessage, 'malformed join.admit request');
    if (!rt.isLeader()) throw new NotLeaderError(rt.raft.status().leader);
    return admit(rt, peerId, req);
  });
}

async function admit(rt: ClusterRuntime, peerId: string, req: JoinRequest): Promise<JoinReply> {
  const { state } = rt;
  if (state.revoked().includes(peerId)) {
    throw new ShoalError(ErrorCode.Unauthorized, 'this node was removed from the cluster and cannot rejoin under the same identity; start it with an empty data dir');
  }
  const expected = state.joinTokenHash();
  if (!expected || !sameHash(hashSecret(req.secret), expected)) {
    throw new ShoalError(ErrorCode.Unauthorized, 'the join token is not valid (it may have been rotated); get the current one with `shoal cluster token show`');
  }
  const byName = state.nodeByName(req.node.name);
  if (byName && byName.id !== peerId) {
    throw new ShoalError(ErrorCode.Conflict, `a node named ${req.node.name} already exists in the cluster; start this one with another --name`);
  }
  const at = Date.now();
  const existing = state.node(peerId);
  await rt.propose({ type: 'allowlist.add', at, peerIds: [peerId] });
  if (!existing) {
    const res = await rt.propose({ type: 'node.register', at, node: { ...req.node, id: peerId, role: 'learner' } });
    if (!res.result.ok) throw new ShoalError(ErrorCode.Conflict, res.result.error.message);
  }
  if (req.apiTokenHash && state.nodeTokenHash(peerId) !== req.apiTokenHash) {
    const res = await rt.propose({ type: 'nodetoken.set', at, nodeId: peerId, hash: req.apiTokenHash });
    if (!res.result.ok) rt.log.warn({ peer: peerId, error: res.result.error }, 'the joiner\'s API token hash was refused; its own token will not count beyond its node');
  }
  const conf = rt.raft.status().conf;
  if (!conf.voters.includes(peerId) && !conf.learners.includes(peerId)) await proposeConfChangeWithRetry(rt, peerId);
  return {
    clusterId: state.config().clusterId,
    members: state.nodes().map((n) => ({ id: n.id, addresses: n.addresses })),
  };
}

/** How long the leader queues one join behind other membership changes: under the joiner's 15 s request timeout. */
const CONF_CHANGE_WAIT_MS = 12_000;

/**
 * Only one membership change may be pending: wait for the previous one (e.g. a concurrent join).
 * When many nodes join at once the queue can outlast one request; the joiner is then told to try
 * again (TIMEOUT, which it retries), not refused (CONFLICT, which it takes as final).
 */
async function proposeConfChangeWithRetry(rt: ClusterRuntime, peerId: string): Promise<void> {
  const deadline = Date.now() + CONF_CHANGE_WAIT_MS;
  for (;;) {
    try {
      await rt.raft.proposeConfChange({ type: 'addLearner', node: peerId });
      return;
    } catch (err) {
      if (!(err instanceof ShoalError) || err.code !== ErrorCode.Conflict) throw err;
      if (Date.now() > deadline) {
        throw new ShoalError(ErrorCode.Timeout, `other membership changes were still being applied after ${CONF_CHANGE_WAIT_MS / 1000} s; the join is retried`, undefined, { cause: err });
      }
      await sleep(50 + Math.floor(Math.random() * 100));
    }
  }
}

/** The joiner's side: dial the given member, prove the secret, learn the members. */
export async function requestJoin(rt: ClusterRuntime, addrs: string[], secret: string, signal?: AbortSignal): Promise<JoinReply> {
  let lastErr: unknown = null;
  for (let attempt = 0; attempt < 20; attempt++) {
    for (const addr of addrs) {
      try {
        const seed = await rt.p2p.dial(addr, signal);
        rt.allow.addSeeds([seed]);
        const body: JoinRequest = { secret, node: rt.registration('learner'), ...(rt.opts.apiToken ? { apiTokenHash: hashToken(rt.opts.apiToken) } : {}) };
        const reply = (await rt.p2p.request(seed, JOIN_METHOD, body, { timeoutMs: 15_000 })) as JoinReply;
        rt.allow.addSeeds(reply.members.map((m) => m.id));
        for (const m of reply.members) if (m.id !== rt.selfId) rt.p2p.setPeerAddresses(m.id, m.addresses);
        return reply;
      } catch (err) {
        lastErr = err;
        if (err instanceof ShoalError && (err.code === ErrorCode.Unauthorized || err.code === ErrorCode.Conflict)) throw err;
      }
    }
    await sleep(Math.min(2000, 100 * 2 ** attempt));
  }
  throw new ShoalError(ErrorCode.Timeout, `could not join through ${addrs.join(', ')}: ${lastErr instanceof Error ? lastErr.message : String(lastErr)}`);
}
