// The control plane of the c1m bench: 3 voters in this process, each a real
// RaftHost on its own LevelDB (synced writes) over MemoryNetwork, applying
// the real command codec into a real ClusterState, and the real
// LeaderDuties (orchestrator + scheduler control loop) on the leader, as
// ClusterRuntime wires them. What is left out: libp2p (MemoryNetwork
// instead), the failure detector (every simulated node counts as alive) and
// the autopilot's voter changes (the voter set stays the 3 below). The
// election timeout is 10 s, not 1 s: on a starved machine a voter that
// misses its heartbeats for a second would depose a leader this bench pins.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ClusterState, encodeCommand, type Command, type CommandResult } from '@shoal/state';
import { LevelRaftStorage } from '@shoal/storage';
import { MemoryNetwork, RaftHost } from '@shoal/raft-host';
import { LeaderDuties, clusterStateMachine } from '@shoal/daemon';

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

export class C1mCluster {
  readonly replicas: Replica[] = [];
  leader!: Replica;
  duties!: LeaderDuties;
  private readonly root = mkdtempSync(join(tmpdir(), 'shoal-bench-c1m-'));
  private readonly net = new MemoryNetwork();
  private readonly log = pino({ level: process.env.C1M_LOG ?? 'warn' });

  async start(): Promise<void> {
    const ids = ['v1', 'v2', 'v3'];
    for (const id of ids) {
      const state = new ClusterState();
      const storage = await LevelRaftStorage.open(join(this.root, id));
      const host = new RaftHost({ id, storage, transport: this.net.transport(id), fsm: clusterStateMachine(state), bootstrapVoters: ids, tickMs: 50, electionTick: 200, heartbeatTick: 2, proposeTimeoutMs: PROPOSE_TIMEOUT_MS });
      this.replicas.push({ id, state, host, storage });
    }
    await Promise.all(this.replicas.map((r) => r.host.start()));
    const deadline = Date.now() + 20_000;
    while (!this.replicas.some((r) => r.host.status().role === 'leader')) {
      if (Date.now() > deadline) throw new Error('no leader within 20 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    this.leader = this.replicas.find((r) => r.host.status().role === 'leader')!;
    const leader = this.leader;
    this.duties = new LeaderDuties({
      selfId: leader.id,
      state: leader.state,
      log: this.log,
      propose: (cmd) => this.propose(cmd),
      // The failure detector is not what this bench measures: the voters are alive, the simulated
      // nodes unknown to it (so no node.down, and the autopilot does not try to add them to Raft).
      liveness: (id) => (this.replicas.some((r) => r.id === id) ? 'alive' : undefined),
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
    rmSync(this.root, { recursive: true, force: true });
  }
}
