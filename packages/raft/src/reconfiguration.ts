/**
 * Membership changes (Raft thesis chapter 4): one change at a time, each in
 * force as soon as its entry is in the log, committed or not (4.1); the
 * voters that may still matter while a change is uncommitted; and a leader
 * handing over once its own removal is committed (4.2.2).
 */
import { confAfterEntry } from './conf-change.js';
import { RaftState } from './raft-state.js';
import type { ConfState, Entry, NodeId } from './types.js';

export abstract class Reconfiguration extends RaftState {
  /** Commits what a quorum of the current voters holds (replication.ts). */
  protected abstract maybeCommit(): boolean;
  /** Starts a leadership transfer (node.ts). */
  abstract transferLeadership(to: NodeId): void;

  protected confAfter(conf: ConfState, e: Entry): ConfState {
    return confAfterEntry(conf, e);
  }

  protected confAt(index: number): ConfState {
    let conf = this.confHistory[0]!.conf;
    for (const h of this.confHistory) if (h.index <= index) conf = h.conf;
    return conf;
  }

  /**
   * Entries were appended from `ents[0].index` on (replacing any suffix): the membership in
   * force is the last conf entry in the log, so drop the history of replaced entries, record
   * the new conf entries, and switch the tracker if the membership changed.
   */
  protected confAppended(ents: Entry[]): void {
    if (ents.length === 0) return;
    const from = ents[0]!.index;
    const before = this.confHistory.length;
    this.confHistory = this.confHistory.filter((h, i) => i === 0 || h.index < from);
    let changed = this.confHistory.length !== before;
    let conf = this.confHistory[this.confHistory.length - 1]!.conf;
    for (const e of ents) {
      if (e.type !== 'conf') continue;
      conf = this.confAfter(conf, e);
      this.confHistory.push({ index: e.index, conf });
      changed = true;
    }
    if (changed) this.setMembership(conf);
  }

  /**
   * Voters of every membership that may be the cluster's: the one in force at our commit index
   * and every later (uncommitted) one. A new leader may truncate our uncommitted conf entries,
   * and it must still be able to reach us to do so (found by the simulator).
   */
  protected possibleVoters(): ReadonlySet<NodeId> {
    const h = this.confHistory;
    const last = h[h.length - 1]!;
    if (last.index <= this.log.committed) return this.tracker.voters;
    const ids = new Set<NodeId>();
    for (let i = h.length - 1; i >= 0; i--) {
      for (const v of h[i]!.conf.voters) ids.add(v);
      if (h[i]!.index <= this.log.committed) break;
    }
    return ids;
  }

  protected setMembership(conf: ConfState): void {
    this.noteKnown(conf);
    const known = new Set([...this.tracker.progress.keys()]);
    this.tracker.setConf(conf, this.log.lastIndex() + 1);
    if (this.role !== 'leader') return;
    // A new member gets a snapshot at once if it needs one, without waiting for it to answer.
    for (const [id, pr] of this.tracker.progress) if (!known.has(id)) pr.recentActive = true;
    if (this.leadTransferee !== null && !this.tracker.voters.has(this.leadTransferee)) this.leadTransferee = null;
    // A leader that removes itself keeps leading, without counting itself, until the removal
    // commits (thesis 4.2.2); then it hands over (maybeHandOver).
    this.maybeCommit();
    this.needBroadcast = true;
  }

  protected promotable(): boolean {
    if (this.tracker.voters.has(this.id)) return true;
    // Being removed by a change that is not committed yet: if we are the only one holding it,
    // the others still need our vote and we cannot give it (our log is ahead of theirs). So we
    // may campaign under the new membership, without counting ourselves, to commit our own
    // removal and then hand over (found by the simulator in 2-voter clusters).
    const n = this.confHistory.length;
    if (n < 2) return false;
    const last = this.confHistory[n - 1]!;
    return last.index > this.log.committed && this.confHistory[n - 2]!.conf.voters.includes(this.id);
  }

  /**
   * A member that knows this leader only as a learner (its log ends before our promotion)
   * refuses our appends (admission.ts) and stays silent. If one stays silent for three
   * election timeouts, hand leadership to a caught-up voter that has been a voter for longer:
   * that one it knows. Leadership only ever moves to an older voter, so this cannot loop.
   */
  protected maybeYieldToOlderVoter(): void {
    if (this.leadTransferee !== null || !this.tracker.voters.has(this.id)) return;
    const mine = voterSince(this.confHistory, this.id);
    if (mine <= this.confHistory[0]!.index) return;
    let stuck = false;
    for (const [id, pr] of this.tracker.progress) if (id !== this.id && pr.silentRounds >= 3 && pr.match < mine) stuck = true;
    if (!stuck) return;
    let target: NodeId | null = null;
    let best = mine;
    for (const id of this.tracker.voters) {
      const since = voterSince(this.confHistory, id);
      if (id !== this.id && since < best && this.tracker.progress.get(id)!.match === this.log.lastIndex()) {
        target = id;
        best = since;
      }
    }
    if (target !== null) this.transferLeadership(target);
  }

  /**
   * A leader whose own removal is committed hands over: once a voter holds its whole log it
   * gets timeoutNow and this node steps down. Until then this node keeps replicating (its
   * removal must reach the survivors, or they would still need its vote).
   */
  protected removalCommitted(): boolean {
    if (this.tracker.voters.has(this.id)) return false;
    return this.log.applied >= this.confHistory[this.confHistory.length - 1]!.index;
  }

  protected maybeHandOver(): void {
    if (this.role !== 'leader' || !this.removalCommitted()) return;
    let best: NodeId | null = null;
    let bestMatch = -1;
    for (const id of this.tracker.voters) {
      const m = this.tracker.progress.get(id)!.match;
      if (m > bestMatch) {
        best = id;
        bestMatch = m;
      }
    }
    if (best === null) {
      this.becomeFollower(this.term, null);
      return;
    }
    if (bestMatch < this.log.lastIndex()) return;
    this.send({ type: 'timeoutNow', to: best, term: this.term });
    this.becomeFollower(this.term, null);
  }
}

/** Index of the conf entry from which `id` has been a voter without a break (the oldest known one if always). */
function voterSince(history: ReadonlyArray<{ index: number; conf: ConfState }>, id: NodeId): number {
  let since = Infinity;
  for (let i = history.length - 1; i >= 0; i--) {
    if (!history[i]!.conf.voters.includes(id)) break;
    since = history[i]!.index;
  }
  return since;
}

