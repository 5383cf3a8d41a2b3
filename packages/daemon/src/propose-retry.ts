/**
 * Which failures of a proposal are worth another try within its deadline:
 * the leader moved (NOT_LEADER), did not answer in time (TIMEOUT), or could
 * not be dialled at all (a libp2p dial error, marked `unreachable` by the
 * rpc layer). When the deadline passes on these, the caller gets NO_QUORUM
 * (503), never the transport's own error as a 500.
 */
import { ErrorCode, ShoalError } from '@shoal/types';

export function isRetriableProposeError(err: unknown): boolean {
  if (!(err instanceof ShoalError)) return false;
  if (err.code === ErrorCode.NotLeader || err.code === ErrorCode.Timeout || err.code === ErrorCode.NoQuorum) return true;
  return err.details?.unreachable === true;
}
