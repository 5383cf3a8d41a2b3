/**
 * Recovery from quorum loss, decided purely from what one survivor's disk
 * holds (etcd's --force-new-cluster, Swarm's --force-new-cluster): every
 * entry in the local log is kept and counted as committed, and one conf entry
 * appended after them makes this node the only voter. On start the node
 * elects itself, applies that entry, and the autopilot adds the other
 * survivors back as learners (then voters) as they come up: their logs are
 * brought in line with this one by ordinary Raft replication.
 *
 * What can be lost: writes that reached a majority but not this survivor.
 * That is why the report compares this log with the survivors it can reach,
 * and the operator should recover the survivor with the longest log.
 */
import { encodeConfChange, type ConfState, type Entry, type HardState } from '@shoal/raft';
import { decodeConfChange } from '@shoal/raft';
import type { LoadedState } from '@shoal/raft-host';

export interface LogSummary {
  term: number;
  commit: number;
  lastIndex: number;
  lastTerm: number;
  /** The membership in force: the latest conf entry in the log, committed or not. */
  conf: ConfState;
}

export interface RecoveryPlan {
  before: LogSummary;
  /** What to write, in one synced batch: the conf entry and the hard state that commits it. */
  entry: Entry;
  hardState: HardState;
  /** Uncommitted entries that become committed by recovery (they may or may not have been acknowledged). */
  adopted: number;
}

export function summarizeLog(loaded: LoadedState): LogSummary {
  const last = loaded.entries.at(-1);
  let conf = loaded.snapshot ? loaded.snapshot.meta.conf : loaded.conf;
  for (const e of loaded.entries) {
    if (e.type !== 'conf') continue;
    try {
      const cc = decodeConfChange(e.data);
      if (cc.conf) conf = cc.conf;
    } catch {
      // An undecodable conf entry changes nothing (as in the Raft node).
    }
  }
  return {
    term: loaded.hardState.term,
    commit: loaded.hardState.commit,
    lastIndex: last?.index ?? loaded.snapshot?.meta.index ?? 0,
    lastTerm: last?.term ?? loaded.snapshot?.meta.term ?? 0,
    conf,
  };
}

/** The single-voter membership for `selfId`, or null when the log already has exactly that. */
export function planRecovery(loaded: LoadedState, selfId: string): RecoveryPlan | null {
  const before = summarizeLog(loaded);
  if (before.conf.voters.length === 1 && before.conf.voters[0] === selfId && before.conf.learners.length === 0 && before.commit === before.lastIndex) return null;
  const term = Math.max(before.term, before.lastTerm) + 1;
  const index = before.lastIndex + 1;
  const conf: ConfState = { voters: [selfId], learners: [] };
  return {
    before,
    entry: { term, index, type: 'conf', data: encodeConfChange({ type: 'addVoter', node: selfId, conf }) },
    hardState: { term, vote: selfId, commit: index },
    adopted: before.lastIndex - before.commit,
  };
}

export interface PeerLog {
  name: string;
  /** Null when it did not answer. */
  lastIndex: number | null;
  commit: number | null;
  error?: string;
}

/** Survivors whose log reaches past ours: recovering here would drop what they hold beyond our last index. */
export function peersAhead(self: LogSummary, peers: readonly PeerLog[]): PeerLog[] {
  return peers.filter((p) => (p.lastIndex ?? 0) > self.lastIndex || (p.commit ?? 0) > self.lastIndex);
}
