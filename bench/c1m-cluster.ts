// The control plane of the c1m bench: 3 voters, each a real RaftHost on its
// own LevelDB (synced writes) applying the real command codec into a real
// ClusterState, and the real LeaderDuties (orchestrator + scheduler control
// loop) on the leader, as ClusterRuntime wires them. The leader runs in this
// thread; the two followers run in worker threads (c1m-voter.ts), as they
// would on machines of their own, so the leader's thread does the leader's
// work and not three replicas' (on 2 cores the two followers share one).
// Raft messages cross threads in the real wire encoding. What is left out:
// libp2p (message ports instead), the failure detector (every simulated node
// counts as alive) and the autopilot's voter changes (the voter set stays
// the 3 below). The followers' election timeout is 60 s, not 1 s: the bench measures
// throughput, and at a million tasks the leader's thread stalls for seconds
// (a full reconcile pass, a snapshot, a major GC; c1m.ts reports the longest
// stall): followers with clocks of their own would depose it, and this bench
// pins the leader to the main thread.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { ClusterState, encodeCommand, type Command, type CommandResult } from '@shoal/state';
import { LevelRaftStorage } from '@shoal/storage';
import { RaftHost, type RaftTransport } from '@shoal/raft-host';
import { decodeMessage, type Message } from '@shoal/raft';
import { LeaderDuties, clusterStateMachine } from '@shoal/daemon';
import { encodeBatch, type VoterInit, type VoterReply, type VoterRequest } from './c1m-voter.js';

export interface Applied {
  result: CommandResult;
  index: number;
}

export interface Replica {
  id: string;
  state: ClusterState;
  host: RaftHost;
  storage: LevelRaftStorage;
}

const PROPOSE_TIMEOUT_MS = 120_000;
const TIMING = { tickMs: 50, electionTick: 1200, heartbeatTick: 2 };
const IDS = ['v1', 'v2', 'v3'];

/** A follower in its worker thread, as the main thread sees it. */
class VoterWorker {
  readonly worker: Worker;
  private readonly waiters = new Map<VoterReply['type'], (r: VoterReply) => void>();

  constructor(init: VoterInit, onRaft: (msgs: Uint8Array[]) => void) {
    this.worker = new Worker(new URL('./c1m-voter.js', import.meta.url), { workerData: init });
    this.worker.on('message', (r: VoterReply) => {
      if (r.type === 'raft') return onRaft(r.msgs);
      const w = this.waiters.get(r.type);
      this.waiters.delete(r.type);
      w?.(r);
    });
  }

  send(req: VoterRequest): void {
    this.worker.postMessage(req, req.type === 'raft' ? req.msgs.map((b) => b.buffer as ArrayBuffer) : []);
  }

  /** Sends `req` and waits for the reply of type `type`. */
  ask(req: VoterRequest | null, type: VoterReply['type']): Promise<VoterReply> {
    const p = new Promise<VoterReply>((resolve, reject) => {
      this.waiters.set(type, resolve);
      this.worker.once('error', reject);
    });
    if (req) this.send(req);
    return p;
  }
}

export class C1mCluster {
  readonly replicas: Replica[] = [];
  leader!: Replica;
  duties!: LeaderDuties;
  private readonly root = mkdtempSync(join(tmpdir(), 'shoal-bench-c1m-'));
  private readonly log = pino({ level: process.env.C1M_LOG ?? 'warn' });
  private readonly followers = new Map<string, VoterWorker>();
  private deliver: ((m: Message) => void) | null = null;

  /** The leader's messages, encoded per follower. */
  private sendFromLeader(msgs: Message[]): void {
    const byWorker = new Map<string, Message[]>();
    for (const m of msgs) if (this.followers.has(m.to)) (byWorker.get(m.to) ?? byWorker.set(m.to, []).get(m.to)!).push(m);
    for (const [id, batch] of byWorker) this.followers.get(id)!.send({ type: 'raft', msgs: encodeBatch(batch) });
  }

  /** A follower's messages: to the leader here, to the other follower as they are. */
  private fromFollower(msgs: Uint8Array[]): void {
    const byWorker = new Map<string, Uint8Array[]>();
    for (const b of msgs) {
      const m = decodeMessage(b);
      if (m.to === IDS[0]) this.deliver?.(m);
      else if (this.followers.has(m.to)) (byWorker.get(m.to) ?? byWorker.set(m.to, []).get(m.to)!).push(b);
    }
    for (const [id, batch] of byWorker) this.followers.get(id)!.send({ type: 'raft', msgs: batch });
  }

  async start(): Promise<void> {
    const [self, ...others] = IDS;
    const started: Promise<VoterReply>[] = [];
    for (const id of others) {
      const w = new VoterWorker({ id, dir: join(this.root, id), voters: IDS, ...TIMING }, (msgs) => this.fromFollower(msgs));
      this.followers.set(id, w);
      started.push(w.ask(null, 'started'));
    }
    const state = new ClusterState();
    const storage = await LevelRaftStorage.open(join(this.root, self!));
    const transport: RaftTransport = {
      send: (msgs) => this.sendFromLeader(msgs),
      onMessage: (h) => {
        this.deliver = h;
      },
    };
    // This voter campaigns first (1 s) and does not step down on its own stalls (no check-quorum).
    const host = new RaftHost({ id: self!, storage, transport, fsm: clusterStateMachine(state), bootstrapVoters: IDS, ...TIMING, electionTick: 20, raftOptions: { checkQuorum: false, maxCommittedSizePerReady: 1024 * 1024 }, proposeTimeoutMs: PROPOSE_TIMEOUT_MS });
    this.replicas.push({ id: self!, state, host, storage });
    await host.start();
    await Promise.all(started);
    // This thread's voter should win the first election; if not, leadership moves here.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { role, leader } = host.status();
      if (role === 'leader') break;
      if (leader && this.followers.has(leader)) {
        const r = await this.followers.get(leader)!.ask({ type: 'transfer', to: self! }, 'transferred');
        if (r.type === 'transferred' && r.error) throw new Error(`leadership did not move to ${self}: ${r.error}`);
      }
      if (Date.now() > deadline) throw new Error('no leader here within 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    this.leader = this.replicas[0]!;
    const leader = this.leader;
    this.duties = new LeaderDuties({
      selfId: leader.id,
      state: leader.state,
      log: this.log,
      propose: (cmd) => this.propose(cmd),
      // The failure detector is not what this bench measures: the voters are alive, the simulated
      // nodes unknown to it (so no node.down, and the autopilot does not try to add them to Raft).
      liveness: (id) => (IDS.includes(id) ? 'alive' : undefined),
      onLivenessChange: () => undefined,
      raft: leader.host,
    });
    // As ClusterRuntime.scheduleAfterApply: wake the control loop once per batch of applied entries.
    let queued = false;
    leader.state.onChange(() => {
      if (queued) return;
      queued = true;
      setImmediate(() => {
        queued = false;
        this.duties.wake();
      });
    });
    this.duties.start();
  }

  /** Proposes on the leader (where a follower's write is forwarded to) and waits for it to apply. */
  async propose(cmd: Command): Promise<Applied> {
    return (await this.leader.host.propose(encodeCommand(cmd), { timeoutMs: PROPOSE_TIMEOUT_MS })) as Applied;
  }

  async stop(): Promise<void> {
    await this.duties?.stop();
    await Promise.all(this.replicas.map((r) => r.host.stop()));
    await Promise.all(this.replicas.map((r) => r.storage.close()));
    await Promise.all([...this.followers.values()].map(async (w) => {
      await w.ask({ type: 'stop' }, 'stopped');
      await w.worker.terminate();
    }));
    rmSync(this.root, { recursive: true, force: true });
  }
}
