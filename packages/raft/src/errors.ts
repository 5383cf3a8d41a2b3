/**
 * Raft's own errors, as etcd's raft has its sentinel errors: the package
 * knows nothing of the product's error codes. The host that embeds it maps
 * these at its boundary (`@shoal/raft-host`'s `toShoalError`).
 */
export type RaftErrorCode =
  /** Only the leader takes proposals, conf changes, transfers and ReadIndex; `leaderHint` names the one we know. */
  | 'NOT_LEADER'
  /** A call's argument makes no sense (not bytes, an empty read context, a conf change without a node). */
  | 'BAD_ARGUMENT'
  /** A proposal or a message is larger than the limits (MAX_ENTRY_BYTES, MAX_MESSAGE_BYTES). */
  | 'TOO_LARGE'
  /** Bytes from a peer that do not decode to a well-formed message. */
  | 'BAD_MESSAGE'
  /** A conf change while another is not yet applied, or one that contradicts the membership. */
  | 'CONFLICT'
  /** A conf change or transfer names a node that is not a member (or not a voter). */
  | 'NOT_FOUND'
  /** compact() at an index not yet applied or already compacted. */
  | 'COMPACTION'
  /** RaftConfig is invalid. */
  | 'BAD_CONFIG'
  /** The persisted state handed to the constructor is inconsistent. */
  | 'CORRUPT_STATE';

export class RaftError extends Error {
  constructor(
    readonly code: RaftErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RaftError';
  }
}

/** The node is not the leader; `leaderHint` (also in `details`) is the leader it knows, or the transfer target. */
export class NotLeaderError extends RaftError {
  constructor(readonly leaderHint: string | null) {
    super('NOT_LEADER', leaderHint ? `not the leader; the leader is ${leaderHint}` : 'not the leader, and no leader is known yet; retry shortly', { leaderHint });
    this.name = 'NotLeaderError';
  }
}

export function isRaftError(err: unknown): err is RaftError {
  return err instanceof RaftError;
}
