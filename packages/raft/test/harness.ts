// A tiny in-test cluster: RaftNodes with in-memory "disks", a message queue
// that can drop and partition, and invariant checks on every ready.
import assert from 'node:assert/strict';
import { seededRandom } from '@shoal/testkit';
import { RaftNode } from '../src/node.js';
import type { ConfState, Entry, HardState, Message, NodeId, RaftConfig, Ready, Snapshot } from '../src/types.js';

/** Deterministic PRNG so every run is reproducible (the test kit's mulberry32). */
export const seeded = seededRandom;

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** What a node has on disk: exactly what it persisted from its readies. */
export class MemDisk {
  hardState: HardState = { term: 0, vote: null, commit: 0 };
  snapshot: Snapshot | null = null;
  entries: Entry[] = [];

  lastIndex(): number {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1]!.index : (this.snapshot?.meta.index ?? 0);
  }

  persist(rd: Ready): void {
    if (rd.snapshot) {
      this.snapshot = rd.snapshot;
      this.entries = [];
    }
    if (rd.entries.length > 0) {
      const first = rd.entries[0]!.index;
      this.entries = this.entries.filter((e) => e.index < first).concat(rd.entries);
    }
    if (rd.hardState) this.hardState = rd.hardState;
  }

  compactTo(s: Snapshot): void {
    this.snapshot = s;
    this.entries = this.entries.filter((e) => e.index > s.meta.index);
  }
}

export interface ClusterOptions {
  seed?: number;
  electionTick?: number;
  heartbeatTick?: number;
  preVote?: boolean;
  checkQuorum?: boolean;
  maxSizePerMsg?: number;
  maxInflight?: number;
  maxCommittedSizePerReady?: number;
}

export class Cluster {
  readonly nodes = new Map<NodeId, RaftNode>();
  readonly disks = new Map<NodeId, MemDisk>();
  /** Applied normal commands per node, as strings ("" for no-ops is skipped). */
  readonly applied = new Map<NodeId, string[]>();
  readonly appliedIndex = new Map<NodeId, number>();
  readonly readStates = new Map<NodeId, Array<{ index: number; context: string }>>();
  queue: Message[] = [];
  /** Every message ever handed out, for assertions on traffic. */
  sent: Message[] = [];
  private readonly cut = new Set<string>();
  private readonly down = new Set<NodeId>();
  /** Extra filter: return true to drop a message. */
  dropIf: ((m: Message) => boolean) | null = null;
  /** Deliver each round's messages in a random order. */
  reorder = false;
  /** Chance that a message is delivered twice. */
  duplicate = 0;
  readonly random: () => number;

  constructor(
    voters: NodeId[],
    readonly opts: ClusterOptions = {},
  ) {
    this.random = seeded(opts.seed ?? 1);
    for (const id of voters) this.add(id, { voters, learners: [] });
  }

  config(id: NodeId, disk: MemDisk, conf: ConfState, applied?: number): RaftConfig {
    const o = this.opts;
    return {
      id,
      electionTick: o.electionTick ?? 10,
      heartbeatTick: o.heartbeatTick ?? 1,
      random: this.random,
      persisted: { hardState: disk.hardState, snapshot: disk.snapshot, entries: disk.entries, conf },
      applied,
      preVote: o.preVote,
      checkQuorum: o.checkQuorum,
      maxSizePerMsg: o.maxSizePerMsg,
      maxInflight: o.maxInflight,
      maxCommittedSizePerReady: o.maxCommittedSizePerReady,
    };
  }

  /** Start a node with an empty disk (a fresh member, or a joiner with an empty conf). */
  add(id: NodeId, conf: ConfState): RaftNode {
    const disk = new MemDisk();
    this.disks.set(id, disk);
    const n = new RaftNode(this.config(id, disk, conf));
    this.nodes.set(id, n);
    this.applied.set(id, []);
    this.appliedIndex.set(id, 0);
    this.readStates.set(id, []);
    return n;
  }

  /** Crash and restart `id` from its disk; the FSM restarts from the snapshot. */
  restart(id: NodeId, bootstrap: ConfState): RaftNode {
    const disk = this.disks.get(id)!;
    const n = new RaftNode(this.config(id, disk, bootstrap));
    this.nodes.set(id, n);
    const snapCmds = disk.snapshot ? (JSON.parse(dec(disk.snapshot.data)) as string[]) : [];
    this.applied.set(id, snapCmds);
    this.appliedIndex.set(id, disk.snapshot?.meta.index ?? 0);
    this.queue = this.queue.filter((m) => m.to !== id);
    return n;
  }

  node(id: NodeId): RaftNode {
    return this.nodes.get(id)!;
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}>${other}`);
      this.cut.add(`${other}>${id}`);
    }
  }

  partition(a: NodeId[], b: NodeId[]): void {
    for (const x of a) for (const y of b) {
      this.cut.add(`${x}>${y}`);
      this.cut.add(`${y}>${x}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  stop(id: NodeId): void {
    this.down.add(id);
  }

  /** Drain one node's ready like a real host: persist, send, apply, advance. */
  processReady(id: NodeId): boolean {
    const n = this.nodes.get(id)!;
    if (this.down.has(id) || !n.hasReady()) return false;
    const rd = n.ready();
    const disk = this.disks.get(id)!;
    disk.persist(rd);
    // Safety: nothing is applied that is not on this node's disk.
    for (const e of rd.committedEntries) {
      assert.ok(e.index <= disk.lastIndex(), `${id} applies ${e.index} beyond its disk (${disk.lastIndex()})`);
      const onDisk = disk.entries.find((d) => d.index === e.index);
      assert.ok(onDisk && onDisk.term === e.term, `${id} applies entry ${e.index} that is not the one on its disk`);
    }
    if (rd.snapshot) {
      this.applied.set(id, JSON.parse(dec(rd.snapshot.data)) as string[]);
      this.appliedIndex.set(id, rd.snapshot.meta.index);
    }
    for (const e of rd.committedEntries) {
      const prev = this.appliedIndex.get(id)!;
      assert.equal(e.index, prev + 1, `${id} applies ${e.index} after ${prev}`);
      this.appliedIndex.set(id, e.index);
      if (e.type === 'normal' && e.data.length > 0) this.applied.get(id)!.push(dec(e.data));
    }
    this.readStates.get(id)!.push(...rd.readStates);
    for (const m of rd.messages) {
      this.sent.push(m);
      this.queue.push(m);
    }
    n.advance(rd);
    return true;
  }

  /** Deliver the queued messages once (those produced meanwhile wait for the next round). */
  deliverAll(): number {
    const batch = this.queue;
    this.queue = [];
    if (this.reorder) {
      for (let i = batch.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [batch[i], batch[j]] = [batch[j]!, batch[i]!];
      }
    }
    if (this.duplicate > 0) {
      for (const m of [...batch]) if (this.random() < this.duplicate) batch.push(m);
    }
    let delivered = 0;
    for (const m of batch) {
      if (this.cut.has(`${m.from}>${m.to}`) || this.down.has(m.to) || !this.nodes.has(m.to)) continue;
      if (this.dropIf?.(m)) continue;
      this.nodes.get(m.to)!.step(m);
      delivered++;
    }
    return delivered;
  }

  /** Run readies and deliveries until nothing moves. */
  stabilize(maxRounds = 1000): void {
    for (let i = 0; i < maxRounds; i++) {
      let moved = false;
      for (const id of this.nodes.keys()) moved = this.processReady(id) || moved;
      if (this.queue.length > 0) {
        this.deliverAll();
        moved = true;
      }
      if (!moved) return;
    }
    throw new Error('cluster did not stabilize');
  }

  /** Tick every live node `n` times, stabilizing after each tick. */
  tick(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const [id, node] of this.nodes) if (!this.down.has(id)) node.tick();
      this.stabilize();
    }
  }

  leaders(): NodeId[] {
    return [...this.nodes].filter(([id, n]) => !this.down.has(id) && n.status().role === 'leader').map(([id]) => id);
  }

  /** Tick until exactly one leader exists; returns it. */
  elect(maxTicks = 200): NodeId {
    for (let i = 0; i < maxTicks; i++) {
      const ls = this.leaders();
      if (ls.length === 1) return ls[0]!;
      this.tick();
    }
    throw new Error(`no single leader after ${maxTicks} ticks: ${this.leaders().join(',')}`);
  }

  /** Snapshot `id`'s state machine at its applied index and compact its log and disk. */
  compact(id: NodeId): void {
    const n = this.node(id);
    const s = n.compact(n.status().applied, enc(JSON.stringify(this.applied.get(id))));
    this.disks.get(id)!.compactTo(s);
  }

  /** Propose on `id` and stabilize; returns the entry's index. */
  propose(id: NodeId, cmd: string): number {
    const { index } = this.node(id).propose(enc(cmd));
    this.stabilize();
    return index;
  }
}
