/**
 * The simulated clock and its event queue: a binary heap ordered by
 * (time, insertion order), so two events at the same instant always run in
 * the order they were scheduled and a seed replays exactly.
 */
export interface SimEvent {
  at: number;
  seq: number;
  run: () => void;
}

export class EventQueue {
  private heap: SimEvent[] = [];
  private seq = 0;
  /** Current simulated time in milliseconds. */
  now = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Runs `run` after `delay` simulated milliseconds (>= 0). */
  after(delay: number, run: () => void): void {
    this.push({ at: this.now + Math.max(0, delay), seq: this.seq++, run });
  }

  /** Pops and runs the next event; returns false when the queue is empty. */
  runNext(): boolean {
    const ev = this.pop();
    if (!ev) return false;
    this.now = ev.at;
    ev.run();
    return true;
  }

  /** Runs every event due at or before `until`, then sets the clock to `until`. */
  runUntil(until: number, shouldStop: () => boolean = () => false): void {
    while (this.heap.length > 0 && this.heap[0].at <= until) {
      this.runNext();
      if (shouldStop()) return;
    }
    this.now = Math.max(this.now, until);
  }

  private push(ev: SimEvent): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): SimEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
