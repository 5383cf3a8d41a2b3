import type { Entry, NodeId, Snapshot } from '@shoal/raft';
import { SimViolation } from './violation.js';

/**
 * The cheap, per-step safety checks of Raft, fed by the node hosts as things
 * happen: election safety (one leader per term), one vote per node per term
 * even across crashes, state machine safety (every node applies the same
 * entry at an index), and entry identity (an index and term name one entry).
 */
export class SafetyMonitor {
  private leaders = new Map<number, NodeId>();
  private votes = new Map<string, NodeId>();
  /** index -> identity of the entry applied there. */
  private applied = new Map<number, string>();
  private firstApplier = new Map<number, NodeId>();
  /** `${index}@${term}` -> identity of the entry persisted with that index and term. */
  private entries = new Map<string, string>();
  /** Highest index any node applied. */
  maxApplied = 0;
  /** maxCommittedSeenIn[t]: highest index first applied by a node whose term was t (committed in term <= t). */
  private maxCommittedSeenIn: number[] = [];

  onLeader(node: NodeId, term: number): void {
    const other = this.leaders.get(term);
    if (other !== undefined && other !== node) {
      throw new SimViolation('election-safety', `two leaders in term ${term}: ${other} and ${node}`);
    }
    this.leaders.set(term, node);
  }

  /**
   * Leader completeness: a leader of term T holds every entry committed in
   * an earlier term. An entry first applied by a node in term t was committed
   * in a term <= t, so leaders of terms > t must hold it. `termAt` reads the
   * leader's log; entries at or below `snapshotIndex` are committed by construction.
   */
  onLeaderLog(node: NodeId, term: number, snapshotIndex: number, termAt: (index: number) => number): void {
    let idx = 0;
    for (let t = 0; t < term && t < this.maxCommittedSeenIn.length; t++) idx = Math.max(idx, this.maxCommittedSeenIn[t] ?? 0);
    if (idx <= snapshotIndex) return;
    const want = this.committedTerm(idx)!;
    const have = termAt(idx);
    if (have !== want) {
      throw new SimViolation('leader-completeness', `${node} became leader of term ${term} without entry ${idx} (term ${want}) committed before that term; its log has term ${have} there`);
    }
  }

  onVoteGranted(voter: NodeId, candidate: NodeId, term: number): void {
    const k = `${voter}@${term}`;
    const before = this.votes.get(k);
    if (before !== undefined && before !== candidate) {
      throw new SimViolation('double-vote', `${voter} granted its vote in term ${term} to both ${before} and ${candidate}`);
    }
    this.votes.set(k, candidate);
  }

  /**
   * Entries a node is about to persist. `nodeCommit` is the commit index the
   * node already knew: it must never rewrite an entry at or below it (a stale
   * leader may still append at indexes others committed; that is not a fault).
   */
  onPersist(node: NodeId, entries: readonly Entry[], nodeCommit = 0): void {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (i > 0 && e.index !== entries[i - 1].index + 1) {
        throw new SimViolation('log-gap', `${node} got non-contiguous entries ${entries[i - 1].index} then ${e.index} to persist`);
      }
      const committed = e.index <= nodeCommit ? this.committedTerm(e.index) : undefined;
      if (committed !== undefined && committed !== e.term) {
        throw new SimViolation('committed-overwrite', `${node} was asked to rewrite its committed index ${e.index} (commit ${nodeCommit}) with term ${e.term}; the committed entry has term ${committed}`);
      }
      const k = `${e.index}@${e.term}`;
      const id = identity(e);
      const before = this.entries.get(k);
      if (before !== undefined && before !== id) {
        throw new SimViolation('log-matching', `two different entries with index ${e.index} and term ${e.term} (seen again on ${node})`);
      }
      this.entries.set(k, id);
    }
  }

  /** Returns true the first time any node applies `entry.index`; `nodeTerm` is the applier's current term. */
  onApply(node: NodeId, entry: Entry, nodeTerm = entry.term): boolean {
    const id = `${entry.term}:${identity(entry)}`;
    const before = this.applied.get(entry.index);
    if (before === undefined) {
      this.applied.set(entry.index, id);
      this.firstApplier.set(entry.index, node);
      if (entry.index > this.maxApplied) this.maxApplied = entry.index;
      if ((this.maxCommittedSeenIn[nodeTerm] ?? 0) < entry.index) this.maxCommittedSeenIn[nodeTerm] = entry.index;
      return true;
    }
    if (before !== id) {
      throw new SimViolation('state-machine-safety', `${node} applied entry ${entry.index} as term ${id} but ${this.firstApplier.get(entry.index)} applied it as term ${before}`);
    }
    return false;
  }

  /** A snapshot must describe the committed log: its last entry is the one applied at that index. */
  onSnapshot(node: NodeId, snap: Snapshot): void {
    const before = this.applied.get(snap.meta.index);
    if (before !== undefined && !before.startsWith(`${snap.meta.term}:`)) {
      throw new SimViolation('snapshot-safety', `${node} got a snapshot at index ${snap.meta.index} term ${snap.meta.term}, but the entry committed there has term ${before.split(':')[0]}`);
    }
  }

  /** Term of the entry committed at `index`, if any node applied it. */
  committedTerm(index: number): number | undefined {
    const id = this.applied.get(index);
    return id === undefined ? undefined : Number(id.slice(0, id.indexOf(':')));
  }
}

/** A short identity of an entry's type and payload (FNV-1a over the bytes). */
export function identity(e: Entry): string {
  let h = 0x811c9dc5;
  const d = e.data;
  for (let i = 0; i < d.length; i++) {
    h ^= d[i];
    h = Math.imul(h, 0x01000193);
  }
  return `${e.type}/${d.length}/${(h >>> 0).toString(16)}`;
}
