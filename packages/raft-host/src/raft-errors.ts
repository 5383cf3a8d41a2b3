/**
 * The boundary between Raft's own errors (`RaftError`, @shoal/raft) and the
 * product's (`ShoalError` with a stable `code`): everything RaftHost throws or
 * rejects with is a ShoalError, the Raft one kept as its `cause`.
 */
import { isRaftError, type RaftErrorCode } from '@shoal/raft';
import { ErrorCode, NotLeaderError, ShoalError } from '@shoal/types';

const CODES: Record<Exclude<RaftErrorCode, 'NOT_LEADER'>, ErrorCode> = {
  BAD_ARGUMENT: ErrorCode.InvalidSpec,
  TOO_LARGE: ErrorCode.MessageTooLarge,
  BAD_MESSAGE: ErrorCode.BadMessage,
  CONFLICT: ErrorCode.Conflict,
  NOT_FOUND: ErrorCode.NotFound,
  COMPACTION: ErrorCode.Conflict,
  BAD_CONFIG: ErrorCode.BadConfig,
  CORRUPT_STATE: ErrorCode.CorruptStore,
};

/** A RaftError as the ShoalError it means; anything else unchanged. */
export function toShoalError(err: unknown): unknown {
  if (!isRaftError(err)) return err;
  if (err.code === 'NOT_LEADER') {
    const hint = err.details?.leaderHint;
    return new NotLeaderError(typeof hint === 'string' ? hint : null);
  }
  return new ShoalError(CODES[err.code], err.message, err.details, { cause: err });
}

/** Runs a call into RaftNode, translating what it throws. */
export function raftCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toShoalError(err);
  }
}
