/**
 * The append messages in flight to one follower, by the last index each
 * carried: a bounded window that pipelining fills and acknowledgements
 * drain (etcd's Inflights). A plain ring buffer; no allocation per message.
 */
export class Inflights {
  private readonly ring: number[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<number>(capacity).fill(0);
  }

  add(lastIndex: number): void {
    if (this.full()) return;
    this.ring[(this.start + this.count) % this.capacity] = lastIndex;
    this.count++;
  }

  /** Forget every message whose last index is <= `index` (acknowledged). */
  freeLE(index: number): void {
    while (this.count > 0 && this.ring[this.start]! <= index) {
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
  }

  freeFirstOne(): void {
    if (this.count === 0) return;
    this.start = (this.start + 1) % this.capacity;
    this.count--;
  }

  full(): boolean {
    return this.count >= this.capacity;
  }

  get size(): number {
    return this.count;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
  }
}
