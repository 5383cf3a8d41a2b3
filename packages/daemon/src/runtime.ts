/**
 * One node's membership in a cluster: the libp2p host, the Raft replica of
 * the cluster state, the failure detector and the task agent, wired
 * together. Created by ShoalNode once the node has a cluster identity.
 */
import { cpus, totalmem, platform, arch } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, NotLeaderError, ShoalError, type NodeInfo } from '@shoal/types';
import { ClusterState, encodeCommand, type Command, type CommandResult, type NodeRegistration } from '@shoal/state';
import { LevelRaftStorage } from '@shoal/storage';
import { RaftHost, type StateMachine } from '@shoal/raft-host';
import { createP2PNode, FailureDetector, SwimMembership, type MembershipService, type P2PNode, type PskRing } from '@shoal/p2p';
import { Agent, PressureGauge, TaskFiles, type Driver, type NetworkAgent } from '@shoal/agent';
import { DRAIN_MS } from './network-wiring.js';
import { decodeHeartbeat, pressureBand, type Heartbeat } from '@shoal/membership';
import { parseHostPort, type DaemonConfig } from './config.js';
import type { DataDir, ClusterIdentity } from './data-dir.js';
import { P2PRaftTransport } from './p2p-raft-transport.js';
import { clusterStateMachine } from './state-machine.js';
import { EventBus } from './event-bus.js';
import { describeCommand } from './describe.js';
import { PeerAllowlist } from './allowlist.js';
import { LeaderDuties } from './leader-duties.js';
import { VERSION } from './version.js';
import { NodeSecrets, loadSealKey, taskFilesDir } from './node-secrets.js';
import { HostPathReporter } from './host-paths.js';
import { sleep } from './sleep.js';
import { isRetriableProposeError } from './propose-retry.js';
import { WriteGate, hashToken, type OperatorCredential } from './write-gate.js';
import type { RefusalReason } from '@shoal/state';

export interface RuntimeOptions {
  cfg: DaemonConfig;
  dataDir: DataDir;
  identity: ClusterIdentity;
  logger: Logger;
  /** Drivers for this node, made once its peer id is known (after its network agent, which they attach tasks through). */
  drivers: (nodeId: string, network?: NetworkAgent) => Promise<Driver[]>;
  /** Service networking's data plane for this node; undefined when networking is off. */
  network?: (nodeId: string, state: ClusterState, caughtUp: () => boolean) => Promise<NetworkAgent | undefined>;
  /** First node of a new cluster. */
  bootstrap: boolean;
  /** The cluster keys to dial with and accept (they change during a PSK rotation); default: identity.psk. */
  pskRing?: PskRing;
  /** This node's own admin API token: its hash is replicated, so the leader takes it as an admin's while this node is a voter. */
  apiToken?: string;
  /** Counts writes the leader refused (forwarded or local), by reason. */
  onWriteRefused?: (reason: RefusalReason, n: number) => void;
}

export interface ProposeOptions {
  timeoutMs?: number;
  /** The operator whose API request this write is; absent for the node's own work (its reports, the leader's duties). */
  caller?: OperatorCredential;
}

/** A proposal's result and the index it was applied at (for read-your-writes on followers). */
interface Applied {
  result: CommandResult;
  index: number;
}

/**
 * Which failure detector runs: SWIM (constant per-node cost at any cluster
 * size) unless SHOAL_MEMBERSHIP=gossip asks for the all-to-all signed
 * heartbeats on gossipsub. Every node of a cluster must run the same.
 */
export function membershipKind(): 'swim' | 'gossip' {
  return process.env.SHOAL_MEMBERSHIP === 'gossip' ? 'gossip' : 'swim';
}

export const PROPOSE_METHOD = 'propose';
export const HEARTBEAT_METHOD = 'heartbeat';
/** With SWIM, how often a node checks whether its health (pressure, free resources) changed: pressure windows are tens of seconds. */
const HEALTH_CHECK_MS = 2000;
/** Unchanged health is gossiped this often anyway (a member that joined since, a message that was lost). */
const HEALTH_REFRESH_MS = 30_000;
/** Members pinged per interval for the round-trip metric. */
const PEER_RTT_SAMPLE = 3;
const PROPOSE_TIMEOUT_MS = 5000;

export class ClusterRuntime {
  readonly state = new ClusterState();
  readonly events = new EventBus();
  readonly allow: PeerAllowlist;
  p2p!: P2PNode;
  raft!: RaftHost;
  membership!: MembershipService;
  agent!: Agent;
  secrets!: NodeSecrets;
  hostPaths!: HostPathReporter;
  transport!: P2PRaftTransport;
  drivers: Driver[] = [];
  network?: NetworkAgent;
  /** This machine's capacity: read once, reported at registration and in every heartbeat. */
  private readonly resources = { cpuMillis: cpus().length * 1000, memoryBytes: totalmem() };
  private storage!: LevelRaftStorage;
  private readonly pressureGauge = new PressureGauge();
  /** The host pressure each peer last put in its heartbeat. */
  private readonly peerPressure = new Map<string, NonNullable<Heartbeat['pressure']>>();
  private leaderDuties!: LeaderDuties;
  private afterApplyQueued = false;
  private stopped = false;
  readonly log: Logger;
  readonly gate: WriteGate;

  constructor(readonly opts: RuntimeOptions) {
    this.log = opts.logger;
    this.allow = new PeerAllowlist(this.state);
    this.gate = new WriteGate({
      state: this.state,
      voters: () => this.raft.status().conf.voters,
      log: this.log.child({ component: 'write-gate' }),
      ...(opts.onWriteRefused ? { onRefused: opts.onWriteRefused } : {}),
    });
  }

  get selfId(): string {
    return this.p2p.peerId;
  }

  async start(): Promise<void> {
    const { cfg, dataDir, identity } = this.opts;
    const { host, port } = parseHostPort('p2p-listen', cfg.p2pListen);
    this.p2p = await createP2PNode({
      dataDir: dataDir.root,
      listen: [`/ip4/${host}/tcp/${port}`],
      psk: Buffer.from(identity.psk, 'hex'),
      ...(this.opts.pskRing ? { pskRing: this.opts.pskRing } : {}),
      allow: (peer) => this.allow.has(peer),
      logger: this.log.child({ component: 'p2p' }),
      // gossipsub carries the heartbeats (SHOAL_MEMBERSHIP=gossip) or, under SWIM, the health changes.
      heartbeatTopic: true,
      // Under SWIM the topic carries only health changes: a slow mesh pace (an idle follower spent ~1 % of a core on 1 s upkeep).
      pubsubHeartbeatMs: membershipKind() === 'swim' ? 10_000 : 1000,
    });
    await this.p2p.start();
    this.allow.addSelf(this.p2p.peerId);

    this.state.onChange((cmd, index, result) => this.onApplied(cmd, index, result));
    this.storage = await LevelRaftStorage.open(dataDir.raftDir);
    this.transport = new P2PRaftTransport(this.p2p);
    this.raft = new RaftHost({
      id: this.p2p.peerId,
      storage: this.storage,
      transport: this.transport,
      fsm: this.stateMachine(),
      tickMs: cfg.tickMs,
      electionTick: cfg.electionTicks,
      snapshotEvery: cfg.snapshotEvery,
      // Heartbeats every 2 ticks (100 ms): half the idle traffic, still 4+ heartbeats per election timeout.
      heartbeatTick: 2,
      // A backlog of commits (a big deploy, thousands of status reports) is applied 1 MB at a time, with
      // timers and messages in between: one synchronous apply of it held heartbeats back for seconds.
      raftOptions: { maxCommittedSizePerReady: 1024 * 1024 },
      logger: this.log.child({ component: 'raft' }),
      bootstrapVoters: this.opts.bootstrap ? [this.p2p.peerId] : undefined,
    });
    this.raft.onFatal((err) => {
      this.log.fatal({ err }, 'raft storage failed; stopping this node so that nothing unsafe is acknowledged');
      process.exitCode = 1;
      void this.stop().finally(() => process.exit(1));
    });
    this.p2p.handle(PROPOSE_METHOD, (from, body) => this.handleForwardedProposal(from, body));
    this.p2p.handle(HEARTBEAT_METHOD, async (from, body) => {
      const hb = decodeHeartbeat(new TextEncoder().encode(JSON.stringify(body)));
      if (hb.nodeId !== from) throw new ShoalError(ErrorCode.Unauthorized, 'a node may only send its own heartbeat');
      this.membership.observeDirect(hb);
      return { ok: true };
    });

    // SWIM probing by default (constant per-node cost at any cluster size);
    // SHOAL_MEMBERSHIP=gossip: the all-to-all signed heartbeats on gossipsub.
    this.membership =
      membershipKind() === 'gossip'
        ? new FailureDetector({ node: this.p2p, heartbeatSource: () => this.heartbeatBody(), intervalMs: cfg.heartbeatMs, logger: this.log.child({ component: 'membership' }) })
        : new SwimMembership({
            node: this.p2p,
            heartbeatSource: () => this.heartbeatBody(),
            // Only the leader commits node.down, so only it pays for its own confirming probes.
            confirmsDown: () => this.raft?.status().leader === this.selfId,
            logger: this.log.child({ component: 'membership' }),
          });
    this.network = await this.opts.network?.(this.p2p.peerId, this.state, () => this.state.lastApplied > 0 && this.state.lastApplied >= (this.raft?.status().commit ?? Infinity));
    this.drivers = await this.opts.drivers(this.p2p.peerId, this.network);
    this.secrets = new NodeSecrets(this, loadSealKey(dataDir.root));
    this.hostPaths = new HostPathReporter(this);
    this.agent = new Agent({
      nodeId: this.p2p.peerId,
      drivers: this.drivers,
      report: async (updates) => {
        const res = await this.propose({ type: 'task.status', at: Date.now(), updates: updates.map((u) => ({ ...u, nodeId: this.selfId })) });
        if (!res.result.ok) this.log.warn({ error: res.result.error }, 'task status report refused');
      },
      logger: this.log.child({ component: 'agent' }),
      files: new TaskFiles({ baseDir: taskFilesDir(this.p2p.peerId), source: this.secrets.fileSource() }),
      drainMs: this.network ? DRAIN_MS : 0,
    });
    this.leaderDuties = new LeaderDuties({
      selfId: this.p2p.peerId,
      state: this.state,
      log: this.log,
      propose: (cmd) => this.propose(cmd),
      liveness: (nodeId) => this.membership.liveness.state(nodeId),
      onLivenessChange: (cb) => this.membership.on('change', cb),
      pressure: (nodeId) => (nodeId === this.selfId ? this.pressureGauge.current() : (this.peerPressure.get(nodeId) ?? null)),
      raft: this.raft,
    });
    for (const cb of this.dutiesListeners) cb(this.leaderDuties);

    await this.raft.start();
    this.hostPaths.start();
    this.syncPeers();
    this.raft.onLeaderChange((leader, term) => {
      this.log.info({ leader, term }, leader === this.selfId ? 'this node is the leader' : 'leader changed');
      if (leader === this.selfId) this.leaderDuties.start();
      else void this.leaderDuties.stop();
    });
    // A member declared down may have left a half-open connection (a crashed host sends no FIN): drop it.
    this.membership.on('change', (e) => {
      if (e.to === 'down') void this.p2p.hangUp(e.nodeId);
    });
    this.membership.on('heartbeat', (hb) => {
      if (hb.pressure) this.peerPressure.set(hb.nodeId, hb.pressure);
      else this.peerPressure.delete(hb.nodeId);
    });
    this.membership.start();
    // Refuting is retried until the cluster sees this node up again, not only when entries arrive.
    this.refuteTimer = setInterval(() => this.refuteIfDeclaredDown(), 2000);
    this.refuteTimer.unref();
    // SWIM carries liveness only: host pressure and free resources are gossiped on
    // the gossipsub health topic when they change, so every member (a new leader
    // too) holds every node's health without N² periodic messages.
    if (membershipKind() === 'swim') {
      this.p2p.onHeartbeat((hb) => this.membership.observeDirect(hb));
      this.healthTimer = setInterval(() => this.gossipHealth(), HEALTH_CHECK_MS);
      this.healthTimer.unref();
    }
    await this.agent.start();
    this.agent.reconcile(this.state.tasksByNode(this.selfId));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.rttTimer) clearInterval(this.rttTimer);
    if (this.refuteTimer) clearInterval(this.refuteTimer);
    if (this.healthTimer) clearInterval(this.healthTimer);
    await this.leaderDuties?.stop();
    this.hostPaths?.stop();
    this.membership?.stop();
    await this.agent?.stop({ stopTasks: false });
    await this.network?.stop();
    await this.raft?.stop();
    await this.storage?.close().catch(() => undefined);
    await this.p2p?.stop();
  }

  private readonly dutiesListeners: ((d: LeaderDuties) => void)[] = [];
  /** Hooks into the leader's duties (metrics) once they exist. */
  onLeaderDuties(cb: (d: LeaderDuties) => void): void {
    if (this.leaderDuties) cb(this.leaderDuties);
    else this.dutiesListeners.push(cb);
  }

  private rttTimer: NodeJS.Timeout | null = null;
  /**
   * Pings a few random members now and then, for the heartbeat round-trip
   * metric: a sample, so each node's cost stays the same at 5 nodes and 5,000
   * (pinging every member was N pings per node per interval).
   */
  onPeerRtt(cb: (ms: number) => void, everyMs = 10_000, sample = PEER_RTT_SAMPLE): void {
    this.rttTimer = setInterval(() => {
      const peers = this.state.nodes().filter((n) => n.id !== this.selfId && n.status === 'ready');
      for (const n of pickRandom(peers, sample)) this.p2p.ping(n.id, AbortSignal.timeout(2000)).then(cb, () => undefined);
    }, everyMs);
    this.rttTimer.unref();
  }

  isLeader(): boolean {
    return this.raft.status().role === 'leader';
  }

  /** This node as it registers itself. */
  registration(role: 'voter' | 'learner'): NodeRegistration {
    const { cfg } = this.opts;
    return {
      id: this.selfId,
      name: cfg.name,
      addresses: this.advertisedAddresses(),
      apiAddress: cfg.apiListen,
      labels: cfg.labels,
      resources: this.resources,
      drivers: this.drivers.map((d) => d.name),
      platform: { os: platform(), arch: arch() },
      version: VERSION,
      role,
      sealKey: this.secrets.key.publicKey,
    };
  }

  advertisedAddresses(): string[] {
    const adv = this.opts.cfg.advertise;
    if (adv) {
      const { host, port } = parseHostPort('advertise', adv);
      return [`/ip4/${host}/tcp/${port}/p2p/${this.selfId}`];
    }
    return this.p2p.addresses();
  }

  /**
   * Proposes a command through the leader (this node, or forwarded over
   * libp2p) and waits until this node has applied it, so a read that follows
   * sees the write.
   */
  async propose(cmd: Command, opts: ProposeOptions = {}): Promise<Applied> {
    const timeoutMs = opts.timeoutMs ?? PROPOSE_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const caller = opts.caller;
    // An operator's write goes to the leader with the credential it came with; the leader checks both.
    const forwarded = { command: cmd, ...(caller ? { credential: caller.token } : {}) };
    let lastErr: unknown = null;
    while (Date.now() < deadline) {
      const st = this.raft.status();
      try {
        if (st.role === 'leader') {
          const admitted = caller ? this.gate.admitLocal(this.selfId, cmd, caller) : cmd;
          return (await this.raft.propose(encodeCommand(admitted), { timeoutMs: deadline - Date.now() })) as Applied;
        }
        // An operator's token goes only to a leader this replica knows as a voter: a lagging replica can be
        // made to follow a member it has not yet seen (raft admission.ts), and must not hand it the token.
        if (st.leader && (!caller || st.conf.voters.includes(st.leader))) {
          const applied = (await this.p2p.request(st.leader, PROPOSE_METHOD, forwarded, { timeoutMs: Math.max(100, deadline - Date.now()) })) as Applied;
          await this.waitApplied(applied.index, deadline);
          return applied;
        }
      } catch (err) {
        lastErr = err;
        if (!isRetriableProposeError(err)) throw err;
      }
      await sleep(25);
    }
    const voters = this.raft.status().conf.voters.length;
    throw new ShoalError(
      ErrorCode.NoQuorum,
      `no leader could commit the change within ${timeoutMs} ms: fewer than ${Math.floor(voters / 2) + 1} of ${voters} voters are reachable (running containers keep running; retry when the nodes are back)`,
      lastErr ? { cause: String(lastErr) } : undefined,
      lastErr ? { cause: lastErr } : undefined,
    );
  }

  /** Resolves once the local replica has applied `index` (or the deadline passes). */
  async waitApplied(index: number, deadline: number): Promise<void> {
    while (this.state.lastApplied < index && Date.now() < deadline) await sleep(5);
  }

  /** A peer's write: proposed only if the write gate admits it (its own reports, or an operator's verified credential). */
  private async handleForwardedProposal(from: string, body: unknown): Promise<Applied> {
    if (!this.isLeader()) throw new NotLeaderError(this.raft.status().leader);
    const cmd = this.gate.admitForwarded(from, body);
    return (await this.raft.propose(encodeCommand(cmd), { timeoutMs: PROPOSE_TIMEOUT_MS })) as Applied;
  }

  private tokenPending = false;
  private tokenRetryAt = 0;
  /**
   * Replicates the hash of this node's own API token (once registered, and
   * again if it changed), so the leader can check it when this node forwards
   * an operator's write made with it.
   */
  private registerOwnToken(): void {
    const token = this.opts.apiToken;
    if (!token || this.tokenPending || Date.now() < this.tokenRetryAt || !this.state.node(this.selfId) || this.raft.status().leader === null) return;
    const hash = hashToken(token);
    if (this.state.nodeTokenHash(this.selfId) === hash) return;
    this.tokenPending = true;
    this.tokenRetryAt = Date.now() + 5000;
    this.propose({ type: 'nodetoken.set', at: Date.now(), nodeId: this.selfId, hash })
      .then((r) => {
        if (!r.result.ok) this.log.warn({ error: r.result.error }, 'could not register this node\'s API token with the cluster');
      })
      .catch((err) => this.log.debug({ err: String(err) }, 'registering this node\'s API token failed; retried on the next change'))
      .finally(() => {
        this.tokenPending = false;
      });
  }

  private stateMachine(): StateMachine {
    return clusterStateMachine(this.state, {
      onUndecodable: (index, err) => this.log.error({ index, err: String(err) }, 'undecodable command in the log; skipped'),
      onRestore: () => {
        this.leaderDuties?.resync();
        this.scheduleAfterApply();
      },
    });
  }

  private onApplied(cmd: Command, index: number, result: CommandResult): void {
    if (this.events.size > 0) this.events.publish(describeCommand(cmd, index, result, this.state));
    this.scheduleAfterApply();
  }

  /** Many entries are applied per Raft ready: react once per batch. */
  private scheduleAfterApply(): void {
    if (this.afterApplyQueued) return;
    this.afterApplyQueued = true;
    setImmediate(() => {
      this.afterApplyQueued = false;
      if (this.stopped) return;
      this.allow.refresh();
      this.syncPeers();
      this.agent.reconcile(this.state.tasksByNode(this.selfId));
      this.network?.onStateChange();
      this.refuteIfDeclaredDown();
      this.registerOwnToken();
      this.leaderDuties.wake();
      this.secrets.afterApply();
      this.hostPaths.afterApply();
    });
  }

  private healthTimer: NodeJS.Timeout | null = null;
  private lastHealth = { body: '', at: 0 };
  /**
   * This node's health (pressure, free resources) on the gossipsub topic, when
   * it changed (for pressure: its band, see pressureBand) and otherwise every
   * HEALTH_REFRESH_MS. An unconditional report
   * every 2 s was, at 50 nodes, 25 RPCs a second into the leader for nothing new.
   */
  private gossipHealth(): void {
    // The raw PSI numbers move every sample; the leader acts on their band only.
    const { pressure, ...rest } = this.heartbeatBody();
    const body = JSON.stringify(rest) + (pressure ? pressureBand(pressure) : '');
    const now = Date.now();
    if (body === this.lastHealth.body && now - this.lastHealth.at < HEALTH_REFRESH_MS) return;
    this.lastHealth = { body, at: now };
    this.p2p.publishHeartbeat(this.membership.nextHeartbeat()).catch((err) => this.log.debug({ err: String(err) }, 'health gossip failed'));
  }

  private lastRefute = 0;
  private refuteTimer: NodeJS.Timeout | null = null;
  /** The cluster says this node is down (it was frozen or cut off): come back with a higher incarnation. */
  private refuteIfDeclaredDown(): void {
    if (this.state.node(this.selfId)?.status !== 'down' || Date.now() - this.lastRefute < 2000) return;
    this.lastRefute = Date.now();
    const incarnation = this.membership.refute();
    this.log.info({ incarnation }, 'the cluster declared this node down; refuting with a higher incarnation');
    // Gossip may not reach the leader yet (mesh still re-forming after a partition): tell it directly too.
    const leader = this.raft.status().leader;
    if (leader && leader !== this.selfId) {
      this.p2p.request(leader, HEARTBEAT_METHOD, this.membership.nextHeartbeat(), { timeoutMs: 2000 }).catch((err) => this.log.debug({ err: String(err) }, 'direct heartbeat to the leader failed'));
    }
  }

  private knownPeers = new Set<string>();
  /** Tell libp2p where members live and the failure detector whom to watch. */
  private syncPeers(): void {
    for (const n of this.state.nodes()) {
      if (n.id === this.selfId) continue;
      this.p2p.setPeerAddresses(n.id, n.addresses);
      if (!this.knownPeers.has(n.id)) {
        this.knownPeers.add(n.id);
        this.membership?.liveness.track(n.id);
      }
    }
    for (const id of [...this.knownPeers]) {
      if (!this.state.node(id)) {
        this.knownPeers.delete(id);
        this.membership?.liveness.forget(id);
      }
    }
  }

  private heartbeatBody() {
    const pressure = this.pressureGauge.current();
    const tasks = this.state.tasksByNode(this.selfId).filter((t) => t.desiredState === 'running');
    const reg = this.registration('learner');
    let cpu = 0;
    let mem = 0;
    for (const t of tasks) {
      cpu += Math.round((t.spec.resources?.reservations?.cpus ?? 0) * 1000);
      mem += t.spec.resources?.reservations?.memoryBytes ?? 0;
    }
    return {
      resources: { total: reg.resources, free: { cpuMillis: Math.max(0, reg.resources.cpuMillis - cpu), memoryBytes: Math.max(0, reg.resources.memoryBytes - mem) } },
      drivers: reg.drivers,
      tasks: {
        running: tasks.filter((t) => t.status.state === 'running').length,
        failed: tasks.filter((t) => t.status.state === 'failed').length,
        total: tasks.length,
      },
      version: VERSION,
      ...(pressure ? { pressure } : {}),
    };
  }

  /** Random ids for things this node creates (services). */
  newId(prefix: string): string {
    return `${prefix}${randomBytes(8).toString('hex')}`;
  }

  nodeOf(idOrName: string): NodeInfo | undefined {
    return this.state.node(idOrName) ?? this.state.nodeByName(idOrName);
  }
}

/** Up to `n` distinct items of `items`, uniformly at random (a partial Fisher-Yates shuffle of a copy). */
export function pickRandom<T>(items: readonly T[], n: number, rng: () => number = Math.random): T[] {
  const a = [...items];
  const k = Math.min(n, a.length);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, k);
}
