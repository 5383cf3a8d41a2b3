/**
 * What one Raft replica knows (term, vote, role, log, progress of the others,
 * membership history) and the role transitions every part of the protocol
 * uses. The protocol itself is layered on top, one concern per file, the way
 * etcd splits raft.go: reconfiguration.ts, read-index.ts, replication.ts,
 * election.ts, and node.ts (the public, RawNode-like API).
 */
import { RaftError } from './errors.js';
import { MAX_TERM, emptyDropCounts, type DropCounts } from './admission.js';
import { confAfterEntry } from './conf-change.js';
import { RaftLog } from './log.js';
import { ReadOnly } from './read-only.js';
import { Tracker } from './tracker.js';
import type { ConfState, EntryType, HardState, Message, NodeId, RaftConfig, ReadState, Role, SoftState } from './types.js';

const EMPTY = new Uint8Array(0);
const DEFAULT_MAX_SIZE_PER_MSG = 1024 * 1024;
const DEFAULT_MAX_INFLIGHT = 256;

function badConfig(why: string): RaftError {
  return new RaftError('BAD_CONFIG', `raft config: ${why}`);
}

function corrupt(why: string): RaftError {
  return new RaftError('CORRUPT_STATE', `raft storage is inconsistent: ${why}; restore this node from a snapshot or remove and re-add it`);
}

export abstract class RaftState {
  protected readonly id: NodeId;
  protected readonly electionTimeout: number;
  protected readonly heartbeatTimeout: number;
  protected readonly random: () => number;
  protected readonly preVote: boolean;
  protected readonly checkQuorum: boolean;
  protected readonly maxSizePerMsg: number;
  protected readonly maxCommittedSizePerReady: number;
  protected readonly log: RaftLog;
  protected readonly tracker: Tracker;
  protected readonly readOnly = new ReadOnly();

  protected term: number;
  protected vote: NodeId | null;
  protected role: Role = 'follower';
  protected leader: NodeId | null = null;
  protected electionElapsed = 0;
  protected heartbeatElapsed = 0;
  protected randomizedElectionTimeout = 0;
  protected leadTransferee: NodeId | null = null;
  /** Index of the latest conf change proposed by this leader; another waits until it is applied. */
  protected pendingConfIndex = 0;
  /** ReadIndex requests received before this leader committed an entry of its term. */
  protected pendingReadIndex: Array<{ from: NodeId; context: string }> = [];
  /**
   * Membership after each conf entry in the log, committed or not (thesis 4.1: a server
   * uses the latest configuration in its log). The last one is in force; older ones stamp
   * snapshots taken at older indexes and come back if a new leader truncates the suffix.
   */
  protected confHistory: Array<{ index: number; conf: ConfState }>;
  /** New entries or a new commit index should go out to followers at the next ready. */
  protected needBroadcast = false;
  /** Every node seen in a membership by this process: a sender not in it may be a voter we lag behind. */
  protected readonly known = new Set<NodeId>();
  /** Messages refused by `admission.ts`, by reason. */
  protected readonly drops: DropCounts = emptyDropCounts();

  protected msgs: Message[] = [];
  protected readStates: ReadState[] = [];
  protected prevSoft: SoftState = { leader: null, role: 'follower' };
  protected prevHard: HardState;

  protected constructor(cfg: RaftConfig) {
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
    this.maxCommittedSizePerReady = cfg.maxCommittedSizePerReady ?? Infinity;

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
      conf = confAfterEntry(conf, e);
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

  /** Appends one entry of the current term to the leader's log (replication.ts). */
  protected abstract appendEntry(type: EntryType, data: Uint8Array): { index: number; term: number };

  protected resetRandomizedElectionTimeout(): void {
    const r = Math.min(Math.max(this.random(), 0), 0.999999);
    this.randomizedElectionTimeout = this.electionTimeout + Math.floor(r * this.electionTimeout);
  }

  protected reset(term: number): void {
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

  protected becomeFollower(term: number, leader: NodeId | null): void {
    this.reset(term);
    this.leader = leader;
    this.role = 'follower';
  }

  protected becomePreCandidate(): void {
    // Term and vote stay as they are: a pre-vote round changes nothing durable.
    this.role = 'preCandidate';
    this.leader = null;
    this.tracker.resetVotes();
  }

  protected becomeCandidate(): void {
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  protected becomeLeader(): void {
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

  protected noteKnown(conf: ConfState): void {
    for (const id of [...conf.voters, ...conf.learners]) this.known.add(id);
  }

  protected send(m: Omit<Message, 'from'>): void {
    this.msgs.push({ ...m, from: this.id } as Message);
  }

  protected softChanged(): boolean {
    return this.prevSoft.leader !== this.leader || this.prevSoft.role !== this.role;
  }

  protected hardChanged(): boolean {
    const h = this.prevHard;
    return h.term !== this.term || h.vote !== this.vote || h.commit !== this.log.committed;
  }
}
