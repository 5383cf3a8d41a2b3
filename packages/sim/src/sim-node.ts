/**
 * One simulated machine running the production host loop: `RaftHost`
 * (@shoal/raft-host) around a RaftNode, on a simulated process (timers,
 * pauses, death), a simulated disk (`SimStorage`) and the simulated network,
 * with a key-value replica as its state machine. The checks sit at the
 * edges RaftHost talks to: every Ready it takes, every write it issues,
 * every message it sends, every entry it applies.
 */
import { decodeMessage, encodeMessage } from '@shoal/raft';
import type { ConfChange, Entry, Message, NodeId, RaftConfig, RaftStatus, Ready } from '@shoal/raft';
import { RaftHost, type StateMachine } from '@shoal/raft-host';
import { canonicalMessage } from './codec-check.js';
import type { SimDisk } from './disk.js';
import { checkOutgoing, checkReady, type PersistedMark } from './durability.js';
import type { EventQueue } from './event-queue.js';
import { KvStore, decodeKvCommand, encodeKvCommand } from './kv.js';
import type { KvCommand, KvResult } from './kv.js';
import type { Rng } from './rng.js';
import type { SafetyMonitor } from './safety-monitor.js';
import { SimProcess } from './sim-process.js';
import { SimStorage, type StorageModel } from './sim-storage.js';
import { SimViolation } from './violation.js';

export interface ClientRequest {
  client: string;
  attempt: number;
  cmd: KvCommand;
  /** Reads only: serve through ReadIndex instead of through the log. */
  readIndex: boolean;
}

export type ClientReply = { kind: 'ok'; result: KvResult } | { kind: 'notLeader'; hint: NodeId | null } | { kind: 'error'; message: string };

/** What a node needs from the simulation around it. */
export interface HostEnv {
  queue: EventQueue;
  rng: Rng;
  monitor: SafetyMonitor;
  send(from: NodeId, to: NodeId, bytes: Uint8Array): void;
  reply(req: ClientRequest, from: NodeId, reply: ClientReply): void;
  /** Called the first time any node applies an entry: it must be durable on a quorum. */
  checkCommitted(node: NodeId, entry: Entry, status: RaftStatus): void;
  raftOptions: Omit<RaftConfig, 'id' | 'persisted' | 'applied' | 'random'>;
  storage: StorageModel;
  /** RaftHost's leaderWritesInParallel (Raft thesis 10.2.1). */
  leaderWritesInParallel: boolean;
  /** Applied entries between two log compactions. */
  snapshotEvery: number;
  /** Chance of a power loss between writing a ready and syncing it. */
  crashBeforeSync: number;
  /** The node lost power on its own (mid-write); the cluster schedules its restart. */
  onCrash(node: NodeId): void;
  /** Records a violation: RaftHost catches some of what its callbacks throw, the run must stop anyway. */
  fail(v: SimViolation): void;
  trace(line: string): void;
  /** Coverage counters: how often each interesting path ran. */
  count(what: string): void;
}

export class SimNode {
  kv = new KvStore();
  private host: RaftHost | null = null;
  private deliver: ((m: Message) => void) | null = null;
  private readonly proc: SimProcess;
  private readonly storage: SimStorage;
  /** The Ready stream as judged so far (term, vote, commit), for checkReady. */
  private mark: PersistedMark = { term: 0, vote: null, commit: 0, applied: 0 };

  constructor(
    readonly id: NodeId,
    readonly disk: SimDisk,
    private readonly env: HostEnv,
  ) {
    this.proc = new SimProcess(env.queue, id, (v) => env.fail(v));
    this.storage = new SimStorage(
      id,
      disk,
      this.proc,
      env.storage,
      {
        rng: env.rng,
        monitor: env.monitor,
        crashBeforeSync: () => env.crashBeforeSync,
        powerLoss: () => {
          this.crash(true);
          env.onCrash(id);
        },
        count: (what) => env.count(what),
      },
      () => this.kv.applied,
    );
  }

  get up(): boolean {
    return this.host !== null;
  }

  get paused(): boolean {
    return this.proc.paused;
  }

  start(): void {
    const state = this.storage.loadNow();
    this.mark = { term: state.hardState.term, vote: state.hardState.vote, commit: state.hardState.commit, applied: state.applied };
    this.kv = new KvStore();
    this.proc.boot();
    const rng = this.env.rng.fork();
    const host = new RaftHost({
      id: this.id,
      storage: this.storage,
      scheduler: this.proc,
      transport: {
        send: (msgs) => this.check(() => msgs.forEach((m) => this.sendChecked(m))),
        onMessage: (handler) => {
          this.deliver = handler;
        },
      },
      fsm: this.stateMachine(),
      tickMs: 10,
      electionTick: this.env.raftOptions.electionTick,
      heartbeatTick: this.env.raftOptions.heartbeatTick,
      raftOptions: { preVote: this.env.raftOptions.preVote, checkQuorum: this.env.raftOptions.checkQuorum, maxSizePerMsg: this.env.raftOptions.maxSizePerMsg, maxInflight: this.env.raftOptions.maxInflight, ...(this.env.raftOptions.maxCommittedSizePerReady === undefined ? {} : { maxCommittedSizePerReady: this.env.raftOptions.maxCommittedSizePerReady }) },
      random: () => rng.next(),
      snapshotEvery: this.env.snapshotEvery,
      proposeTimeoutMs: 2000,
      leaderWritesInParallel: this.env.leaderWritesInParallel,
      observeReady: (rd) => this.check(() => this.onReady(rd)),
      observeApplied: (e) => this.check(() => this.onApplied(e)),
    });
    host.onFatal((err) => this.env.fail(new SimViolation('raft-threw', `${this.id}: the host stopped: ${err.message}`)));
    this.host = host;
    this.proc.run(() => host.startWith(state));
  }

  /** Freezes the process: no ticks; messages, disk completions and requests queue up until `resume()`. */
  pause(): void {
    this.proc.pause();
  }

  resume(): void {
    this.proc.resume();
  }

  /** Power loss: the process dies and unsynced writes may be lost or torn. */
  crash(torn: boolean): void {
    this.host?.halt();
    this.host = null;
    this.deliver = null;
    this.proc.kill();
    this.disk.crash(this.env.rng, torn);
  }

  /** Stop of a node removed from the cluster: for good. */
  stop(): void {
    if (!this.host) return;
    this.host.halt();
    this.host = null;
    this.proc.kill();
    this.disk.sync();
  }

  status(): (RaftStatus & { applied: number }) | null {
    return this.host ? this.host.status() : null;
  }

  /** Bytes from the network: decoded (so the codec runs), damaged ones dropped. */
  receive(bytes: Uint8Array, corrupted: boolean): void {
    this.proc.run(() => {
      let m: Message;
      try {
        m = decodeMessage(bytes);
      } catch {
        this.env.count('corruptRejected');
        if (!corrupted) this.fail(new SimViolation('codec', `${this.id} could not decode an intact message`));
        return;
      }
      if (corrupted) {
        // The transport authenticates frames (Noise), so a damaged frame that still parses is dropped there.
        this.env.count('corruptAccepted');
        return;
      }
      const host = this.host!;
      if (this.storage.inFlight > 0) this.env.count('steppedWhileWriting');
      const before = host.droppedMessages;
      this.deliver?.(m);
      // RaftNode.step never throws on what a peer sends; RaftHost counts it if it did.
      if (host.droppedMessages !== before) this.fail(new SimViolation('raft-threw', `${this.id}: RaftNode.step threw on an intact ${m.type} from ${m.from}`));
    });
  }

  /** Background flush of the page cache. */
  flush(): void {
    if (this.up) this.disk.sync();
  }

  handleRequest(req: ClientRequest): void {
    this.proc.run(() => {
      const host = this.host!;
      try {
        if (req.cmd.op.kind === 'get' && req.readIndex) {
          const key = req.cmd.op.key;
          host.requestRead({}, (err) => {
            if (err) return this.refuse(req, err);
            this.env.count('readIndexReads');
            this.env.reply(req, this.id, { kind: 'ok', result: { value: this.kv.get(key) } });
          });
        } else {
          host.submit(encodeKvCommand(req.cmd), {}, (err, value) => {
            if (err) return this.refuse(req, err);
            // null: a stale retry of an older command; its client moved on.
            if (value) this.env.reply(req, this.id, { kind: 'ok', result: value as KvResult });
          });
        }
      } catch (err) {
        this.refuse(req, err);
      }
    });
  }

  /** Proposes a membership change here; undefined when the process cannot run it now (down or paused). Throws what RaftNode refuses. */
  proposeConfChange(cc: ConfChange): { index: number; term: number } | undefined {
    if (!this.host || this.proc.paused) return undefined;
    // Not through proc.run: a refusal is a coded error the fault injector counts, not a crash.
    return this.host.submitConfChange(cc, () => {});
  }

  transferLeadership(to: NodeId): void {
    if (!this.host || this.proc.paused) return;
    this.host.requestTransfer(to, {}, () => {});
  }

  private refuse(req: ClientRequest, err: unknown): void {
    const e = err as { code?: string; leaderHint?: NodeId | null; message?: string };
    if (e.code === 'NOT_LEADER') this.env.reply(req, this.id, { kind: 'notLeader', hint: e.leaderHint ?? null });
    else this.env.reply(req, this.id, { kind: 'error', message: String(e.message ?? err) });
  }

  private stateMachine(): StateMachine {
    return {
      apply: (e) => {
        let result: KvResult | null = null;
        this.check(() => {
          this.beforeApply(e);
          result = this.kv.apply(e.index, decodeKvCommand(e.data));
        });
        return result;
      },
      snapshot: () => {
        this.env.count('compactions');
        return this.kv.snapshot();
      },
      restore: (data) => {
        this.kv = KvStore.restore(data);
      },
    };
  }

  /** Entries the FSM does not see (no-ops, conf changes) are applied here, after the host's bookkeeping. */
  private onApplied(e: Entry): void {
    if (this.kv.applied === e.index) return;
    this.beforeApply(e);
    this.kv.skip(e.index);
  }

  private beforeApply(e: Entry): void {
    if (e.index !== this.kv.applied + 1) throw new SimViolation('apply-order', `${this.id} was handed entry ${e.index} to apply after ${this.kv.applied}`);
    const st = this.host!.status();
    if (this.env.monitor.onApply(this.id, e, st.term)) {
      this.env.checkCommitted(this.id, e, st);
      if (e.type === 'conf') this.env.count('confChangesCommitted');
    }
  }

  private onReady(rd: Ready): void {
    checkReady(this.id, rd, { ...this.mark, applied: this.kv.applied });
    if (rd.hardState) this.mark = { term: rd.hardState.term, vote: rd.hardState.vote, commit: rd.hardState.commit, applied: 0 };
    if (!rd.softState) return;
    const st = this.host!.status();
    this.env.trace(`${this.id} is ${rd.softState.role} in term ${st.term} (leader ${rd.softState.leader}, last ${st.lastIndex}, commit ${st.commit}, voters ${st.conf.voters.join(',')})`);
    if (rd.softState.role !== 'leader') return;
    this.env.count('elections');
    if (st.conf.voters.length <= 2) this.env.count(`leaderOf${st.conf.voters.length}Voters`);
    this.env.monitor.onLeader(this.id, st.term);
    // The leader's log: what it wrote before, plus what this Ready is about to write.
    const fresh = new Map(rd.entries.map((e) => [e.index, e.term]));
    const snap = rd.snapshot?.meta.index ?? this.disk.volatileSnapshotIndex();
    this.env.monitor.onLeaderLog(this.id, st.term, snap, (i) => fresh.get(i) ?? this.disk.volatileTermAt(i));
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

  private fail(v: SimViolation): never {
    this.env.fail(v);
    throw v;
  }

  /** Runs a check inside a callback RaftHost may guard: a violation is recorded before it is thrown. */
  private check(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof SimViolation) this.env.fail(err);
      throw err;
    }
  }
}
