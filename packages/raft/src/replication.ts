/**
 * Log replication: the follower side (appends, heartbeats, snapshots, with
 * the consistency check and fast back-tracking) and the leader side
 * (progress, flow control, pipelining, the commit rule of Raft 5.4.2).
 */
import { NotLeaderError } from './errors.js';
import type { Progress } from './progress.js';
import { ReadIndexing } from './read-index.js';
import type { EntryType, Message, NodeId } from './types.js';
import { areAppendable } from './validate.js';

export abstract class Replication extends ReadIndexing {
  protected assertLeaderAcceptingWrites(): void {
    if (this.role !== 'leader') throw new NotLeaderError(this.leader);
    // During a transfer new writes would only delay the target catching up.
    if (this.leadTransferee !== null) throw new NotLeaderError(this.leadTransferee);
  }

  protected appendEntry(type: EntryType, data: Uint8Array): { index: number; term: number } {
    const index = this.log.lastIndex() + 1;
    this.log.append({ term: this.term, index, type, data });
    this.needBroadcast = true;
    return { index, term: this.term };
  }

  protected maybeCommit(): boolean {
    const index = this.tracker.committedIndex();
    // Only an entry of our own term commits by counting replicas (Raft 5.4.2, Figure 8).
    if (index <= this.log.committed || this.log.term(index) !== this.term) return false;
    this.log.commitTo(index);
    if (this.pendingReadIndex.length > 0) {
      const waiting = this.pendingReadIndex;
      this.pendingReadIndex = [];
      for (const r of waiting) this.handleReadIndex(r.from, r.context);
    }
    return true;
  }

  /** Send new entries and commit indexes to every follower, batched once per ready. */
  protected flushBroadcast(): void {
    if (!this.needBroadcast) return;
    this.needBroadcast = false;
    if (this.role !== 'leader') return;
    for (const id of this.tracker.progress.keys()) this.replicateTo(id, false);
  }

  protected handleAppend(m: Message): void {
    const log = this.log;
    const prevIndex = m.index ?? 0;
    const prevTerm = m.logTerm ?? 0;
    const ents = m.entries ?? [];
    if (!areAppendable(ents, prevIndex, prevTerm, m.term)) return;
    if (prevIndex < log.committed) {
      this.send({ type: 'appendResp', to: m.from, term: this.term, index: log.committed });
      return;
    }
    if (log.matchTerm(prevIndex, prevTerm)) {
      const lastNew = prevIndex + ents.length;
      const conflict = log.findConflict(ents);
      if (conflict > 0) {
        // Committed entries never change; a message that says otherwise is not from a real leader.
        if (conflict <= log.committed) return;
        const fresh = ents.slice(conflict - prevIndex - 1);
        log.truncateAndAppend(fresh);
        this.confAppended(fresh);
      }
      log.commitTo(Math.min(m.commit ?? 0, lastNew));
      this.send({ type: 'appendResp', to: m.from, term: this.term, index: lastNew });
      return;
    }
    // Tell the leader where our log may match, so it can skip a whole term per round trip.
    const hint = log.findConflictByTerm(Math.min(prevIndex, log.lastIndex()), prevTerm);
    this.send({ type: 'appendResp', to: m.from, term: this.term, index: prevIndex, reject: true, rejectHint: hint.index, rejectTerm: hint.term });
  }

  protected handleHeartbeat(m: Message): void {
    this.log.commitTo(Math.min(m.commit ?? 0, this.log.lastIndex()));
    const resp: Message = { type: 'heartbeatResp', from: this.id, to: m.from, term: this.term };
    if (m.context !== undefined) resp.context = m.context;
    this.msgs.push(resp);
  }

  protected handleSnapshot(m: Message): void {
    const s = m.snapshot;
    if (!s) return;
    const log = this.log;
    const { index, term, conf } = s.meta;
    // Not checking that we are in `conf`: a node re-added after the snapshot was taken must still
    // install it, and learns its membership from the entries that follow.
    if (index <= log.committed) {
      this.send({ type: 'appendResp', to: m.from, term: this.term, index: log.committed });
      return;
    }
    if (log.matchTerm(index, term)) {
      // We already hold everything it covers: just learn that it is committed.
      log.commitTo(index);
    } else {
      log.restore(s);
      this.confHistory = [{ index, conf }];
      this.noteKnown(conf);
      this.tracker.setConf(conf, log.lastIndex() + 1);
    }
    // Acknowledge the snapshot's index, not our last index: entries after it
    // may be a stale suffix from a deposed leader that the leader's log does
    // not share (found by the simulator; see sim/test/raft-scenarios).
    this.send({ type: 'appendResp', to: m.from, term: this.term, index });
  }

  protected handleAppendResp(m: Message, pr: Progress): void {
    const log = this.log;
    const index = m.index ?? 0;
    if (m.reject) {
      let probe = m.rejectHint ?? 0;
      if ((m.rejectTerm ?? 0) > 0) probe = log.findConflictByTerm(probe, m.rejectTerm!).index;
      if (pr.maybeDecrTo(index, probe)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.replicateTo(m.from, true);
      }
      return;
    }
    if (index > log.lastIndex()) return;
    if (pr.maybeUpdate(index) || (pr.match === index && pr.state === 'probe')) {
      if (pr.state === 'probe') {
        pr.becomeReplicate();
      } else if (pr.state === 'snapshot' && pr.match + 1 >= log.firstIndex()) {
        pr.becomeProbe();
        pr.becomeReplicate();
      } else if (pr.state === 'replicate') {
        pr.inflights.freeLE(index);
      }
      if (this.maybeCommit()) this.needBroadcast = true;
      if (m.from === this.leadTransferee && pr.match === log.lastIndex()) {
        this.send({ type: 'timeoutNow', to: m.from, term: this.term });
      }
      this.replicateTo(m.from, false);
      this.maybeHandOver();
    }
  }

  protected handleHeartbeatResp(m: Message, pr: Progress): void {
    pr.recentActive = true;
    pr.probeSent = false;
    // A full window with no acks means appends were lost: let one more through to find out.
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
    if (pr.match < this.log.lastIndex()) this.replicateTo(m.from, true);
    if (m.context === undefined) return;
    const acks = this.readOnly.ack(m.from, m.context);
    if (!acks || !this.tracker.isQuorum(acks)) return;
    for (const rq of this.readOnly.release(m.context)) this.answerRead(rq.from, rq.index, rq.context);
  }

  /**
   * Send `to` what it is missing, as many appends as flow control allows.
   * With `sendIfEmpty`, send one (possibly empty) append even when there is
   * nothing new, to probe a follower whose appends may have been lost.
   */
  protected replicateTo(to: NodeId, sendIfEmpty: boolean): void {
    const pr = this.tracker.progress.get(to);
    if (!pr || to === this.id) return;
    const last = this.log.lastIndex();
    let first = true;
    while (!pr.isPaused()) {
      const hasEntries = pr.next <= last;
      const needCommit = pr.sentCommit < this.log.committed;
      if (!hasEntries && !needCommit && !(sendIfEmpty && first)) return;
      if (!this.sendAppend(to, pr)) return;
      first = false;
      if (!hasEntries) return;
    }
  }

  /** One append (or a snapshot when the entries are compacted). False if nothing was sent. */
  protected sendAppend(to: NodeId, pr: Progress): boolean {
    const log = this.log;
    const prevIndex = pr.next - 1;
    const prevTerm = log.term(prevIndex);
    if (prevTerm === undefined) return this.sendSnapshot(to, pr);
    const entries = log.slice(pr.next, log.lastIndex(), this.maxSizePerMsg);
    const lastNew = prevIndex + entries.length;
    this.msgs.push({ type: 'append', from: this.id, to, term: this.term, index: prevIndex, logTerm: prevTerm, entries, commit: log.committed });
    pr.sentEntries(entries.length, lastNew);
    pr.sentCommit = Math.max(pr.sentCommit, Math.min(log.committed, lastNew));
    return true;
  }

  protected sendSnapshot(to: NodeId, pr: Progress): boolean {
    const snapshot = this.log.snapshot;
    // Only ship a (possibly large) snapshot to a follower that answers.
    if (!pr.recentActive || !snapshot) return false;
    this.msgs.push({ type: 'snapshot', from: this.id, to, term: this.term, snapshot });
    pr.becomeSnapshot(snapshot.meta.index);
    return false;
  }

  /**
   * Heartbeats to the voters (every heartbeat timeout: they hold elections) or
   * to the learners (once per election timeout: a worker's idle Raft traffic
   * is a quarter of a voter's). Commits reach learners at once anyway: an
   * append goes out whenever the commit index moves past what one was sent.
   */
  protected bcastHeartbeat(context: string | undefined, to: 'voters' | 'learners' | 'all' = 'all'): void {
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id || (to === 'voters' && pr.learner) || (to === 'learners' && !pr.learner)) continue;
      const m: Message = { type: 'heartbeat', from: this.id, to: id, term: this.term, commit: Math.min(pr.match, this.log.committed) };
      if (context !== undefined) m.context = context;
      this.msgs.push(m);
    }
  }
}
