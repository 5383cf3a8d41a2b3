/**
 * The cluster state as Raft's state machine: committed entries are decoded
 * and applied in order, snapshots are the state's own. One adapter for the
 * agent and for the benchmarks that run RaftHost without libp2p.
 */
import { ErrorCode } from '@shoal/types';
import { decodeCommand, type ClusterState, type Command } from '@shoal/state';
import type { StateMachine } from '@shoal/raft-host';

export interface StateMachineHooks {
  /** A committed entry that does not decode (skipped the same way on every replica). */
  onUndecodable?: (index: number, err: unknown) => void;
  /** After a leader's snapshot replaced the state. */
  onRestore?: () => void;
}

export function clusterStateMachine(state: ClusterState, hooks: StateMachineHooks = {}): StateMachine {
  return {
    apply: (entry) => {
      if (entry.data.length === 0) return { result: { ok: true }, index: entry.index };
      let cmd: Command;
      try {
        cmd = decodeCommand(entry.data);
      } catch (err) {
        hooks.onUndecodable?.(entry.index, err);
        return { result: { ok: false, error: { code: ErrorCode.BadMessage, message: String(err) } }, index: entry.index };
      }
      return { result: state.apply(cmd, entry.index), index: entry.index };
    },
    snapshot: () => state.snapshot(),
    restore: (data) => {
      state.restore(data);
      hooks.onRestore?.();
    },
  };
}
