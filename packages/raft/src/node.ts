import { ErrorCode, NotLeaderError, ShoalError } from '@shoal/types';
import { MAX_TERM, admit, emptyDropCounts, type DropCounts } from './admission.js';
import { MAX_CONTEXT_BYTES, decodeConfChange, encodeConfChange } from './codec.js';
import { applyConfChange, checkConfChange } from './confChange.js';
import { RaftLog } from './log.js';
import type { Progress } from './progress.js';
import { ReadOnly } from './readOnly.js';
import { Tracker } from './tracker.js';
import type {
  ConfChange, ConfState, Entry, EntryType, HardState, Message, MessageType, NodeId, RaftConfig,
  RaftStatus, ProgressStatus, ReadState, Ready, Role, Snapshot, SoftState,
} from './types.js';
import { areAppendable, isWellFormed } from './validate.js';

/** Vote requests with this context come from a leadership transfer and bypass the leader lease. */
const TRANSFER = 'transfer';
/**
 * A vote refusal may name the leader the refusing voter follows in its term. A member that
 * knows that leader only as a learner (its log ends before the promotion) refuses the leader's
 * own messages, but takes a voter's word for it (see admission.ts).
 */
const LEADER_HINT = 'leader:';
/** Largest command one proposal may carry: it must fit in one append message. */
export const MAX_ENTRY_BYTES = 8 * 1024 * 1024;
const EMPTY = new Uint8Array(0);

const DEFAULT_MAX_SIZE_PER_MSG = 1024 * 1024;
const DEFAULT_MAX_INFLIGHT = 256;

function badConfig(why: string): ShoalError {
  return new ShoalError(ErrorCode.BadConfig, `raft config: ${why}`);
}

function corrupt(why: string): ShoalError {
  return new ShoalError(ErrorCode.CorruptStore, `raft storage is inconsistent: ${why}; restore this node from a snapshot or remove and re-add it`);
}

/**
 * One Raft replica as a pure state machine, shaped like etcd's raft: the
 * caller ticks it, steps peer messages into it, and drains `ready()`:
 * persist, send, apply, then `advance()`. No clocks, no I/O.
 */
export class RaftNode {
  private readonly id: NodeId;
  private readonly electionTimeout: number;
  private readonly heartbeatTimeout: number;
  private readonly random: () => number;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  private readonly maxSizePerMsg: number;
  private readonly log: RaftLog;
  private readonly tracker: Tracker;
  private readonly readOnly = new ReadOnly();

  private term: number;
  private vote: NodeId | null;
  private role: Role = 'follower';
  private leader: NodeId | null = null;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private leadTransferee: NodeId | null = null;
  /** Index of the latest conf change proposed by this leader; another waits until it is applied. */
  private pendingConfIndex = 0;
  /** ReadIndex requests received before this leader committed an entry of its term. */
  private pendingReadIndex: Array<{ from: NodeId; context: string }> = [];
  /**
   * Membership after each conf entry in the log, committed or not (thesis 4.1: a server
   * uses the latest configuration in its log). The last one is in force; older ones stamp
   * snapshots taken at older indexes and come back if a new leader truncates the suffix.
   */
  private confHistory: Array<{ index: number; conf: ConfState }>;
  /** New entries or a new commit index should go out to followers at the next ready. */
  private needBroadcast = false;
  /** Every node seen in a membership by this process: a sender not in it may be a voter we lag behind. */
  private readonly known = new Set<NodeId>();
  /** Messages refused by `admission.ts`, by reason. */
  private readonly drops: DropCounts = emptyDropCounts();

  private msgs: Message[] = [];
  private readStates: ReadState[] = [];
  private prevSoft: SoftState = { leader: null, role: 'follower' };
  private prevHard: HardState;

  constructor(cfg: RaftConfig) {
    if (typeof cfg.id !== 'string' || cfg.id.length === 0) throw badConfig('id must be a non-empty string');
    if (!Number.isInteger(cfg.heartbeatTick) || cfg.heartbeatTick < 1) throw badConfig('heartbeatTick must be an integer >= 1');
    if (!Number.isInteger(cfg.electionTick) || cfg.electionTick <= cfg.heartbeatTick) throw badConfig('electionTick must be an integer greater than heartbeatTick');
    this.id = cfg.id;
    this.electionTimeout = cfg.electionTick;
    this.heartbeatTimeout = cfg.heartbeatTick;
    this.random = cfg.random;
    this.preVote = cfg.preVote ?? true;
    this.checkQuorum = cfg.checkQuorum ?? true;
    this.maxSizePerMsg = cfg.maxSizePerMsg ?? DEFAULT_MAX_SIZE_PER_MSG;

    const p = cfg.persisted;
    const snapIndex = p.snapshot ? p.snapshot.meta.index : 0;
    p.entries.forEach((e, i) => {
      if (e.index !== snapIndex + 1 + i) throw corrupt(`entry ${e.index} found where ${snapIndex + 1 + i} was expected`);
    });
    const lastIndex = snapIndex + p.entries.length;
    // The FSM may have applied past the persisted commit (commit-only hard states are not synced): what it applied was committed.
    let applied = Math.max(cfg.applied ?? snapIndex, snapIndex);
    if (applied > lastIndex) throw corrupt(`applied index ${applied} is past the last log index ${lastIndex}`);
    if (p.hardState.commit > lastIndex) throw corrupt(`commit index ${p.hardState.commit} is past the last log index ${lastIndex}`);
    const committed = Math.max(p.hardState.commit, applied, snapIndex);
    applied = Math.min(applied, committed);
    this.log = new RaftLog(p.snapshot, p.entries, committed, applied);

    // Every conf entry in the log counts, committed or not: a node that crashed with its commit
    // index below two persisted changes must not campaign under the membership before them.
    let conf = p.snapshot ? p.snapshot.meta.conf : p.conf;
    this.confHistory = [{ index: snapIndex, conf }];
    for (const e of this.log.slice(snapIndex + 1, lastIndex)) {
      if (e.type !== 'conf') continue;
      conf = this.confAfter(conf, e);
      this.confHistory.push({ index: e.index, conf });
    }
    this.tracker = new Tracker(conf, cfg.maxInflight ?? DEFAULT_MAX_INFLIGHT);
    for (const h of this.confHistory) this.noteKnown(h.conf);
    if (p.hardState.term > MAX_TERM) throw corrupt(`term ${p.hardState.term} is past the largest term ${MAX_TERM}`);
    this.term = p.hardState.term;
    this.vote = p.hardState.vote;
    this.prevHard = { term: this.term, vote: this.vote, commit: committed };
    this.resetRandomizedElectionTimeout();
  }

  // ---------------------------------------------------------------- public API

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
    if (!(data instanceof Uint8Array)) throw new ShoalError(ErrorCode.InvalidSpec, 'a proposal must be a Uint8Array');
    if (data.length > MAX_ENTRY_BYTES) {
      throw new ShoalError(ErrorCode.MessageTooLarge, `a proposal of ${data.length} bytes exceeds the ${MAX_ENTRY_BYTES}-byte limit; split the command`);
    }
    return this.appendEntry('normal', data);
  }

  proposeConfChange(cc: ConfChange): { index: number; term: number } {
    this.assertLeaderAcceptingWrites();
    if (this.pendingConfIndex > this.log.applied) {
      throw new ShoalError(ErrorCode.Conflict, 'a membership change is still in progress; retry once it is applied', { pendingIndex: this.pendingConfIndex });
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
    if (!this.tracker.voters.has(to)) throw new ShoalError(ErrorCode.NotFound, `${to} is not a voter; only a voter can become leader`, { node: to });
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
      throw new ShoalError(ErrorCode.InvalidSpec, `a read context must be a non-empty string of at most ${Math.floor(MAX_CONTEXT_BYTES / 3)} characters`);
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
    const committedEntries = log.nextCommitted();
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
      throw new ShoalError(ErrorCode.Conflict, `cannot snapshot at index ${index}: only entries up to ${log.applied} are applied`);
    }
    if (index < log.snapIndex) {
      throw new ShoalError(ErrorCode.Conflict, `cannot snapshot at index ${index}: the log is already compacted up to ${log.snapIndex}`);
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

  // ---------------------------------------------------------------- roles and timers

  private promotable(): boolean {
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

  private resetRandomizedElectionTimeout(): void {
    const r = Math.min(Math.max(this.random(), 0), 0.999999);
    this.randomizedElectionTimeout = this.electionTimeout + Math.floor(r * this.electionTimeout);
  }

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = null;
      // Replies queued in an older term may acknowledge entries the new term is about to
      // replace (an append from a new leader truncates unwritten ones). Raft tolerates lost
      // messages, so drop them rather than send a promise about a log we no longer hold.
      this.msgs = this.msgs.filter((m) => m.term >= term);
    }
    this.leader = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.leadTransferee = null;
    this.tracker.resetVotes();
    this.tracker.resetProgress(this.log.lastIndex() + 1);
    this.pendingConfIndex = 0;
    this.readOnly.reset();
    this.pendingReadIndex = [];
    this.needBroadcast = false;
  }

  private becomeFollower(term: number, leader: NodeId | null): void {
    this.reset(term);
    this.leader = leader;
    this.role = 'follower';
  }

  private becomePreCandidate(): void {
    // Term and vote stay as they are: a pre-vote round changes nothing durable.
    this.role = 'preCandidate';
    this.leader = null;
    this.tracker.resetVotes();
  }

  private becomeCandidate(): void {
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    this.reset(this.term);
    this.leader = this.id;
    this.role = 'leader';
    const self = this.tracker.progress.get(this.id);
    if (self) {
      self.match = this.log.stabled;
      self.becomeReplicate();
      self.recentActive = true;
    }
    // Entries of earlier terms can only commit together with one of ours (Raft 5.4.2), and a
    // conf change may hide among them: allow a new one only once everything up to here is applied.
    this.pendingConfIndex = this.log.lastIndex();
    this.appendEntry('normal', EMPTY);
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      for (const pr of this.tracker.progress.values()) {
        pr.silentRounds = pr.heard ? 0 : pr.silentRounds + 1;
        pr.heard = false;
      }
      if (this.checkQuorum && !this.tracker.quorumActive(this.id)) {
        this.becomeFollower(this.term, null);
        return;
      }
      if (this.removalCommitted()) {
        // No survivor caught up within an election timeout: step down and let them campaign.
        this.becomeFollower(this.term, null);
        return;
      }
      if (this.leadTransferee !== null) this.leadTransferee = null;
      this.maybeYieldToOlderVoter();
    }
    for (const pr of this.tracker.progress.values()) {
      // A snapshot message may be lost: retry after an election timeout without an answer.
      if (pr.state === 'snapshot' && ++pr.snapshotTicks >= this.electionTimeout) {
        pr.becomeProbe();
        this.needBroadcast = true;
      }
    }
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(this.readOnly.lastContext());
    }
  }

  private hup(transfer: boolean): void {
    // A term past MAX_TERM is never persisted: stop campaigning long before 2^53.
    if (this.role === 'leader' || !this.promotable() || this.term >= MAX_TERM) return;
    if (this.preVote && !transfer) this.startCampaign(true, false);
    else this.startCampaign(false, transfer);
  }

  private startCampaign(pre: boolean, transfer: boolean): void {
    let type: MessageType;
    let term: number;
    if (pre) {
      this.becomePreCandidate();
      type = 'preVote';
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      type = 'vote';
      term = this.term;
    }
    this.tracker.recordVote(this.id, true);
    if (this.tracker.tally() === 'won') {
      if (pre) this.startCampaign(false, transfer);
      else this.becomeLeader();
      return;
    }
    const index = this.log.lastIndex();
    const logTerm = this.log.lastTerm();
    for (const to of this.tracker.voters) {
      if (to === this.id) continue;
      const m: Message = { type, from: this.id, to, term, index, logTerm };
      if (transfer) m.context = TRANSFER;
      this.msgs.push(m);
    }
  }

  private handleVoteRequest(m: Message): void {
    const pre = m.type === 'preVote';
    const canVote = this.vote === m.from || (this.vote === null && this.leader === null) || (pre && m.term > this.term);
    const respType: MessageType = pre ? 'preVoteResp' : 'voteResp';
    if (canVote && this.log.isUpToDate(m.index ?? 0, m.logTerm ?? 0)) {
      // A grant carries the term of the request so the candidate counts it for that campaign.
      this.send({ type: respType, to: m.from, term: m.term });
      if (!pre) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      const resp: Omit<Message, 'from'> = { type: respType, to: m.from, term: this.term, reject: true };
      if (this.leader !== null && this.leader !== m.from) resp.context = LEADER_HINT + this.leader;
      this.send(resp);
    }
  }

  /** The leader named in a voter's vote refusal at our term or above, if any. */
  private leaderHint(m: Message): NodeId | null {
    if ((m.type !== 'voteResp' && m.type !== 'preVoteResp') || !m.reject || m.term < this.term) return null;
    if (!m.context?.startsWith(LEADER_HINT) || !this.possibleVoters().has(m.from)) return null;
    const id = m.context.slice(LEADER_HINT.length);
    return id.length > 0 && id !== this.id ? id : null;
  }

  // ---------------------------------------------------------------- per-role message handling

  private stepFollower(m: Message): void {
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

  private stepCandidate(m: Message): void {
    const respType: MessageType = this.role === 'preCandidate' ? 'preVoteResp' : 'voteResp';
    const hint = m.type === respType ? this.leaderHint(m) : null;
    if (hint !== null) {
      // A voter follows a leader in our term: the campaign is over.
      this.becomeFollower(this.term, hint);
      return;
    }
    switch (m.type) {
      case 'append':
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        return;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case 'snapshot':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      default:
        break;
    }
    if (m.type !== respType) return;
    this.tracker.recordVote(m.from, !m.reject);
    const result = this.tracker.tally();
    if (result === 'won') {
      if (this.role === 'preCandidate') this.startCampaign(false, false);
      else this.becomeLeader();
    } else if (result === 'lost') {
      this.becomeFollower(this.term, null);
    }
  }

  private stepLeader(m: Message): void {
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

  // ---------------------------------------------------------------- follower side of replication

  private handleAppend(m: Message): void {
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

  private handleHeartbeat(m: Message): void {
    this.log.commitTo(Math.min(m.commit ?? 0, this.log.lastIndex()));
    const resp: Message = { type: 'heartbeatResp', from: this.id, to: m.from, term: this.term };
    if (m.context !== undefined) resp.context = m.context;
    this.msgs.push(resp);
  }

  private handleSnapshot(m: Message): void {
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

  // ---------------------------------------------------------------- leader side of replication

  private handleAppendResp(m: Message, pr: Progress): void {
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

  private handleHeartbeatResp(m: Message, pr: Progress): void {
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
  private replicateTo(to: NodeId, sendIfEmpty: boolean): void {
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
  private sendAppend(to: NodeId, pr: Progress): boolean {
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

  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    const snapshot = this.log.snapshot;
    // Only ship a (possibly large) snapshot to a follower that answers.
    if (!pr.recentActive || !snapshot) return false;
    this.msgs.push({ type: 'snapshot', from: this.id, to, term: this.term, snapshot });
    pr.becomeSnapshot(snapshot.meta.index);
    return false;
  }

  private bcastHeartbeat(context: string | undefined): void {
    for (const [to, pr] of this.tracker.progress) {
      if (to === this.id) continue;
      const m: Message = { type: 'heartbeat', from: this.id, to, term: this.term, commit: Math.min(pr.match, this.log.committed) };
      if (context !== undefined) m.context = context;
      this.msgs.push(m);
    }
  }

  /** Send new entries and commit indexes to every follower, batched once per ready. */
  private flushBroadcast(): void {
    if (!this.needBroadcast) return;
    this.needBroadcast = false;
    if (this.role !== 'leader') return;
    for (const id of this.tracker.progress.keys()) this.replicateTo(id, false);
  }

  private maybeCommit(): boolean {
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

  private appendEntry(type: EntryType, data: Uint8Array): { index: number; term: number } {
    const index = this.log.lastIndex() + 1;
    this.log.append({ term: this.term, index, type, data });
    this.needBroadcast = true;
    return { index, term: this.term };
  }

  private assertLeaderAcceptingWrites(): void {
    if (this.role !== 'leader') throw new NotLeaderError(this.leader);
    // During a transfer new writes would only delay the target catching up.
    if (this.leadTransferee !== null) throw new NotLeaderError(this.leadTransferee);
  }

  // ---------------------------------------------------------------- reads

  private handleReadIndex(from: NodeId, context: string): void {
    // Our commit index is only known to be current once an entry of our term committed;
    // this holds for a single voter too, which may hold entries an older leader acknowledged.
    if (this.log.term(this.log.committed) !== this.term) {
      this.pendingReadIndex.push({ from, context });
      return;
    }
    if (this.tracker.isQuorum(new Set([this.id]))) {
      this.answerRead(from, this.log.committed, context);
      return;
    }
    if (this.readOnly.add(this.log.committed, context, from, this.id)) this.bcastHeartbeat(context);
  }

  private answerRead(from: NodeId, index: number, context: string): void {
    if (from === this.id) this.readStates.push({ index, context });
    else this.send({ type: 'readIndexResp', to: from, term: this.term, index, context });
  }

  // ---------------------------------------------------------------- membership

  private confAfter(conf: ConfState, e: Entry): ConfState {
    try {
      return applyConfChange(conf, decodeConfChange(e.data));
    } catch {
      // An undecodable conf entry changes nothing, on every replica alike.
      return conf;
    }
  }

  private confAt(index: number): ConfState {
    let conf = this.confHistory[0]!.conf;
    for (const h of this.confHistory) if (h.index <= index) conf = h.conf;
    return conf;
  }

  /**
   * Entries were appended from `ents[0].index` on (replacing any suffix): the membership in
   * force is the last conf entry in the log, so drop the history of replaced entries, record
   * the new conf entries, and switch the tracker if the membership changed.
   */
  private confAppended(ents: Entry[]): void {
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
  private possibleVoters(): ReadonlySet<NodeId> {
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

  private noteKnown(conf: ConfState): void {
    for (const id of [...conf.voters, ...conf.learners]) this.known.add(id);
  }

  private setMembership(conf: ConfState): void {
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

  /**
   * A member that knows this leader only as a learner (its log ends before our promotion)
   * refuses our appends (admission.ts) and stays silent. If one stays silent for three
   * election timeouts, hand leadership to a caught-up voter that has been a voter for longer:
   * that one it knows. Leadership only ever moves to an older voter, so this cannot loop.
   */
  private maybeYieldToOlderVoter(): void {
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
  private removalCommitted(): boolean {
    if (this.tracker.voters.has(this.id)) return false;
    return this.log.applied >= this.confHistory[this.confHistory.length - 1]!.index;
  }

  private maybeHandOver(): void {
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

  // ---------------------------------------------------------------- ready bookkeeping

  private send(m: Omit<Message, 'from'>): void {
    this.msgs.push({ ...m, from: this.id } as Message);
  }

  private softChanged(): boolean {
    return this.prevSoft.leader !== this.leader || this.prevSoft.role !== this.role;
  }

  private hardChanged(): boolean {
    const h = this.prevHard;
    return h.term !== this.term || h.vote !== this.vote || h.commit !== this.log.committed;
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
