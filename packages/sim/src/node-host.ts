import { RaftNode, decodeMessage, encodeMessage } from '@shoal/raft';
import type { Entry, Message, NodeId, RaftConfig, RaftStatus, Ready } from '@shoal/raft';
import { canonicalMessage } from './codec-check.js';
import { checkOutgoing, checkReady } from './durability.js';
import type { SimDisk } from './disk.js';
import { KvStore, decodeKvCommand, encodeKvCommand, opKey } from './kv.js';
import type { KvCommand, KvResult } from './kv.js';
import type { Rng } from './rng.js';
import type { SafetyMonitor } from './safety-monitor.js';
import { SimViolation } from './violation.js';

export interface ClientRequest {
  client: string;
  attempt: number;
  cmd: KvCommand;
  /** Reads only: serve through ReadIndex instead of through the log. */
  readIndex: boolean;
}

export type ClientReply = { kind: 'ok'; result: KvResult } | { kind: 'notLeader'; hint: NodeId | null } | { kind: 'error'; message: string };

/** What a node host needs from the simulation around it. */
export interface HostEnv {
  rng: Rng;
  monitor: SafetyMonitor;
  send(from: NodeId, to: NodeId, bytes: Uint8Array): void;
  reply(req: ClientRequest, from: NodeId, reply: ClientReply): void;
  /** Called the first time any node applies an entry: it must be durable on a quorum. */
  checkCommitted(node: NodeId, entry: Entry, status: RaftStatus): void;
  raftOptions: Omit<RaftConfig, 'id' | 'persisted' | 'applied' | 'random'>;
  /** Chance of a power loss between writing a ready and syncing it. */
  crashBeforeSync: number;
  /** The node lost power on its own (mid-write); the cluster schedules its restart. */
  onCrash(node: NodeId): void;
  trace(line: string): void;
  /** Coverage counters: how often each interesting path ran. */
  count(what: string): void;
}

/**
 * One simulated machine: a RaftNode, its disk and its key-value replica,
 * driven by the caller loop Raft expects (persist, sync when told, send,
 * apply, advance), with the durability checks that would catch a Raft that
 * hands out messages before what they promise is on disk.
 */
export class SimNode {
  raft: RaftNode | null = null;
  kv = new KvStore();
  private pendingWrites = new Map<string, ClientRequest>();
  private pendingReads = new Map<string, ClientRequest>();
  private waitingReads: { index: number; req: ClientRequest }[] = [];
  private readSeq = 0;
  /** Work that arrived while the process was paused (SIGSTOP, long GC): run on resume. */
  private deferred: (() => void)[] | null = null;
  private lastHardState = { term: 0, vote: null as NodeId | null };
  /** Highest commit index this incarnation has persisted. */
  private knownCommit = 0;

  constructor(
    readonly id: NodeId,
    readonly disk: SimDisk,
    private readonly env: HostEnv,
  ) {}

  get up(): boolean {
    return this.raft !== null;
  }

  start(): void {
    const persisted = this.disk.recover();
    this.kv = persisted.snapshot ? KvStore.restore(persisted.snapshot.data) : new KvStore();
    const applied = persisted.snapshot?.meta.index ?? 0;
    this.kv.applied = applied;
    this.lastHardState = { term: persisted.hardState.term, vote: persisted.hardState.vote };
    this.knownCommit = persisted.hardState.commit;
    const rng = this.env.rng.fork();
    this.raft = this.guard(() => new RaftNode({ ...this.env.raftOptions, id: this.id, random: () => rng.next(), persisted, applied }));
    this.drain();
  }

  get paused(): boolean {
    return this.deferred !== null;
  }

  /** Freezes the process: no ticks; messages and requests queue up until `resume()`. */
  pause(): void {
    if (this.raft && !this.deferred) this.deferred = [];
  }

  resume(): void {
    const work = this.deferred;
    this.deferred = null;
    for (const w of work ?? []) if (this.raft) w();
  }

  /** Power loss: the process dies and unsynced writes may be lost or torn. */
  crash(torn: boolean): void {
    this.raft = null;
    this.deferred = null;
    this.pendingWrites.clear();
    this.pendingReads.clear();
    this.waitingReads = [];
    this.disk.crash(this.env.rng, torn);
  }

  /** Clean stop of a node removed from the cluster. */
  stop(): void {
    if (!this.raft) return;
    this.disk.sync();
    this.raft = null;
  }

  status(): RaftStatus | null {
    return this.raft ? this.raft.status() : null;
  }

  tick(): void {
    if (!this.raft || this.deferred) return;
    const raft = this.raft;
    this.guard(() => raft.tick());
    this.drain();
  }

  /** Bytes from the network: decoded (so the codec runs), damaged ones dropped. */
  receive(bytes: Uint8Array, corrupted: boolean): void {
    if (!this.raft) return;
    if (this.deferred) {
      this.deferred.push(() => this.receive(bytes, corrupted));
      return;
    }
    let m: Message;
    try {
      m = decodeMessage(bytes);
    } catch {
      this.env.count('corruptRejected');
      if (!corrupted) throw new SimViolation('codec', `${this.id} could not decode an intact message`);
      return;
    }
    if (corrupted) {
      // The transport authenticates frames (Noise), so a damaged frame that still parses is dropped there.
      this.env.count('corruptAccepted');
      return;
    }
    const raft = this.raft;
    this.guard(() => raft.step(m));
    this.drain();
  }

  /** Background flush of the page cache. */
  flush(): void {
    this.disk.sync();
  }

  /** Compacts the log up to what the state machine applied, so lagging peers need a snapshot. */
  compact(): void {
    const raft = this.raft;
    if (!raft || this.kv.applied <= this.disk.durableSnapshotIndex()) return;
    const snap = this.guard(() => raft.compact(this.kv.applied, this.kv.snapshot()));
    this.env.count('compactions');
    this.disk.compact(snap);
  }

  handleRequest(req: ClientRequest): void {
    const raft = this.raft;
    if (!raft) return;
    if (this.deferred) {
      this.deferred.push(() => this.handleRequest(req));
      return;
    }
    try {
      if (req.cmd.op.kind === 'get' && req.readIndex) {
        const ctx = `${this.id}/${++this.readSeq}`;
        raft.readIndex(ctx);
        this.pendingReads.set(ctx, req);
      } else {
        raft.propose(encodeKvCommand(req.cmd));
        this.pendingWrites.set(opKey(req.cmd.client, req.cmd.seq), req);
      }
    } catch (err) {
      const e = err as { code?: string; leaderHint?: NodeId | null; message?: string };
      if (e.code === 'NOT_LEADER') this.env.reply(req, this.id, { kind: 'notLeader', hint: e.leaderHint ?? null });
      else this.env.reply(req, this.id, { kind: 'error', message: String(e.message ?? err) });
    }
    this.drain();
  }

  /** Runs a control call on the Raft node (conf change, transfer), then drains. */
  control<T>(fn: (raft: RaftNode) => T): T | undefined {
    const raft = this.raft;
    if (!raft || this.deferred) return undefined;
    try {
      return fn(raft);
    } finally {
      this.drain();
    }
  }

  /** The caller loop: persist, sync when told, check, send, apply, advance. */
  drain(): void {
    for (let guard = 0; this.raft && this.raft.hasReady(); guard++) {
      if (guard > 1000) throw new SimViolation('liveness', `${this.id} kept producing Ready without end`);
      const raft = this.raft;
      const rd = this.guard(() => raft.ready());
      if (!this.persist(rd)) return;
      if (rd.softState) {
        const st = raft.status();
        this.env.trace(`${this.id} is ${rd.softState.role} in term ${st.term} (leader ${rd.softState.leader}, last ${st.lastIndex}, commit ${st.commit}, voters ${st.conf.voters.join(',')})`);
        if (rd.softState.role === 'leader') {
          this.env.count('elections');
          this.env.monitor.onLeader(this.id, st.term);
          this.env.monitor.onLeaderLog(this.id, st.term, this.disk.volatileSnapshotIndex(), (i) => this.disk.volatileTermAt(i));
        }
      }
      for (const m of rd.messages) this.sendChecked(m);
      this.applyAll(rd.committedEntries);
      for (const rs of rd.readStates) {
        const req = this.pendingReads.get(rs.context);
        if (!req) continue;
        this.pendingReads.delete(rs.context);
        this.waitingReads.push({ index: rs.index, req });
      }
      this.serveReads();
      this.guard(() => raft.advance(rd));
    }
  }

  /** Writes the ready to disk; returns false if the node lost power before syncing. */
  private persist(rd: Ready): boolean {
    checkReady(this.id, rd, { ...this.lastHardState, commit: this.knownCommit, applied: this.kv.applied });
    if (rd.snapshot) {
      this.env.count('snapshotsInstalled');
      this.env.monitor.onSnapshot(this.id, rd.snapshot);
      this.disk.installSnapshot(rd.snapshot);
      this.kv = KvStore.restore(rd.snapshot.data);
      this.kv.applied = rd.snapshot.meta.index;
    }
    this.env.monitor.onPersist(this.id, rd.entries, this.knownCommit);
    this.disk.appendEntries(rd.entries);
    const hs = rd.hardState;
    if (hs) {
      this.knownCommit = hs.commit;
      this.disk.writeHardState(hs);
      this.lastHardState = { term: hs.term, vote: hs.vote };
    }
    if (rd.mustSync || rd.snapshot) {
      if (this.env.rng.chance(this.env.crashBeforeSync)) {
        this.crash(true);
        this.env.count('crashesBeforeSync');
        this.env.onCrash(this.id);
        return false;
      }
      this.disk.sync();
    }
    return true;
  }

  private sendChecked(m: Message): void {
    checkOutgoing(this.id, m, this.disk);
    if (m.type === 'voteResp' && !m.reject) this.env.monitor.onVoteGranted(this.id, m.to, m.term);
    const bytes = encodeMessage(m);
    if (this.env.rng.chance(1 / 16)) {
      this.env.count('codecRoundTrips');
      const back = canonicalMessage(decodeMessage(bytes));
      if (back !== canonicalMessage(m)) throw new SimViolation('codec', `${m.type} did not survive encode/decode: ${canonicalMessage(m)} became ${back}`);
    }
    this.env.send(this.id, m.to, bytes);
  }

  private applyAll(entries: Entry[]): void {
    const raft = this.raft!;
    for (const e of entries) {
      if (e.index !== this.kv.applied + 1) {
        throw new SimViolation('apply-order', `${this.id} was handed entry ${e.index} to apply after ${this.kv.applied}`);
      }
      const st = raft.status();
      if (this.env.monitor.onApply(this.id, e, st.term)) {
        this.env.checkCommitted(this.id, e, st);
        if (e.type === 'conf') this.env.count('confChangesCommitted');
      }
      if (e.type !== 'normal' || e.data.length === 0) {
        this.kv.skip(e.index);
        continue;
      }
      const cmd = decodeKvCommand(e.data);
      const result = this.kv.apply(e.index, cmd);
      const key = opKey(cmd.client, cmd.seq);
      const req = this.pendingWrites.get(key);
      if (req && result) {
        this.pendingWrites.delete(key);
        this.env.reply(req, this.id, { kind: 'ok', result });
      }
    }
  }

  private serveReads(): void {
    if (this.waitingReads.length === 0) return;
    const still: { index: number; req: ClientRequest }[] = [];
    for (const w of this.waitingReads) {
      if (w.index > this.kv.applied) {
        still.push(w);
        continue;
      }
      const op = w.req.cmd.op;
      this.env.count('readIndexReads');
      this.env.reply(w.req, this.id, { kind: 'ok', result: { value: this.kv.get(op.key) } });
    }
    this.waitingReads = still;
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof SimViolation) throw err;
      const e = err as Error;
      throw new SimViolation('raft-threw', `${this.id}: ${e.name}: ${e.message}\n${e.stack ?? ''}`);
    }
  }
}
