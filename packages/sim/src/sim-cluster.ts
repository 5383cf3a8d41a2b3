import { decodeConfChange } from '@shoal/raft';
import type { Entry, NodeId, RaftConfig, RaftStatus } from '@shoal/raft';
import { SimClient } from './client.js';
import { SimDisk } from './disk.js';
import { EventQueue } from './event-queue.js';
import { History } from './history.js';
import type { FaultMix } from './mixes.js';
import { SimNetwork } from './network.js';
import { SimNode } from './sim-node.js';
import type { ClientReply, ClientRequest, HostEnv } from './sim-node.js';
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
  /** The first violation any check recorded: RaftHost catches some throws, so the run stops on this instead. */
  failure: SimViolation | null = null;
  /** Voters after each committed conf entry, in index order, from the bootstrap voters at index 0. */
  private readonly committedConfs: { index: number; voters: NodeId[] }[] = [];
  private nextNodeNumber: number;
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
    // Its own stream, forked last, so every seed keeps the rest of its configuration.
    const applySlices = root.fork().pick([undefined, undefined, 100, 2048]);
    if (applySlices !== undefined) this.raftOptions = { ...this.raftOptions, maxCommittedSizePerReady: applySlices };
    const snapshotEvery = cfgRng.pick([5, 20, 60]);
    // How this run's disks behave: writes done inside save() or later (messages stepped meanwhile),
    // one batch per Ready (LevelDB) or entries then hard state as separate synced writes.
    const storage = { async: cfgRng.chance(0.7), split: cfgRng.chance(0.5) };
    const leaderWritesInParallel = cfgRng.chance(0.3);
    this.network = new SimNetwork(this.queue, netRng, (_from, to, bytes, corrupted) => this.nodes.get(to)?.receive(bytes, corrupted));
    this.network.faults = opts.mix.network;
    this.hostEnv = {
      queue: this.queue,
      storage,
      leaderWritesInParallel,
      snapshotEvery,
      fail: (v) => {
        this.failure ??= v;
      },
      rng: hostRng,
      monitor: this.monitor,
      send: (from, to, bytes) => {
        // A removed machine still running: the survivors must ignore it, however loud.
        if (this.removed.has(from)) this.count('sentAfterRemoval');
        this.network.send(from, to, bytes);
      },
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
    this.committedConfs.push({ index: 0, voters });
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

  /** Runs the clock to `until`, stopping at the first violation. */
  runUntil(until: number): void {
    this.queue.runUntil(until, () => this.failure !== null);
    if (this.failure) throw this.failure;
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
    // The OS flushes the page cache now and then, whatever the process does.
    const flush = (): void => {
      if (this.retired.has(id)) return;
      if (this.rng.chance(0.2)) node.flush();
      this.queue.after(10, flush);
    };
    this.queue.after(this.rng.int(10), flush);
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
   * already be durable on a majority of the voters that committed it: those
   * in force at its index, or (a conf entry appended after it takes effect at
   * once, thesis 4.1) those of the one change that may follow it, which some
   * running node holds. An entry acknowledged from a page cache would fail here.
   */
  private checkCommitted(node: NodeId, entry: Entry, status: RaftStatus): void {
    const atIndex = this.committedConfs.filter((c) => c.index < entry.index).pop()!.voters;
    // The change that follows may be on the committing leader only (a learner just promoted
    // acks, the leader commits with it, and the learner applies before it hears of its promotion).
    const inForce = [status.conf.voters, ...this.upNodes().map((n) => n.status()!.conf.voters)];
    const tried = [atIndex, ...inForce].map((voters) => ({ voters, durable: voters.filter((v) => this.durableOn(v, entry)).length }));
    if (!tried.some((t) => t.voters.length === 0 || t.durable * 2 > t.voters.length)) {
      const t = tried[0];
      throw new SimViolation('commit-durability', `${node} applied entry ${entry.index} (term ${entry.term}) that is durable on only ${t.durable} of voters [${t.voters.join(', ')}]`);
    }
    if (entry.type === 'conf') {
      const conf = decodeConfChange(entry.data).conf;
      if (conf) this.committedConfs.push({ index: entry.index, voters: conf.voters });
    }
  }

  private durableOn(id: NodeId, entry: Entry): boolean {
    const disk = this.nodes.get(id)?.disk;
    return disk !== undefined && (disk.durableSnapshotIndex() >= entry.index || disk.durableTermAt(entry.index) === entry.term);
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
