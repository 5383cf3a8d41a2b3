/**
 * Lifeguard's local health (memberlist "awareness"): a score that rises when
 * this node's own probes go unanswered in ways that point at itself (no
 * nacks from the helpers, or it had to refute a suspicion of itself) and
 * falls on every clean probe. Probe intervals and timeouts are multiplied by
 * score + 1, so a slow or overloaded node slows down instead of accusing
 * healthy peers.
 */
export class Awareness {
  private value = 0;

  constructor(private readonly max: number) {}

  get score(): number {
    return this.value;
  }

  apply(delta: number): void {
    this.value = Math.min(this.max - 1, Math.max(0, this.value + delta));
  }

  scale(ms: number): number {
    return ms * (this.value + 1);
  }
}
