/**
 * An in-process network for tests and benchmarks. Messages go through the
 * real wire codec by default (so the bench pays the same encoding cost as
 * the p2p layer) and are delivered asynchronously, batched per tick of the
 * event loop. Nodes can be cut off and healed to make a follower lag.
 */
import { decodeMessage, encodeMessage, type Message, type NodeId } from '@shoal/raft';
import type { RaftTransport } from './transport.js';

export interface MemoryNetworkOptions {
  /** Round-trip every message through encodeMessage/decodeMessage (default true). */
  serialize?: boolean;
}

export class MemoryNetwork {
  private readonly handlers = new Map<NodeId, (m: Message) => void>();
  private readonly isolated = new Set<NodeId>();
  private queue: Message[] = [];
  private flushScheduled = false;
  private readonly serialize: boolean;
  /** Messages dropped because an end was isolated or unknown. */
  dropped = 0;

  constructor(opts: MemoryNetworkOptions = {}) {
    this.serialize = opts.serialize ?? true;
  }

  /** The transport for node `id`; a later call for the same id replaces the earlier one (a restart). */
  transport(id: NodeId): RaftTransport {
    return {
      send: (msgs) => this.send(id, msgs),
      onMessage: (handler) => {
        this.handlers.set(id, handler);
      },
    };
  }

  /** Drops every message to and from `id` until healed. */
  isolate(id: NodeId): void {
    this.isolated.add(id);
  }

  heal(id?: NodeId): void {
    if (id === undefined) this.isolated.clear();
    else this.isolated.delete(id);
  }

  private send(from: NodeId, msgs: Message[]): void {
    for (const m of msgs) {
      if (this.isolated.has(from) || this.isolated.has(m.to)) {
        this.dropped++;
        continue;
      }
      this.queue.push(this.serialize ? decodeMessage(encodeMessage(m)) : m);
    }
    if (!this.flushScheduled && this.queue.length > 0) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (const m of batch) {
      const handler = this.handlers.get(m.to);
      if (!handler || this.isolated.has(m.to) || this.isolated.has(m.from)) {
        this.dropped++;
        continue;
      }
      handler(m);
    }
  }
}
