import type { Entry, NodeId, RaftConfig, RaftStatus } from '@shoal/raft';
import { SimClient } from './client.js';
import { SimDisk } from './disk.js';
import { EventQueue } from './event-queue.js';
import { History } from './history.js';
import type { FaultMix } from './mixes.js';
import { SimNetwork } from './network.js';
import { SimNode } from './node-host.js';
import type { ClientReply, ClientRequest, HostEnv } from './node-host.js';
import { Rng } from './rng.js';
import { SafetyMonitor } from './safety-monitor.js';
import { SimViolation } from './violation.js';

export interface ClusterOptions {
  seed: number;
  nodes: number;
  mix: FaultMix;
  clients: number;
  keys: number;
  verbose: boolean;
}

/**
 * The simulated world of one run: clock, network, nodes with their disks,
 * clients, and the monitor every node reports to. Everything random draws
 * from streams forked off the one seed.
 */
export class SimCluster {
  readonly queue = new EventQueue();
  readonly rng: Rng;
  readonly network: SimNetwork;
  readonly monitor = new SafetyMonitor();
  readonly history = new History();
  readonly nodes = new Map<NodeId, SimNode>();
  readonly clients: SimClient[] = [];
  readonly acknowledged: string[] = [];
  readonly retired = new Set<NodeId>();
  /** Removed from the membership but still running (and sending) until retired: clients no longer use them. */
  readonly removed = new Set<NodeId>();
  readonly traceLines: string[] = [];
  readonly raftOptions: HostEnv['raftOptions'];
  /** Coverage counters of the run (elections, snapshots, crashes, ...). */
  readonly coverage: Record<string, number> = {};
  readonly hostEnv: HostEnv;
  private nextNodeNumber: number;
  private compactEvery: number;
  /** Client <-> node latency; clients reach every node. */
  private clientLatency = (): number => 1 + this.clientRng.int(5);
  private readonly clientRng: Rng;

  constructor(readonly opts: ClusterOptions) {
    const root = new Rng(opts.seed);
    this.rng = root.fork();
    const netRng = root.fork();
    const hostRng = root.fork();
    this.clientRng = root.fork();
    const cfgRng = root.fork();
    this.raftOptions = pickRaftOptions(cfgRng);
    this.compactEvery = cfgRng.pick([5, 20, 60]);
    this.network = new SimNetwork(this.queue, netRng, (_from, to, bytes, corrupted) => this.nodes.get(to)?.receive(bytes, corrupted));
    this.network.faults = opts.mix.network;
    this.hostEnv = {
      rng: hostRng,
      monitor: this.monitor,
      send: (from, to, bytes) => this.network.send(from, to, bytes),
      reply: (req, from, reply) => this.deliverReply(req, from, reply),
      checkCommitted: (node, entry, status) => this.checkCommitted(node, entry, status),
      raftOptions: this.raftOptions,
      crashBeforeSync: opts.mix.crashes ? 0.003 : 0,
      count: (what) => this.count(what),
      trace: (line) => this.trace(line),
      onCrash: (id) => {
        this.trace(`crash ${id} between write and sync`);
        this.queue.after(20 + this.rng.int(500), () => this.restart(id));
      },
    };
    const voters = Array.from({ length: opts.nodes }, (_, i) => `n${i + 1}`);
    this.nextNodeNumber = opts.nodes + 1;
    for (const id of voters) this.spawn(id, { voters, learners: [] });
    const keys = Array.from({ length: opts.keys }, (_, i) => `k${i}`);
    for (let i = 0; i < opts.clients; i++) {
      this.clients.push(
        new SimClient(`c${i}`, {
          queue: this.queue,
          rng: this.clientRng.fork(),
          history: this.history,
          keys,
          nodes: () => [...this.nodes.keys()].filter((id) => !this.retired.has(id) && !this.removed.has(id)),
          sendRequest: (node, req) => this.deliverRequest(node, req),
          acknowledged: (op) => this.acknowledged.push(op),
          readIndexShare: 0.6,
          attemptTimeout: 150 + this.clientRng.int(150),
          // Impatient clients leave more writes with an unknown outcome for the checker.
          opDeadline: this.clientRng.pick([250, 500, 1000, 2000]),
        }),
      );
    }
  }

  count(what: string): void {
    this.coverage[what] = (this.coverage[what] ?? 0) + 1;
  }

  trace(line: string): void {
    if (this.opts.verbose) this.traceLines.push(`${String(this.queue.now).padStart(6)} ${line}`);
  }

  upNodes(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.up);
  }

  /** The up node that leads in the highest term, if any. */
  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    let bestTerm = -1;
    for (const n of this.nodes.values()) {
      const st = n.status();
      if (st && st.role === 'leader' && st.term > bestTerm) {
        best = n;
        bestTerm = st.term;
      }
    }
    return best;
  }

  /** Starts a fresh node that will join: empty log, empty membership, a never-used id. */
  addNode(): NodeId {
    const id = `n${this.nextNodeNumber++}`;
    this.spawn(id, { voters: [], learners: [] });
    this.trace(`start joining node ${id}`);
    return id;
  }

  restart(id: NodeId): void {
    const node = this.nodes.get(id);
    if (!node || node.up || this.retired.has(id)) return;
    this.trace(`restart ${id}`);
    node.start();
  }

  /** A removed node is stopped for good; its id is never used again. */
  retire(id: NodeId): void {
    this.retired.add(id);
    this.nodes.get(id)?.stop();
  }

  private spawn(id: NodeId, bootConf: { voters: NodeId[]; learners: NodeId[] }): void {
    const node = new SimNode(id, new SimDisk(id, bootConf), this.hostEnv);
    this.nodes.set(id, node);
    node.start();
    const interval = 9 + this.rng.int(3);
    const tick = (): void => {
      if (this.retired.has(id)) return;
      if (node.up) {
        node.tick();
        if (this.rng.chance(0.2)) node.flush();
        if (node.up && node.kv.applied - node.disk.durableSnapshotIndex() >= this.compactEvery && this.rng.chance(0.3)) node.compact();
      }
      this.queue.after(interval, tick);
    };
    this.queue.after(this.rng.int(interval), tick);
  }

  private deliverRequest(id: NodeId, req: ClientRequest): void {
    this.queue.after(this.clientLatency(), () => {
      const node = this.nodes.get(id);
      if (node?.up) node.handleRequest(req);
    });
  }

  private deliverReply(req: ClientRequest, from: NodeId, reply: ClientReply): void {
    const client = this.clients.find((c) => c.id === req.client);
    if (!client) return;
    this.queue.after(this.clientLatency(), () => client.onReply(req, from, reply));
  }

  /**
   * The first time an entry is applied anywhere it is committed, so it must
   * already be durable on a majority of the voters: an entry acknowledged
   * from a page cache would fail here.
   */
  private checkCommitted(node: NodeId, entry: Entry, status: RaftStatus): void {
    const voters = status.conf.voters;
    let durable = 0;
    for (const v of voters) {
      const disk = this.nodes.get(v)?.disk;
      if (!disk) continue;
      if (disk.durableSnapshotIndex() >= entry.index || disk.durableTermAt(entry.index) === entry.term) durable++;
    }
    if (voters.length > 0 && durable * 2 <= voters.length) {
      throw new SimViolation('commit-durability', `${node} applied entry ${entry.index} (term ${entry.term}) that is durable on only ${durable} of voters [${voters.join(', ')}]`);
    }
  }
}

function pickRaftOptions(rng: Rng): HostEnv['raftOptions'] {
  const opts: Omit<RaftConfig, 'id' | 'persisted' | 'applied' | 'random'> = {
    electionTick: rng.pick([5, 10, 10, 20]),
    heartbeatTick: rng.pick([1, 2, 3]),
    preVote: rng.chance(0.7),
    checkQuorum: rng.chance(0.7),
    maxSizePerMsg: rng.pick([200, 1024, 1024 * 1024]),
    maxInflight: rng.pick([1, 4, 64]),
  };
  return opts;
}
