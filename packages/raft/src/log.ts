import type { Entry, Snapshot } from './types.js';

/**
 * The in-memory Raft log: the latest snapshot plus an array of the entries
 * after it (array + offset, so appends and lookups are O(1) and only
 * compaction moves memory).
 *
 * Three cursors describe how far each entry has travelled:
 *   handedOut: entries at or below it were given to the caller in a Ready;
 *   stabled:   entries at or below it are known to be persisted (advanced);
 *   committed: entries at or below it are committed;
 * and `applying` / `applied` track committed entries given out / applied.
 */
export class RaftLog {
  /** The most recent snapshot (received or compacted), or null if the log starts at index 1. */
  snapshot: Snapshot | null;
  /** Index and term of the entry just before entries[0]. */
  snapIndex: number;
  snapTerm: number;
  private entries: Entry[];
  /** A snapshot received from the leader that the caller has not persisted yet. */
  pendingSnapshot: Snapshot | null = null;
  /** Whether pendingSnapshot was already given to the caller in a Ready. */
  snapshotHandedOut = false;

  handedOut: number;
  stabled: number;
  committed: number;
  applying: number;
  applied: number;

  constructor(snapshot: Snapshot | null, entries: Entry[], committed: number, applied: number) {
    this.snapshot = snapshot;
    this.snapIndex = snapshot ? snapshot.meta.index : 0;
    this.snapTerm = snapshot ? snapshot.meta.term : 0;
    this.entries = entries.slice();
    this.handedOut = this.lastIndex();
    this.stabled = this.lastIndex();
    this.committed = committed;
    this.applying = applied;
    this.applied = applied;
  }

  firstIndex(): number {
    return this.snapIndex + 1;
  }

  lastIndex(): number {
    return this.snapIndex + this.entries.length;
  }

  lastTerm(): number {
    const n = this.entries.length;
    return n === 0 ? this.snapTerm : this.entries[n - 1]!.term;
  }

  /** Term of entry `i`, or undefined if it was compacted away or does not exist. */
  term(i: number): number | undefined {
    if (i === this.snapIndex) return this.snapTerm;
    if (i < this.snapIndex || i > this.lastIndex()) return undefined;
    return this.entries[i - this.snapIndex - 1]!.term;
  }

  matchTerm(i: number, term: number): boolean {
    return this.term(i) === term;
  }

  entry(i: number): Entry | undefined {
    if (i <= this.snapIndex || i > this.lastIndex()) return undefined;
    return this.entries[i - this.snapIndex - 1];
  }

  /** Entries [lo, hi] (inclusive), at least one if any, at most `maxBytes` of data beyond the first. */
  slice(lo: number, hi: number, maxBytes = Infinity): Entry[] {
    lo = Math.max(lo, this.firstIndex());
    hi = Math.min(hi, this.lastIndex());
    if (lo > hi) return [];
    const start = lo - this.snapIndex - 1;
    const end = hi - this.snapIndex;
    if (maxBytes === Infinity) return this.entries.slice(start, end);
    const out: Entry[] = [];
    let size = 0;
    for (let k = start; k < end; k++) {
      const e = this.entries[k]!;
      size += e.data.length + 16;
      if (out.length > 0 && size > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  /** Is a log ending at (index, term) at least as up to date as ours (Raft 5.4.1)? */
  isUpToDate(index: number, term: number): boolean {
    const lt = this.lastTerm();
    return term > lt || (term === lt && index >= this.lastIndex());
  }

  append(e: Entry): void {
    this.entries.push(e);
  }

  /**
   * Append `ents` (contiguous), replacing any suffix they conflict with.
   * The caller guarantees ents[0].index is in (committed, lastIndex+1].
   */
  truncateAndAppend(ents: Entry[]): void {
    const first = ents[0]!.index;
    if (first <= this.lastIndex()) {
      this.entries.length = first - this.snapIndex - 1;
      this.handedOut = Math.min(this.handedOut, first - 1);
      this.stabled = Math.min(this.stabled, first - 1);
    }
    for (const e of ents) this.entries.push(e);
  }

  /** Index of the first entry of `ents` that is not already in the log with the same term, or 0. */
  findConflict(ents: Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * Fast back-tracking: the largest index <= `index` whose term is <= `term`,
   * and that term. Lets a leader skip a whole conflicting term per round trip.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    // Beyond our log (e.g. a hint from a peer) the term is unknown: a possible match, and no walk over it.
    if (index > this.lastIndex()) return { index, term: 0 };
    for (; index > this.snapIndex; index--) {
      const t = this.term(index)!;
      if (t <= term) return { index, term: t };
    }
    return { index, term: this.term(index) ?? 0 };
  }

  commitTo(i: number): boolean {
    if (i > this.committed) {
      this.committed = i;
      return true;
    }
    return false;
  }

  /** Entries the caller may apply now: committed, persisted, not yet handed out. */
  nextCommitted(maxBytes = Infinity): Entry[] {
    const hi = Math.min(this.committed, this.stabled);
    if (this.applying >= hi || this.pendingSnapshot) return [];
    return this.slice(this.applying + 1, hi, maxBytes);
  }

  hasNextCommitted(): boolean {
    return !this.pendingSnapshot && this.applying < Math.min(this.committed, this.stabled);
  }

  unstableEntries(): Entry[] {
    if (this.handedOut >= this.lastIndex()) return [];
    return this.slice(this.handedOut + 1, this.lastIndex());
  }

  /** The caller persisted everything up to (index, term). */
  stableTo(index: number, term: number): void {
    if (index > this.stabled && this.matchTerm(index, term)) this.stabled = index;
  }

  /** Replace the whole log with a snapshot from the leader. */
  restore(s: Snapshot): void {
    this.snapshot = s;
    this.pendingSnapshot = s;
    this.snapshotHandedOut = false;
    this.snapIndex = s.meta.index;
    this.snapTerm = s.meta.term;
    this.entries = [];
    this.committed = s.meta.index;
    this.handedOut = s.meta.index;
    this.stabled = Math.min(this.stabled, s.meta.index);
    this.applying = Math.max(this.applying, s.meta.index);
  }

  /** The caller persisted the pending snapshot and restored its state machine from it. */
  snapshotPersisted(s: Snapshot): void {
    if (this.pendingSnapshot === s) this.pendingSnapshot = null;
    if (this.snapIndex === s.meta.index && this.snapTerm === s.meta.term) {
      this.stabled = Math.max(this.stabled, s.meta.index);
    }
    this.applied = Math.max(this.applied, s.meta.index);
  }

  /** Drop the entries up to and including `s.meta.index`, which `s` now covers. */
  compact(s: Snapshot): void {
    const drop = s.meta.index - this.snapIndex;
    if (drop <= 0) return;
    this.entries.splice(0, drop);
    this.snapshot = s;
    this.snapIndex = s.meta.index;
    this.snapTerm = s.meta.term;
  }
}
