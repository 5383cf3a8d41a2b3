/**
 * The contract of the pure Raft core. Shaped like etcd's raft: the caller
 * ticks, steps messages, and drains `ready()`: it persists `entries`,
 * `hardState` and `snapshot` (synced) BEFORE sending `messages`, applies
 * `committedEntries`, then calls `advance(ready)`.
 *
 * Additive changes are fine; do not rename or remove fields: storage, sim and
 * daemon are written against this file.
 */
export type NodeId = string;

export type EntryType = 'normal' | 'conf';

export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  /** Opaque command bytes for 'normal'; an encoded ConfChange for 'conf'. Empty for the leader's no-op. */
  data: Uint8Array;
}

export interface HardState {
  term: number;
  vote: NodeId | null;
  commit: number;
}

export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

export type ConfChangeType = 'addVoter' | 'addLearner' | 'promoteLearner' | 'removeNode';

export interface ConfChange {
  type: ConfChangeType;
  node: NodeId;
  /**
   * The whole membership after this change. The leader fills it in when it
   * proposes the change, so a node that joined with an empty conf (and never
   * saw the bootstrap membership) learns the full membership from the log.
   */
  conf?: ConfState;
}

export interface SnapshotMeta {
  index: number;
  term: number;
  conf: ConfState;
}

export interface Snapshot {
  meta: SnapshotMeta;
  data: Uint8Array;
}

export type MessageType =
  | 'preVote'
  | 'preVoteResp'
  | 'vote'
  | 'voteResp'
  | 'append'
  | 'appendResp'
  | 'heartbeat'
  | 'heartbeatResp'
  | 'snapshot'
  | 'snapshotResp'
  | 'timeoutNow'
  | 'readIndex'
  | 'readIndexResp';

/** One wire message. Optional fields are used by some types only. */
export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  /** append: index of the entry before `entries`; appendResp: last matching (or hinted) index. */
  index?: number;
  logTerm?: number;
  entries?: Entry[];
  commit?: number;
  reject?: boolean;
  /** Fast back-tracking hint on a rejected append: follower's last index / conflicting term. */
  rejectHint?: number;
  rejectTerm?: number;
  snapshot?: Snapshot;
  /** ReadIndex / heartbeat context to correlate responses. */
  context?: string;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

export interface SoftState {
  leader: NodeId | null;
  role: Role;
}

export interface ReadState {
  /** Commit index that must be applied before the read with `context` may be served. */
  index: number;
  context: string;
}

export interface Ready {
  softState?: SoftState;
  /** Set when term, vote or commit changed: persist (synced) before sending messages. */
  hardState?: HardState;
  /** Entries to append to stable storage; entries[0].index may overwrite a conflicting suffix. */
  entries: Entry[];
  /** A snapshot received from the leader: persist it and restore the FSM from it. */
  snapshot?: Snapshot;
  committedEntries: Entry[];
  messages: Message[];
  readStates: ReadState[];
  /** True when hardState or entries must be synced before messages go out. */
  mustSync: boolean;
}

/** What the node recovers from storage at start. */
export interface PersistedState {
  hardState: HardState;
  snapshot: Snapshot | null;
  /** Entries after the snapshot, in order. */
  entries: Entry[];
  /** Membership at start when there is no snapshot and no conf entry (bootstrap). */
  conf: ConfState;
}

export interface RaftConfig {
  id: NodeId;
  /** Ticks without a heartbeat before a follower campaigns; randomized in [electionTick, 2*electionTick). */
  electionTick: number;
  heartbeatTick: number;
  /** Injected randomness in [0, 1). */
  random: () => number;
  persisted: PersistedState;
  /** Index already applied by the FSM (entries up to it are not returned again). */
  applied?: number;
  preVote?: boolean;
  checkQuorum?: boolean;
  /** Max bytes of entries in one append message. */
  maxSizePerMsg?: number;
  /** Max append messages in flight per follower (pipelining). */
  maxInflight?: number;
  /**
   * Max bytes of committed entries one Ready hands out to apply (etcd's
   * MaxCommittedSizePerReady); the rest come in the next Readies. Default:
   * no limit. Lets a host apply a large backlog in slices and keep its
   * heartbeats going in between.
   */
  maxCommittedSizePerReady?: number;
}

export interface ProgressStatus {
  match: number;
  next: number;
  state: 'probe' | 'replicate' | 'snapshot';
  recentActive: boolean;
  learner: boolean;
}

export interface RaftStatus {
  id: NodeId;
  term: number;
  vote: NodeId | null;
  commit: number;
  applied: number;
  lastIndex: number;
  /** Index the log is compacted to: the last snapshot taken here or received from the leader (0: none). */
  snapshotIndex: number;
  role: Role;
  leader: NodeId | null;
  conf: ConfState;
  /** Only on the leader. */
  progress?: Record<NodeId, ProgressStatus>;
}
