/**
 * `shoal cluster recover --data-dir D`: run on a STOPPED agent of a cluster
 * that lost its quorum. Reads the local Raft log, reports it next to the
 * survivors it can reach, and on confirmation rewrites the membership so
 * that this node is the only voter (see recover-plan.ts). Then the operator
 * starts the agent as before; the other survivors rejoin on their own.
 */
import { ShoalClient } from '@shoal/api';
import { readNodeId } from '@shoal/p2p';
import { LevelRaftStorage } from '@shoal/storage';
import { ErrorCode, ShoalError } from '@shoal/types';
import { DataDir } from './data-dir.js';
import { peersAhead, planRecovery, type PeerLog, type RecoveryPlan } from './recover-plan.js';

export interface RecoverOptions {
  dataDir: string;
  /** API addresses (host:port or URL) of other survivors to compare logs with. */
  peers: string[];
  /** Token for the peers' APIs. */
  token?: string;
  /** Skip the confirmation (scripts). */
  yes: boolean;
  out: (line: string) => void;
  /** Asks the operator; resolves true to go ahead. */
  confirm: (question: string) => Promise<boolean>;
  fetch?: typeof fetch;
}

export interface RecoverResult {
  recovered: boolean;
  plan: RecoveryPlan | null;
  peers: PeerLog[];
}

async function peerLog(addr: string, o: RecoverOptions): Promise<PeerLog> {
  const baseUrl = /^https?:\/\//.test(addr) ? addr : `http://${addr}`;
  try {
    const client = new ShoalClient({ baseUrl, token: o.token, ...(o.fetch ? { fetch: o.fetch } : {}) });
    const st = await Promise.race([client.clusterStatus(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no answer within 3 s')), 3000).unref())]);
    return { name: `${st.self.name} (${addr})`, lastIndex: st.lastIndex ?? null, commit: st.commitIndex };
  } catch (err) {
    return { name: addr, lastIndex: null, commit: null, error: err instanceof Error ? err.message : String(err) };
  }
}

export async function recoverDataDir(o: RecoverOptions): Promise<RecoverResult> {
  const dir = new DataDir(o.dataDir);
  const identity = dir.readIdentity();
  if (!identity) throw new ShoalError(ErrorCode.BadConfig, `${o.dataDir} holds no cluster (no cluster.json): nothing to recover`);
  const selfId = await readNodeId(dir.root);
  if (!selfId) throw new ShoalError(ErrorCode.BadConfig, `${o.dataDir} has no peer.key: this data dir never ran an agent`);
  // Opening takes LevelDB's lock: a running agent makes this fail with "in use by another process".
  const storage = await LevelRaftStorage.open(dir.raftDir);
  try {
    const plan = planRecovery(await storage.load(), selfId);
    const peers = await Promise.all(o.peers.map((p) => peerLog(p, o)));
    if (!plan) {
      o.out(`node ${selfId} is already the only voter of cluster ${identity.clusterId}; nothing to do: start the agent`);
      return { recovered: false, plan, peers };
    }
    const b = plan.before;
    o.out(`cluster ${identity.clusterId}, this node ${selfId}`);
    o.out(`local log: term ${b.term}, last index ${b.lastIndex} (term ${b.lastTerm}), committed ${b.commit}`);
    o.out(`membership in the log: voters ${b.conf.voters.join(', ') || '-'}; learners ${b.conf.learners.join(', ') || '-'}`);
    if (!b.conf.voters.includes(selfId)) o.out('note: this node is not a voter in that membership (it may still hold the longest log)');
    for (const p of peers) o.out(p.lastIndex === null ? `survivor ${p.name}: unreachable (${p.error ?? 'no answer'})` : `survivor ${p.name}: last index ${p.lastIndex}, committed ${p.commit}`);
    const ahead = peersAhead(b, peers);
    if (ahead.length > 0) o.out(`WARNING: ${ahead.map((p) => p.name).join(', ')} hold(s) entries past ${b.lastIndex}: recovering here loses them; recover that survivor instead`);
    o.out(`recovery keeps all ${b.lastIndex} entries (${plan.adopted} not yet committed become committed) and makes this node the only voter; the other survivors rejoin when their agents run`);
    if (!o.yes && !(await o.confirm('recover this node as a single-voter cluster?'))) {
      o.out('nothing changed');
      return { recovered: false, plan, peers };
    }
    await storage.save({ entries: [plan.entry], hardState: plan.hardState }, { sync: true });
    o.out(`recovered: start the agent on ${o.dataDir} as before; it leads alone at term ${plan.hardState.term}, and the autopilot adds the other survivors back`);
    return { recovered: true, plan, peers };
  } finally {
    await storage.close();
  }
}
