// A 3-node RaftHost cluster on MemoryNetwork and real LevelDB, for tests.
import { join } from 'node:path';
import type { Entry, NodeId } from '@shoal/raft';
import { MemoryNetwork, RaftHost, type StateMachine } from '@shoal/raft-host';
import { LevelRaftStorage, type OpenOptions } from '../src/index.js';
import { waitFor } from '@shoal/testkit';
import { tempDir } from './helpers.js';

/** A KV FSM: commands are "key=value"; apply returns how many times the key was set. */
export class KvFsm implements StateMachine {
  data = new Map<string, string>();
  writes = new Map<string, number>();
  restores = 0;

  apply(e: Entry): unknown {
    const text = new TextDecoder().decode(e.data);
    const eq = text.indexOf('=');
    if (eq < 0) throw new Error(`bad command "${text}"`);
    const key = text.slice(0, eq);
    this.data.set(key, text.slice(eq + 1));
    const n = (this.writes.get(key) ?? 0) + 1;
    this.writes.set(key, n);
    return n;
  }

  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ data: [...this.data], writes: [...this.writes] }));
  }

  restore(bytes: Uint8Array): void {
    const s = JSON.parse(new TextDecoder().decode(bytes)) as { data: [string, string][]; writes: [string, number][] };
    this.data = new Map(s.data);
    this.writes = new Map(s.writes);
    this.restores++;
  }

  dump(): string {
    return JSON.stringify([...this.data].sort());
  }
}

export const cmd = (s: string) => new TextEncoder().encode(s);

export interface Member {
  id: NodeId;
  dir: string;
  storage: LevelRaftStorage;
  fsm: KvFsm;
  host: RaftHost;
}

export interface ClusterOptions {
  snapshotEvery?: number;
  storeOptions?: (id: NodeId) => OpenOptions;
  leaderWritesInParallel?: boolean;
}

export class TestCluster {
  readonly net = new MemoryNetwork();
  readonly members = new Map<NodeId, Member>();
  readonly ids = ['n1', 'n2', 'n3'];
  private readonly root: string;

  constructor(
    t: Parameters<typeof tempDir>[0],
    private readonly opts: ClusterOptions = {},
  ) {
    this.root = tempDir(t, 'shoal-raft-host-');
  }

  async start(): Promise<void> {
    for (const id of this.ids) await this.startMember(id);
  }

  async startMember(id: NodeId): Promise<Member> {
    const dir = join(this.root, id);
    const storage = await LevelRaftStorage.open(dir, this.opts.storeOptions?.(id));
    const fsm = new KvFsm();
    const host = new RaftHost({
      id,
      storage,
      transport: this.net.transport(id),
      fsm,
      bootstrapVoters: this.ids,
      tickMs: 10,
      electionTick: 10,
      heartbeatTick: 1,
      snapshotEvery: this.opts.snapshotEvery,
      leaderWritesInParallel: this.opts.leaderWritesInParallel,
    });
    await host.start();
    const m = { id, dir, storage, fsm, host };
    this.members.set(id, m);
    return m;
  }

  async stopMember(id: NodeId): Promise<void> {
    const m = this.members.get(id)!;
    await m.host.stop();
    await m.storage.close();
    this.members.delete(id);
  }

  async stop(): Promise<void> {
    for (const id of [...this.members.keys()]) await this.stopMember(id);
  }

  member(id: NodeId): Member {
    return this.members.get(id)!;
  }

  async leader(): Promise<Member> {
    let found: Member | undefined;
    await waitFor('a leader', () => {
      found = [...this.members.values()].find((m) => m.host.status().role === 'leader');
      return found !== undefined;
    });
    return found!;
  }

  followers(leader: Member): Member[] {
    return [...this.members.values()].filter((m) => m !== leader);
  }

  /** Waits until every running member has applied `index`. */
  async allApplied(index: number): Promise<void> {
    await waitFor(`all members to apply ${index}`, () => [...this.members.values()].every((m) => m.host.status().applied >= index));
  }
}
