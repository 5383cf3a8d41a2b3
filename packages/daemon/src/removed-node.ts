/**
 * A node removed from its cluster is revoked for good: members refuse its
 * Raft traffic and its heartbeats. Restarted with its old data dir it would
 * campaign forever and its API would answer 503 with no reason. Instead it
 * finds out and says so:
 *   - its own replica applied its removal, or
 *   - while it has no leader, it asks the voters it knows `member.status`
 *     (open to non-members, and only about the caller, whose identity the
 *     Noise handshake proved), and a majority answers that it was removed.
 * The verdict is kept in cluster.json so the next start says it at once.
 */
import type { ClusterRuntime } from './runtime.js';

export const MEMBER_STATUS_METHOD = 'member.status';
const CHECK_EVERY_MS = 2000;

export interface MemberStatus {
  removed: boolean;
}

/** Members answer a peer about itself only: was it removed? */
export function registerMemberStatus(rt: ClusterRuntime): void {
  rt.p2p.handle(MEMBER_STATUS_METHOD, async (from): Promise<MemberStatus> => ({ removed: rt.state.revoked().includes(from) }), { open: true });
}

export function removedMessage(nodeId: string, clusterId: string, dataDir: string): string {
  return (
    `this node (${nodeId}) was removed from cluster ${clusterId} and cannot rejoin under this identity; its tasks were rescheduled elsewhere. ` +
    `To rejoin: stop this agent, move its data dir ${dataDir} away, get a join token on a member with \`shoal cluster token show > join.token\`, ` +
    `and start it with an empty --data-dir and --join ADDR --join-token-file join.token`
  );
}

/** Checks now and then whether this node was removed; calls `onRemoved` once. Returns a stop function. */
export function watchForRemoval(rt: ClusterRuntime, onRemoved: () => void, everyMs = CHECK_EVERY_MS): () => void {
  let done = false;
  let busy = false;
  const check = async () => {
    if (done || busy) return;
    busy = true;
    try {
      if (rt.state.revoked().includes(rt.selfId) || (rt.raft.status().leader === null && (await askMembers(rt)))) {
        done = true;
        clearInterval(timer);
        onRemoved();
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void check(), everyMs);
  timer.unref();
  return () => {
    done = true;
    clearInterval(timer);
  };
}

/**
 * True when a majority of the voters this node knows say it was removed: a
 * removal is committed on a majority, and one lying member cannot make a
 * node that merely lost its leader shut itself out.
 */
async function askMembers(rt: ClusterRuntime): Promise<boolean> {
  const voters = rt.raft.status().conf.voters;
  const need = Math.floor(voters.length / 2) + 1;
  const others = voters.filter((id) => id !== rt.selfId);
  if (others.length < need) return false;
  const answers = await Promise.all(
    others.map((id) =>
      rt.p2p.request(id, MEMBER_STATUS_METHOD, {}, { timeoutMs: 2000 }).then(
        (r) => (r as Partial<MemberStatus> | null)?.removed === true,
        () => false,
      ),
    ),
  );
  return answers.filter(Boolean).length >= need;
}
