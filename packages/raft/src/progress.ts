import { Inflights } from './inflights.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/**
 * What the leader knows about one follower's log (etcd's Progress):
 * - probe: we do not know where its log ends; send one append at a time
 *   and walk `next` back on rejection;
 * - replicate: it accepts our appends; send optimistically (next moves
 *   ahead of match) up to `maxInflight` messages;
 * - snapshot: it needs entries we compacted; a snapshot is on its way.
 */
export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** Index of the snapshot in flight (snapshot state). */
  pendingSnapshot = 0;
  /** Leader ticks since the snapshot was sent: it is re-sent if no answer comes. */
  snapshotTicks = 0;
  /** Heard from it since the last check-quorum round. */
  recentActive = false;
  /** Heard from it since the last election-timeout round (kept apart from recentActive, which checkQuorum resets). */
  heard = false;
  /** Election timeouts in a row without a word from it. */
  silentRounds = 0;
  /** Probe state: one append is out, wait for its answer or a heartbeat response. */
  probeSent = false;
  /** Highest commit index we told it about. */
  sentCommit = 0;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number, public learner: boolean) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  private resetState(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotTicks = 0;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(index: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = index;
  }

  /** An acknowledgement up to `n`; false if it was stale. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /**
   * A rejection of the append whose previous index was `rejected`; the
   * follower hints its log may match up to `matchHint`. False if stale.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** An append carrying `entries` entries ending at `lastIndex` was sent. */
  sentEntries(entries: number, lastIndex: number): void {
    if (this.state === 'replicate') {
      if (entries > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }
}
