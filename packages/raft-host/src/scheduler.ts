/**
 * Time as RaftHost sees it: timers and "soon". Production uses Node's
 * timers; a simulator or a test passes its own, so the one host loop runs
 * on simulated time too.
 */
export type Cancel = () => void;

export interface HostScheduler {
  /** Runs `fn` every `ms` until cancelled. */
  every(ms: number, fn: () => void): Cancel;
  /** Runs `fn` once after `ms` unless cancelled. */
  after(ms: number, fn: () => void): Cancel;
  /** Runs `fn` after the work already queued (Node: setImmediate), so one Ready batches it all. */
  soon(fn: () => void): void;
}

export const realScheduler: HostScheduler = {
  every(ms, fn) {
    const t = setInterval(fn, ms);
    return () => clearInterval(t);
  },
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
  soon(fn) {
    setImmediate(fn);
  },
};
