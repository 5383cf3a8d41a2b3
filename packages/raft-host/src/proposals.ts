/**
 * Proposals waiting for their entry to be applied, keyed by log index. An
 * entry applied at that index with another term means ours was overwritten
 * by a new leader: the proposer learns it was not committed.
 */
import type { Entry, NodeId } from '@shoal/raft';
import { ErrorCode, ShoalError } from '@shoal/types';
import type { Cancel, HostScheduler } from './scheduler.js';

interface Waiter {
  term: number;
  resolve: (result: unknown) => void;
  reject: (err: unknown) => void;
  cancelTimer?: Cancel;
  cleanup?: () => void;
}

export type Settle = (err: unknown, value?: unknown) => void;

export class PendingProposals {
  private readonly byIndex = new Map<number, Waiter>();

  constructor(private readonly scheduler: HostScheduler) {}

  get size(): number {
    return this.byIndex.size;
  }

  /** Waits for the entry at (index, term); rejects on timeout or abort. */
  wait(index: number, term: number, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<unknown> {
    return new Promise((resolve, reject) => this.watch(index, term, opts, (err, value) => (err ? reject(err) : resolve(value))));
  }

  /** Like `wait`, with a callback: `settle(err)` or `settle(null, result)`, exactly once. */
  watch(index: number, term: number, opts: { timeoutMs: number; signal?: AbortSignal }, settle: Settle): void {
    const resolve = (value: unknown): void => settle(null, value);
    const reject = (err: unknown): void => settle(err);
    const previous = this.byIndex.get(index);
    if (previous) this.settle(index, previous, () => previous.reject(overwritten(index, null)));
    const w: Waiter = { term, resolve, reject };
    w.cancelTimer = this.scheduler.after(opts.timeoutMs, () => this.settle(index, w, () => reject(new ShoalError(ErrorCode.Timeout, `proposal at index ${index} was not applied within ${opts.timeoutMs} ms; its outcome is unknown, check the state before retrying`, { index }))));
    if (opts.signal) {
      const signal = opts.signal;
      const onAbort = () => this.settle(index, w, () => reject(new ShoalError(ErrorCode.Aborted, `proposal at index ${index} was abandoned by the caller; it may still be applied`, { index })));
      this.byIndex.set(index, w);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      w.cleanup = () => signal.removeEventListener('abort', onAbort);
      return;
    }
    this.byIndex.set(index, w);
  }

  /** Called for every applied entry, in order. */
  applied(entry: Entry, result: { value?: unknown; error?: unknown }, leader: NodeId | null): void {
    const w = this.byIndex.get(entry.index);
    if (!w) return;
    if (w.term !== entry.term) this.settle(entry.index, w, () => w.reject(overwritten(entry.index, leader)));
    else if ('error' in result) this.settle(entry.index, w, () => w.reject(result.error));
    else this.settle(entry.index, w, () => w.resolve(result.value));
  }

  /** A snapshot jumped past these indexes: we cannot tell whether our entries made it. */
  skippedTo(index: number, leader: NodeId | null): void {
    for (const [i, w] of this.byIndex) {
      if (i <= index) this.settle(i, w, () => w.reject(overwritten(i, leader, 'its outcome is unknown (the log was replaced by a snapshot)')));
    }
  }

  rejectAll(err: unknown): void {
    for (const [i, w] of this.byIndex) this.settle(i, w, () => w.reject(err));
  }

  private settle(index: number, w: Waiter, done: () => void): void {
    if (this.byIndex.get(index) === w) this.byIndex.delete(index);
    w.cancelTimer?.();
    w.cleanup?.();
    done();
  }
}

function overwritten(index: number, leader: NodeId | null, why = 'it was overwritten after a leader change and not committed'): ShoalError {
  return new ShoalError(ErrorCode.NotLeader, `proposal at index ${index} lost: ${why}; retry on the current leader${leader ? ` (${leader})` : ''}`, { index, leaderHint: leader });
}
