/**
 * Exponential backoff for redialling one peer: each failure doubles the
 * wait, from `minMs` up to `maxMs`; a success resets it. Both dial loops (the
 * address book's mesh and the Raft streams) keep one per peer, so they back
 * off the same way. The clock is passed in, so the rule is plain arithmetic.
 */
export class Backoff {
  private delay = 0;
  private retryAt = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {}

  /** How long to wait at `now` before the next attempt; 0 means try now. */
  waitMs(now: number): number {
    return Math.max(0, this.retryAt - now);
  }

  /** Records a failed attempt at `now`; returns the wait before the next one. */
  failed(now: number): number {
    this.delay = Math.min(this.maxMs, Math.max(this.minMs, this.delay * 2));
    this.retryAt = now + this.delay;
    return this.delay;
  }

  /** Records a success (or news that the peer is back): try now; the next failure waits `minMs` again. */
  succeeded(): void {
    this.delay = 0;
    this.retryAt = 0;
  }
}
