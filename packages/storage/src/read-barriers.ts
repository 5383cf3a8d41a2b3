/**
 * ReadIndex waiters: a read barrier first learns the leader's confirmed
 * commit index (a ReadState with its context), then waits until the local
 * FSM has applied up to it.
 */
import { ErrorCode, ShoalError } from '@shoal/types';
import type { ReadState } from '@shoal/raft';

interface Barrier {
  readIndex: number | null;
  resolve: () => void;
  reject: (err: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class ReadBarriers {
  private readonly byContext = new Map<string, Barrier>();

  wait(context: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.byContext.delete(context);
        reject(new ShoalError(ErrorCode.NoQuorum, `read barrier not confirmed by a quorum within ${timeoutMs} ms; the cluster may have lost its leader or quorum`));
      }, timeoutMs);
      this.byContext.set(context, { readIndex: null, resolve, reject, timer });
    });
  }

  confirmed(states: ReadState[], applied: number): void {
    for (const rs of states) {
      const b = this.byContext.get(rs.context);
      if (b && b.readIndex === null) b.readIndex = rs.index;
    }
    this.applied(applied);
  }

  applied(applied: number): void {
    for (const [ctx, b] of this.byContext) {
      if (b.readIndex !== null && b.readIndex <= applied) {
        this.byContext.delete(ctx);
        clearTimeout(b.timer);
        b.resolve();
      }
    }
  }

  rejectAll(err: unknown): void {
    for (const b of this.byContext.values()) {
      clearTimeout(b.timer);
      b.reject(err);
    }
    this.byContext.clear();
  }
}
