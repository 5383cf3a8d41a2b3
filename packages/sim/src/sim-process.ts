/**
 * One simulated process's view of time: the `HostScheduler` RaftHost runs
 * on, driven by the simulation's event queue. It also models what a real
 * process suffers: a pause (SIGSTOP, a long GC) during which timers are
 * missed and everything else (messages, disk completions, requests) waits,
 * and death (a crash or a stop), after which nothing the old incarnation
 * scheduled ever runs.
 */
import type { Cancel, HostScheduler } from '@shoal/raft-host';
import type { EventQueue } from './event-queue.js';
import { SimViolation } from './violation.js';

export class SimProcess implements HostScheduler {
  /** Bumped on every death: work scheduled by an earlier incarnation is dropped. */
  private incarnation = 0;
  private alive = false;
  /** Work that arrived while paused, run in order on resume; null when not paused. */
  private deferred: (() => void)[] | null = null;

  constructor(
    private readonly queue: EventQueue,
    readonly id: string,
    /** Records a violation so the run stops even when RaftHost catches what we throw. */
    private readonly fail: (v: SimViolation) => void,
  ) {}

  get up(): boolean {
    return this.alive;
  }

  get paused(): boolean {
    return this.deferred !== null;
  }

  /** A new incarnation starts (boot or restart). */
  boot(): void {
    this.incarnation++;
    this.alive = true;
    this.deferred = null;
  }

  /** The process is gone: nothing it scheduled runs any more. */
  kill(): void {
    this.incarnation++;
    this.alive = false;
    this.deferred = null;
  }

  pause(): void {
    if (this.alive && !this.deferred) this.deferred = [];
  }

  resume(): void {
    const work = this.deferred;
    this.deferred = null;
    for (const w of work ?? []) w();
  }

  /**
   * Runs `fn` now on behalf of this incarnation: dropped if the process died
   * since `inc`, queued if it is paused. A violation is recorded (the run
   * stops); anything else Raft or the host throws is one ("raft-threw").
   */
  run(fn: () => void, inc = this.incarnation): void {
    if (!this.alive || inc !== this.incarnation) return;
    if (this.deferred) {
      this.deferred.push(() => this.run(fn, inc));
      return;
    }
    try {
      fn();
    } catch (err) {
      if (err instanceof SimViolation) {
        this.fail(err);
        throw err;
      }
      const e = err as Error;
      const v = new SimViolation('raft-threw', `${this.id}: ${e?.name}: ${e?.message}\n${e?.stack ?? ''}`);
      this.fail(v);
      throw v;
    }
  }

  /** Runs `fn` after `ms` simulated ms on behalf of the current incarnation. */
  later(ms: number, fn: () => void): void {
    const inc = this.incarnation;
    this.queue.after(ms, () => this.run(fn, inc));
  }

  every(ms: number, fn: () => void): Cancel {
    const inc = this.incarnation;
    let live = true;
    const fire = (): void => {
      if (!live || inc !== this.incarnation) return;
      // A paused process misses its timer ticks; it does not catch up on them.
      if (!this.deferred) this.run(fn, inc);
      this.queue.after(ms, fire);
    };
    this.queue.after(ms, fire);
    return () => {
      live = false;
    };
  }

  after(ms: number, fn: () => void): Cancel {
    let live = true;
    this.later(ms, () => {
      if (live) fn();
    });
    return () => {
      live = false;
    };
  }

  soon(fn: () => void): void {
    this.later(0, fn);
  }
}
