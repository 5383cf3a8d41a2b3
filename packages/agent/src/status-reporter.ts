/**
 * Sends observed task states to the leader. Each report is a Raft proposal,
 * so updates are batched (everything pushed in the same turn of the event
 * loop, and everything pushed while a report is in flight, goes in one
 * call), coalesced (only the latest status per task is kept) and retried
 * with exponential backoff while the leader is unreachable.
 */
import type { TaskStatus } from '@shoal/types';
import type { Logger } from 'pino';
import { stateRank } from './task-state-order.js';

export type ReportFn = (updates: { taskId: string; status: TaskStatus }[]) => Promise<void>;

export interface ReporterOptions {
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class StatusReporter {
  private pending = new Map<string, TaskStatus>();
  private inFlight = false;
  private scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined;
  private backoffMs: number;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly report: ReportFn,
    private readonly logger: Logger,
    opts: ReporterOptions = {},
  ) {
    this.minBackoffMs = opts.minBackoffMs ?? 100;
    this.maxBackoffMs = opts.maxBackoffMs ?? 5000;
    this.backoffMs = this.minBackoffMs;
  }

  /** Queues a status; a queued later state of the same task wins over an earlier one. */
  push(taskId: string, status: TaskStatus): void {
    if (this.closed) return;
    this.merge(taskId, status);
    if (!this.inFlight && !this.scheduled) this.scheduled = setImmediate(() => void this.send());
  }

  /** Drops anything queued for a task that no longer exists. */
  forget(taskId: string): void {
    this.pending.delete(taskId);
  }

  /** Resolves when nothing is queued or in flight (or after `timeoutMs`). */
  async drain(timeoutMs: number): Promise<void> {
    if (this.pending.size === 0 && !this.inFlight) return;
    if (this.scheduled) {
      clearTimeout(this.scheduled as NodeJS.Timeout);
      clearImmediate(this.scheduled as NodeJS.Immediate);
      this.scheduled = undefined;
      void this.send();
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.closed = true;
    if (this.scheduled) {
      clearTimeout(this.scheduled as NodeJS.Timeout);
      clearImmediate(this.scheduled as NodeJS.Immediate);
    }
    this.scheduled = undefined;
    this.pending.clear();
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private merge(taskId: string, status: TaskStatus): void {
    const queued = this.pending.get(taskId);
    if (!queued || stateRank(status.state) >= stateRank(queued.state)) this.pending.set(taskId, status);
  }

  private async send(): Promise<void> {
    this.scheduled = undefined;
    if (this.closed || this.inFlight || this.pending.size === 0) return this.notifyIdle();
    const batch = [...this.pending].map(([taskId, status]) => ({ taskId, status }));
    this.pending = new Map();
    this.inFlight = true;
    try {
      await this.report(batch);
      this.backoffMs = this.minBackoffMs;
      this.inFlight = false;
      if (this.pending.size > 0) return this.send();
      this.notifyIdle();
    } catch (err) {
      this.inFlight = false;
      if (this.closed) return;
      // Put the batch back under anything newer that arrived meanwhile.
      for (const u of batch) this.merge(u.taskId, u.status);
      this.logger.warn({ err, tasks: batch.length, retryInMs: this.backoffMs }, 'task status report failed; retrying');
      this.scheduled = setTimeout(() => void this.send(), this.backoffMs);
      this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2);
    }
  }

  private notifyIdle(): void {
    if (this.pending.size === 0 && !this.inFlight) for (const w of this.idleWaiters.splice(0)) w();
  }
}
