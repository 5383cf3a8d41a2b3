import type { NodeId } from '@shoal/raft';
import type { EventQueue } from './event-queue.js';
import type { Rng } from './rng.js';

/** Per-message faults of the simulated network. */
export interface NetworkFaults {
  drop: number;
  duplicate: number;
  /** Chance that a message's bytes are damaged in flight. */
  corrupt: number;
  minLatency: number;
  maxLatency: number;
  /** Chance of an extra-long delay, which reorders a message past many later ones. */
  slow: number;
  slowLatency: number;
}

export const CALM_NETWORK: NetworkFaults = { drop: 0, duplicate: 0, corrupt: 0, minLatency: 1, maxLatency: 5, slow: 0, slowLatency: 0 };

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  corrupted: number;
  blocked: number;
}

/**
 * A seeded network of byte messages between nodes: random latency (so
 * reordering), drops, duplicates, corruption, and directed link cuts that
 * make partitions, isolated nodes and one-way links.
 */
export class SimNetwork {
  faults: NetworkFaults = CALM_NETWORK;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, corrupted: 0, blocked: 0 };
  private cut = new Set<string>();

  constructor(
    private readonly queue: EventQueue,
    private readonly rng: Rng,
    private readonly deliver: (from: NodeId, to: NodeId, bytes: Uint8Array, corrupted: boolean) => void,
  ) {}

  canReach(from: NodeId, to: NodeId): boolean {
    return !this.cut.has(`${from}>${to}`);
  }

  send(from: NodeId, to: NodeId, bytes: Uint8Array): void {
    this.stats.sent++;
    if (!this.canReach(from, to)) {
      this.stats.blocked++;
      return;
    }
    if (this.rng.chance(this.faults.drop)) {
      this.stats.dropped++;
      return;
    }
    const copies = this.rng.chance(this.faults.duplicate) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      let payload = bytes;
      let corrupted = false;
      if (this.rng.chance(this.faults.corrupt)) {
        payload = this.damage(bytes);
        corrupted = true;
        this.stats.corrupted++;
      }
      this.queue.after(this.latency(), () => {
        // A link cut while the message was in flight loses it too.
        if (!this.canReach(from, to)) {
          this.stats.blocked++;
          return;
        }
        this.stats.delivered++;
        this.deliver(from, to, payload, corrupted);
      });
    }
  }

  /** Cuts every link between different groups, both ways. */
  partition(groups: NodeId[][]): void {
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        if (i === j) continue;
        for (const a of groups[i]) for (const b of groups[j]) this.cut.add(`${a}>${b}`);
      }
    }
  }

  cutOneWay(from: NodeId, to: NodeId): void {
    this.cut.add(`${from}>${to}`);
  }

  heal(): void {
    this.cut.clear();
  }

  get partitioned(): boolean {
    return this.cut.size > 0;
  }

  private latency(): number {
    const f = this.faults;
    if (this.rng.chance(f.slow)) return f.maxLatency + this.rng.int(f.slowLatency + 1);
    return this.rng.range(f.minLatency, f.maxLatency);
  }

  /** Flips bits, truncates or appends garbage. */
  private damage(bytes: Uint8Array): Uint8Array {
    const out = bytes.slice();
    switch (this.rng.int(3)) {
      case 0: {
        const flips = 1 + this.rng.int(3);
        for (let i = 0; i < flips && out.length > 0; i++) out[this.rng.int(out.length)] ^= 1 << this.rng.int(8);
        return out;
      }
      case 1:
        return out.subarray(0, this.rng.int(out.length));
      default: {
        const extra = new Uint8Array(out.length + 1 + this.rng.int(8));
        extra.set(out);
        for (let i = out.length; i < extra.length; i++) extra[i] = this.rng.int(256);
        return extra;
      }
    }
  }
}
