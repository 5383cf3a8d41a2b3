/**
 * Updates waiting to be piggybacked, memberlist's TransmitLimitedQueue: the
 * least-sent (then newest) go first, each is sent at most `limit` times, and
 * a newer update about a node replaces the older one. One entry per node,
 * so the queue is bounded by the cluster size and usually near empty.
 */
import type { MemberUpdate } from './swim-messages.js';

interface Entry {
  update: MemberUpdate;
  transmits: number;
  /** Insertion order, to prefer newer updates among equally sent ones. */
  id: number;
}

export class BroadcastQueue {
  private readonly byNode = new Map<string, Entry>();
  private nextId = 0;

  get size(): number {
    return this.byNode.size;
  }

  /** Queues an update, replacing whatever was pending about the same node. */
  push(update: MemberUpdate): void {
    this.byNode.set(update.node, { update, transmits: 0, id: this.nextId++ });
  }

  /** Up to `max` updates for one message; each use counts as a transmit, exhausted ones leave. */
  take(max: number, limit: number): MemberUpdate[] {
    if (this.byNode.size === 0 || max <= 0) return [];
    const chosen = this.byNode.size <= max ? [...this.byNode.values()] : pickLeastSent([...this.byNode.values()], max);
    for (const e of chosen) {
      e.transmits++;
      if (e.transmits >= limit) this.byNode.delete(e.update.node);
    }
    return chosen.map((e) => e.update);
  }
}

function pickLeastSent(entries: Entry[], max: number): Entry[] {
  entries.sort((a, b) => a.transmits - b.transmits || b.id - a.id);
  return entries.slice(0, max);
}
