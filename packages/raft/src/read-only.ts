import type { NodeId } from './types.js';

interface ReadRequest {
  index: number;
  /** Who asked: the leader itself or a follower that forwarded a readIndex. */
  from: NodeId;
  acks: Set<NodeId>;
}

/**
 * ReadIndex requests waiting for a heartbeat round to prove the leader is
 * still the leader (etcd's "safe" read-only mode). A request is released
 * once a quorum acknowledged a heartbeat carrying its context, and so are
 * all requests queued before it.
 */
export class ReadOnly {
  private readonly pending = new Map<string, ReadRequest>();
  private queue: string[] = [];

  add(index: number, context: string, from: NodeId, self: NodeId): boolean {
    if (this.pending.has(context)) return false;
    this.pending.set(context, { index, from, acks: new Set([self]) });
    this.queue.push(context);
    return true;
  }

  /** Record `from`'s acknowledgement of `context`; the acks so far, if pending. */
  ack(from: NodeId, context: string): Set<NodeId> | undefined {
    const rq = this.pending.get(context);
    if (!rq) return undefined;
    rq.acks.add(from);
    return rq.acks;
  }

  /** Release `context` and everything queued before it. */
  release(context: string): Array<ReadRequest & { context: string }> {
    const at = this.queue.indexOf(context);
    if (at < 0) return [];
    const done = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    return done.map((ctx) => {
      const rq = this.pending.get(ctx)!;
      this.pending.delete(ctx);
      return { ...rq, context: ctx };
    });
  }

  lastContext(): string | undefined {
    return this.queue[this.queue.length - 1];
  }

  reset(): void {
    this.pending.clear();
    this.queue = [];
  }
}
