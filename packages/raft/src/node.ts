import { ErrorCode, NotLeaderError, ShoalError } from '@shoal/types';
import type { ConfChange, Message, NodeId, RaftConfig, RaftStatus, Ready, Snapshot } from './types.js';

/** Skeleton: the API only, so that sim and storage can compile against it. */
export class RaftNode {
  constructor(private readonly cfg: RaftConfig) {}
  tick(): void {}
  step(_m: Message): void {}
  propose(_data: Uint8Array): { index: number; term: number } {
    throw new NotLeaderError(null);
  }
  proposeConfChange(_cc: ConfChange): { index: number; term: number } {
    throw new NotLeaderError(null);
  }
  transferLeadership(_to: NodeId): void {}
  readIndex(_context: string): void {
    throw new NotLeaderError(null);
  }
  campaign(): void {}
  hasReady(): boolean {
    return false;
  }
  ready(): Ready {
    return { entries: [], committedEntries: [], messages: [], readStates: [], mustSync: false };
  }
  advance(_rd: Ready): void {}
  compact(_index: number, _data: Uint8Array): Snapshot {
    throw new ShoalError(ErrorCode.Internal, 'not implemented yet');
  }
  status(): RaftStatus {
    const p = this.cfg.persisted;
    return { id: this.cfg.id, term: p.hardState.term, vote: p.hardState.vote, commit: p.hardState.commit, applied: 0, lastIndex: 0, role: 'follower', leader: null, conf: p.conf };
  }
}
