import { NotLeaderError, RaftError } from './errors.js';
import { admit, type DropCounts } from './admission.js';
import { MAX_CONTEXT_BYTES, encodeConfChange } from './codec.js';
import { applyConfChange, checkConfChange } from './conf-change.js';
import { Election, LEADER_HINT, TRANSFER } from './election.js';
import type { ConfChange, HardState, Message, NodeId, RaftConfig, RaftStatus, ProgressStatus, Ready, Snapshot } from './types.js';
import { isWellFormed } from './validate.js';

/** Largest command one proposal may carry: it must fit in one append message. */
export const MAX_ENTRY_BYTES = 8 * 1024 * 1024;

/**
 * One Raft replica as a pure state machine, shaped like etcd's raft: the
 * caller ticks it, steps peer messages into it, and drains `ready()`:
 * persist, send, apply, then `advance()`. No clocks, no I/O. This file is
 * the public API and the dispatch of messages by role (etcd's rawnode.go and
 * the step functions of raft.go); the protocol lives in the layers below
 * (election.ts, replication.ts, read-index.ts, reconfiguration.ts, raft-state.ts).
 */
export class RaftNode extends Election {
  constructor(cfg: RaftConfig) {
    super(cfg);
  }

  tick(): void {
    if (this.role === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  step(m: Message): void {
    if (!isWellFormed(m) || m.to !== this.id || m.from === this.id) {
      this.drops.malformed++;
      return;
    }
    const why = admit(m, {
      term: this.term,
      leader: this.leader,
      voters: this.possibleVoters(),
      known: this.known,
      fresh: this.term === 0 && this.log.lastIndex() === 0,
    });
    if (why !== null) {
      this.drops[why]++;
      return;
    }
    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'preVote') {
        const inLease = this.checkQuorum && this.leader !== null && this.electionElapsed < this.electionTimeout;
        // A node that heard from a live leader ignores campaigns (removed or partitioned nodes cannot
        // disrupt); it only tells a pre-candidate who leads, at its own (lower) term.
        if (inLease && m.context !== TRANSFER) {
          if (m.type === 'preVote') this.send({ type: 'preVoteResp', to: m.from, term: this.term, reject: true, context: LEADER_HINT + this.leader });
          return;
        }
      }
      if (m.type === 'preVote' || (m.type === 'preVoteResp' && !m.reject)) {
        // Pre-votes never change our term: that is their point.
      } else if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, this.leaderHint(m));
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === 'heartbeat' || m.type === 'append')) {
        // A stale leader (e.g. back from a partition): our higher term makes it step down.
        this.send({ type: 'appendResp', to: m.from, term: this.term });
      } else if (m.type === 'preVote') {
        this.send({ type: 'preVoteResp', to: m.from, term: this.term, reject: true });
      }
      return;
    }
    if (m.type === 'vote' || m.type === 'preVote') {
      this.handleVoteRequest(m);
      return;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m);
        break;
      case 'candidate':
      case 'preCandidate':
        this.stepCandidate(m);
        break;
      case 'follower':
        this.stepFollower(m);
        break;
    }
  }

  propose(data: Uint8Array): { index: number; term: number } {
    this.assertLeaderAcceptingWrites();
    if (!(data instanceof Uint8Array)) throw new RaftError('BAD_ARGUMENT', 'a proposal must be a Uint8Array');
    if (data.length > MAX_ENTRY_BYTES) {
      throw new RaftError('TOO_LARGE', `a proposal of ${data.length} bytes exceeds the ${MAX_ENTRY_BYTES}-byte limit; split the command`);
    }
    return this.appendEntry('normal', data);
  }

  proposeConfChange(cc: ConfChange): { index: number; term: number } {
    this.assertLeaderAcceptingWrites();
    if (this.pendingConfIndex > this.log.applied) {
      throw new RaftError('CONFLICT', 'a membership change is still in progress; retry once it is applied', { pendingIndex: this.pendingConfIndex });
    }
    checkConfChange(this.tracker.conf(), cc);
    const conf = applyConfChange(this.tracker.conf(), { type: cc.type, node: cc.node });
    const r = this.appendEntry('conf', encodeConfChange({ type: cc.type, node: cc.node, conf }));
    this.pendingConfIndex = r.index;
    this.confAppended([this.log.entry(r.index)!]);
    return r;
  }

  transferLeadership(to: NodeId): void {
    if (this.role !== 'leader') throw new NotLeaderError(this.leader);
    if (to === this.id || this.leadTransferee === to) return;
    if (!this.tracker.voters.has(to)) throw new RaftError('NOT_FOUND', `${to} is not a voter; only a voter can become leader`, { node: to });
    this.leadTransferee = to;
    // The transfer must finish within one election timeout or it is abandoned.
    this.electionElapsed = 0;
    const pr = this.tracker.progress.get(to)!;
    if (pr.match === this.log.lastIndex()) this.send({ type: 'timeoutNow', to, term: this.term });
    else this.replicateTo(to, true);
  }

  readIndex(context: string): void {
    if (this.role !== 'leader') throw new NotLeaderError(this.leader);
    if (typeof context !== 'string' || context.length === 0 || context.length > MAX_CONTEXT_BYTES / 3) {
      throw new RaftError('BAD_ARGUMENT', `a read context must be a non-empty string of at most ${Math.floor(MAX_CONTEXT_BYTES / 3)} characters`);
    }
    this.handleReadIndex(this.id, context);
  }

  campaign(): void {
    this.hup(false);
  }

  /** Messages refused so far, by reason (see admission.ts); for metrics. */
  droppedMessages(): DropCounts {
    return { ...this.drops };
  }

  hasReady(): boolean {
    this.flushBroadcast();
    const log = this.log;
    return (
      this.msgs.length > 0 ||
      this.readStates.length > 0 ||
      log.handedOut < log.lastIndex() ||
      (log.pendingSnapshot !== null && !log.snapshotHandedOut) ||
      log.hasNextCommitted() ||
      this.softChanged() ||
      this.hardChanged()
    );
  }

  ready(): Ready {
    this.flushBroadcast();
    const log = this.log;
    const entries = log.unstableEntries();
    const committedEntries = log.nextCommitted(this.maxCommittedSizePerReady);
    const rd: Ready = { entries, committedEntries, messages: this.msgs, readStates: this.readStates, mustSync: entries.length > 0 };
    if (this.softChanged()) {
      rd.softState = { leader: this.leader, role: this.role };
      this.prevSoft = rd.softState;
    }
    if (this.hardChanged()) {
      const hs: HardState = { term: this.term, vote: this.vote, commit: log.committed };
      // Term and vote must be on disk before any vote reply leaves; a commit alone may be lost and relearned.
      if (hs.term !== this.prevHard.term || hs.vote !== this.prevHard.vote) rd.mustSync = true;
      rd.hardState = hs;
      this.prevHard = hs;
    }
    if (log.pendingSnapshot && !log.snapshotHandedOut) {
      rd.snapshot = log.pendingSnapshot;
      log.snapshotHandedOut = true;
      rd.mustSync = true;
    }
    log.handedOut = log.lastIndex();
    if (committedEntries.length > 0) log.applying = committedEntries[committedEntries.length - 1]!.index;
    this.msgs = [];
    this.readStates = [];
    return rd;
  }

  advance(rd: Ready): void {
    const log = this.log;
    if (rd.snapshot) log.snapshotPersisted(rd.snapshot);
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1]!;
      log.stableTo(last.index, last.term);
    }
    for (const e of rd.committedEntries) {
      if (e.index <= log.applied) continue;
      log.applied = e.index;
    }
    if (this.role === 'leader') {
      // Our own log counts toward commit only once it is persisted.
      const self = this.tracker.progress.get(this.id);
      if (self && self.maybeUpdate(log.stabled) && this.maybeCommit()) this.needBroadcast = true;
      this.maybeHandOver();
    }
  }

  compact(index: number, data: Uint8Array): Snapshot {
    const log = this.log;
    if (!Number.isSafeInteger(index) || index > log.applied) {
      throw new RaftError('COMPACTION', `cannot snapshot at index ${index}: only entries up to ${log.applied} are applied`);
    }
    if (index < log.snapIndex) {
      throw new RaftError('COMPACTION', `cannot snapshot at index ${index}: the log is already compacted up to ${log.snapIndex}`);
    }
    const s: Snapshot = { meta: { index, term: log.term(index)!, conf: this.confAt(index) }, data };
    log.compact(s);
    log.snapshot = s;
    // Keep the membership in force at the snapshot and every later change.
    let keep = 0;
    while (keep + 1 < this.confHistory.length && this.confHistory[keep + 1]!.index <= index) keep++;
    this.confHistory = this.confHistory.slice(keep);
    return s;
  }

  status(): RaftStatus {
    const st: RaftStatus = {
      id: this.id,
      term: this.term,
      vote: this.vote,
      commit: this.log.committed,
      applied: this.log.applied,
      lastIndex: this.log.lastIndex(),
      snapshotIndex: this.log.snapIndex,
      role: this.role,
      leader: this.leader,
      conf: this.tracker.conf(),
    };
    if (this.role === 'leader') {
      const progress: Record<NodeId, ProgressStatus> = {};
      for (const [id, pr] of this.tracker.progress) {
        progress[id] = { match: pr.match, next: pr.next, state: pr.state, recentActive: pr.recentActive, learner: pr.learner };
      }
      st.progress = progress;
    }
    return st;
  }

  protected stepFollower(m: Message): void {
    switch (m.type) {
      case 'append':
        this.electionElapsed = 0;
        this.leader = m.from;
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.leader = m.from;
        this.handleHeartbeat(m);
        break;
      case 'snapshot':
        this.electionElapsed = 0;
        this.leader = m.from;
        this.handleSnapshot(m);
        break;
      case 'timeoutNow':
        // The leader hands over: campaign at once, skipping pre-vote and the lease of others.
        this.hup(true);
        break;
      case 'readIndexResp':
        if (m.context !== undefined) this.readStates.push({ index: m.index ?? 0, context: m.context });
        break;
      default:
        break;
    }
  }

  protected stepLeader(m: Message): void {
    const pr = this.tracker.progress.get(m.from);
    if (!pr) return;
    pr.heard = true;
    switch (m.type) {
      case 'appendResp':
      case 'snapshotResp':
        pr.recentActive = true;
        this.handleAppendResp(m, pr);
        break;
      case 'heartbeatResp':
        this.handleHeartbeatResp(m, pr);
        break;
      case 'readIndex':
        if (m.context !== undefined) this.handleReadIndex(m.from, m.context);
        break;
      default:
        break;
    }
  }
}
