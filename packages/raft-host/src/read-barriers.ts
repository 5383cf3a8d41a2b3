/**
 * ReadIndex waiters: a read barrier first learns the leader's confirmed
 * commit index (a ReadState with its context), then waits until the local
 * FSM has applied up to it.
 */
import { ErrorCode, ShoalError } from '@shoal/types';
import type { ReadState } from '@shoal/raft';
import type { Cancel, HostScheduler } from './scheduler.js';

interface Barrier {
  readIndex: number | null;
  settle: (err: unknown) => void;
  cancelTimer: Cancel;
}

export class ReadBarriers {
  private readonly byContext = new Map<string, Barrier>();

  constructor(private readonly scheduler: HostScheduler) {}

  wait(context: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => this.watch(context, timeoutMs, (err) => (err ? reject(err) : resolve())));
  }

  /** Like `wait`, with a callback called exactly once: `settle(null)` once readable, `settle(err)` otherwise. */
  watch(context: string, timeoutMs: number, settle: (err: unknown) => void): void {
    const cancelTimer = this.scheduler.after(timeoutMs, () => {
      this.byContext.delete(context);
      settle(new ShoalError(ErrorCode.NoQuorum, `read barrier not confirmed by a quorum within ${timeoutMs} ms; the cluster may have lost its leader or quorum`));
    });
    this.byContext.set(context, { readIndex: null, settle, cancelTimer });
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
        b.cancelTimer();
        b.settle(null);
      }
    }
  }

  rejectAll(err: unknown): void {
    const all = [...this.byContext.values()];
    this.byContext.clear();
    for (const b of all) {
      b.cancelTimer();
      b.settle(err);
    }
  }
}
