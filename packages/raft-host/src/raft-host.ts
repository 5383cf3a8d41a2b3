/**
 * RaftHost: the I/O loop around one RaftNode. Ticks on a timer, steps
 * messages from the transport and drains Ready in a loop: persist (one synced
 * write per Ready, however many proposals it holds), then send, then apply,
 * then advance. Snapshots the FSM every `snapshotEvery` applied entries.
 *
 * Time comes from an injected scheduler and the loop continues from the
 * storage's completion callbacks (no await inside), so a simulator can run
 * this very loop on simulated time with a simulated disk.
 */
import { RaftNode, type ConfChange, type DropCounts, type RaftConfig, type Entry, type Message, type NodeId, type RaftStatus, type Ready, type Role, type Snapshot } from '@shoal/raft';
import { ErrorCode, NotLeaderError, ShoalError, isShoalError } from '@shoal/types';
import { PendingProposals, type Settle } from './proposals.js';
import { raftCall, toShoalError } from './raft-errors.js';
import { ReadBarriers } from './read-barriers.js';
import { ReadyWriter } from './ready-writer.js';
import { realScheduler, type Cancel, type HostScheduler } from './scheduler.js';
import { whenDone, type LoadedState, type RaftStorage } from './storage.js';
import { silentLogger, type HostLogger, type RaftTransport, type StateMachine } from './transport.js';

export interface RaftHostOptions {
  id: NodeId;
  storage: RaftStorage;
  /** Timers; real ones by default, simulated ones in the simulator. */
  scheduler?: HostScheduler;
  /** Raft tuning (pre-vote and check-quorum are on by default). */
  raftOptions?: Pick<RaftConfig, 'preVote' | 'checkQuorum' | 'maxSizePerMsg' | 'maxInflight' | 'maxCommittedSizePerReady'>;
  /** Called with every applied entry, Raft's own (no-op, conf) included: for checkers. */
  observeApplied?: (e: Entry) => void;
  /** Called with every Ready before it is written: for checkers (the simulator judges it against what it persisted). */
  observeReady?: (rd: Ready) => void;
  transport: RaftTransport;
  fsm: StateMachine;
  tickMs?: number;
  electionTick?: number;
  heartbeatTick?: number;
  /** Applied entries between two FSM snapshots (log compactions). */
  snapshotEvery?: number;
  random?: () => number;
  logger?: HostLogger;
  /** Voters of a brand-new cluster; used only when the store is empty. */
  bootstrapVoters?: NodeId[];
  /** Default proposal timeout. */
  proposeTimeoutMs?: number;
  /**
   * Let the leader send new entries while it writes them (Raft thesis 10.2.1;
   * what etcd does). Off by default: the Ready contract says persist, then send.
   */
  leaderWritesInParallel?: boolean;
}

export class RaftHost {
  private readonly opts: Required<Omit<RaftHostOptions, 'bootstrapVoters' | 'logger' | 'observeApplied' | 'observeReady' | 'raftOptions'>> &
    Pick<RaftHostOptions, 'bootstrapVoters' | 'observeApplied' | 'observeReady' | 'raftOptions'>;
  private readonly log: HostLogger;
  private readonly scheduler: HostScheduler;
  private node: RaftNode | null = null;
  private cancelTick: Cancel | null = null;
  private running = false;
  /** Set by halt(): the process died, nothing it started may finish. */
  private halted = false;
  private drainScheduled = false;
  /** A Ready is being written; the next one waits for it (RaftNode may step meanwhile). */
  private writing = false;
  private idleWaiters: (() => void)[] = [];
  private fatal: ShoalError | null = null;
  private applied = 0;
  private snapshotIndex = 0;
  private leader: NodeId | null = null;
  private role: Role = 'follower';
  private term = 0;
  private writer: ReadyWriter | null = null;
  private readSeq = 0;
  /** Distinguishes this process's read contexts from a previous run's, whose replies may still be in flight. */
  private incarnation = '';
  private readonly proposals: PendingProposals;
  private readonly reads: ReadBarriers;
  private readonly leaderListeners: ((leader: NodeId | null, term: number) => void)[] = [];
  private readonly appliedListeners: ((index: number) => void)[] = [];
  private readonly fatalListeners: ((err: ShoalError) => void)[] = [];
  /** Malformed or unexpected messages from peers, dropped and counted. */
  droppedMessages = 0;

  constructor(opts: RaftHostOptions) {
    this.opts = {
      tickMs: 100,
      electionTick: 10,
      heartbeatTick: 1,
      snapshotEvery: 10_000,
      random: Math.random,
      proposeTimeoutMs: 30_000,
      leaderWritesInParallel: false,
      scheduler: realScheduler,
      ...opts,
    };
    this.log = opts.logger ?? silentLogger;
    this.scheduler = this.opts.scheduler;
    this.proposals = new PendingProposals(this.scheduler);
    this.reads = new ReadBarriers(this.scheduler);
  }

  async start(): Promise<void> {
    const { storage, bootstrapVoters } = this.opts;
    const state = await storage.load();
    const fresh = state.snapshot === null && state.entries.length === 0 && state.hardState.term === 0;
    if (fresh && state.conf.voters.length === 0 && bootstrapVoters && bootstrapVoters.length > 0) {
      state.conf = { voters: [...bootstrapVoters], learners: [] };
      await storage.setBootstrapConf(state.conf);
    }
    this.startWith(state);
  }

  /** Starts from state already loaded (the bootstrap membership in it): what start() does after reading the disk. */
  startWith(state: LoadedState): void {
    const { fsm } = this.opts;
    if (state.snapshot) fsm.restore(state.snapshot.data);
    this.applied = this.snapshotIndex = state.applied;
    this.term = state.hardState.term;
    this.writer = new ReadyWriter(this.opts.storage, state.hardState);
    this.incarnation = incarnationId(this.opts.random);
    this.node = raftCall(() => new RaftNode({
      id: this.opts.id,
      electionTick: this.opts.electionTick,
      heartbeatTick: this.opts.heartbeatTick,
      random: this.opts.random,
      persisted: state,
      applied: state.applied,
      preVote: true,
      checkQuorum: true,
      ...this.opts.raftOptions,
    }));
    this.opts.transport.onMessage((m) => this.receive(m));
    this.running = true;
    this.cancelTick = this.scheduler.every(this.opts.tickMs, () => this.tick());
    this.log.info({ node: this.opts.id, applied: this.applied, term: this.term, entries: state.entries.length }, 'raft host started');
    this.scheduleDrain();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.cancelTick?.();
    this.cancelTick = null;
    // The Ready being written still completes: its messages and applies are part of it.
    if (this.writing) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    // Best effort: a fresher commit index means less to relearn after a restart.
    if (!this.fatal) await this.writer?.flush().catch(() => undefined);
    const err = new ShoalError(ErrorCode.Aborted, 'the raft host was stopped; the outcome of in-flight proposals is unknown');
    this.proposals.rejectAll(err);
    this.reads.rejectAll(err);
  }

  /**
   * Power loss: stops at once, mid-write if need be. Nothing queued or being written
   * completes, no waiter is settled (the process is gone); the storage decides what survived.
   */
  halt(): void {
    this.halted = true;
    this.running = false;
    this.cancelTick?.();
    this.cancelTick = null;
  }

  propose(data: Uint8Array, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      try {
        this.submit(data, opts, (err, value) => (err ? reject(err) : resolve(value)));
      } catch (err) {
        reject(err);
      }
    });
  }

  /**
   * `propose` with a callback: throws at once (NotLeaderError, ...) if the node cannot take it,
   * else `settle` is called once the entry is applied here, or fails.
   */
  submit(data: Uint8Array, opts: { signal?: AbortSignal; timeoutMs?: number }, settle: Settle): { index: number; term: number } {
    const node = this.live();
    const at = raftCall(() => node.propose(data));
    this.proposals.watch(at.index, at.term, { timeoutMs: opts.timeoutMs ?? this.opts.proposeTimeoutMs, signal: opts.signal }, settle);
    this.scheduleDrain();
    return at;
  }

  async proposeConfChange(cc: ConfChange): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      try {
        this.submitConfChange(cc, (err) => (err ? reject(err) : resolve()));
      } catch (err) {
        reject(err);
      }
    });
  }

  /** `proposeConfChange` with a callback: throws at once if the node refuses it, else `settle` is called once it is applied here, or fails. */
  submitConfChange(cc: ConfChange, settle: Settle): { index: number; term: number } {
    const node = this.live();
    const at = raftCall(() => node.proposeConfChange(cc));
    this.proposals.watch(at.index, at.term, { timeoutMs: this.opts.proposeTimeoutMs }, settle);
    this.scheduleDrain();
    return at;
  }

  /** Resolves once this replica has applied everything committed when it was called (linearizable reads). */
  async readBarrier(opts: { timeoutMs?: number } = {}): Promise<void> {
    await new Promise<void>((resolve, reject) => this.requestRead(opts, (err) => (err ? reject(err) : resolve())));
  }

  /** `readBarrier` with a callback: throws at once without a known leader, else `settle` is called once. */
  requestRead(opts: { timeoutMs?: number }, settle: (err: unknown) => void): void {
    const node = this.live();
    const status = node.status();
    if (status.leader === null) throw new NotLeaderError(null);
    const leading = status.role === 'leader';
    // A follower asks the leader it knows from durable state, in the durable term: a message
    // in a term not yet on disk would break the rule that nothing leaves before its term is written.
    if (!leading && (this.leader === null || this.leader === this.opts.id)) throw new NotLeaderError(status.leader);
    const context = `${this.opts.id}/${this.incarnation}/${++this.readSeq}`;
    if (leading) raftCall(() => node.readIndex(context));
    this.reads.watch(context, opts.timeoutMs ?? this.electionMs() * 3, settle);
    // RaftNode.readIndex serves leaders only; a follower asks the leader itself and
    // RaftNode turns the leader's readIndexResp into a ReadState.
    if (!leading) this.send([{ type: 'readIndex', from: this.opts.id, to: this.leader!, term: this.term, context }]);
    this.scheduleDrain();
  }

  async transferLeadership(to: NodeId, opts: { timeoutMs?: number } = {}): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      try {
        this.requestTransfer(to, opts, (err) => (err ? reject(err) : resolve()));
      } catch (err) {
        reject(err);
      }
    });
  }

  /** `transferLeadership` with a callback: throws at once if the node refuses it, else `settle` is called once `to` leads, or on timeout. */
  requestTransfer(to: NodeId, opts: { timeoutMs?: number }, settle: (err: unknown) => void): void {
    const node = this.live();
    if (this.leader === to) return settle(null);
    const timeoutMs = opts.timeoutMs ?? this.electionMs() * 3;
    raftCall(() => node.transferLeadership(to));
    const cancel = this.scheduler.after(timeoutMs, () => {
      remove();
      settle(new ShoalError(ErrorCode.Timeout, `leadership did not move to ${to} within ${timeoutMs} ms; check that it is a healthy, caught-up voter`, { to }));
    });
    const listener = (leader: NodeId | null): void => {
      if (leader !== to) return;
      cancel();
      remove();
      settle(null);
    };
    const remove = (): void => {
      const i = this.leaderListeners.indexOf(listener);
      if (i >= 0) this.leaderListeners.splice(i, 1);
    };
    this.leaderListeners.push(listener);
    this.scheduleDrain();
  }

  status(): RaftStatus & { applied: number } {
    // Readable after stop() or a fatal error too: operators want the last known state.
    if (!this.node) throw new ShoalError(ErrorCode.Internal, 'the raft host has not started yet; call start() first');
    return { ...this.node.status(), applied: this.applied };
  }

  /** Peer messages the Raft node refused, by reason (a learner campaigning, a term out of range, ...); for metrics. */
  refusedMessages(): DropCounts {
    if (!this.node) throw new ShoalError(ErrorCode.Internal, 'the raft host has not started yet; call start() first');
    return this.node.droppedMessages();
  }

  onLeaderChange(cb: (leader: NodeId | null, term: number) => void): void {
    this.leaderListeners.push(cb);
  }

  onApplied(cb: (index: number) => void): void {
    this.appliedListeners.push(cb);
  }

  /** The host stopped because it can no longer persist (e.g. disk full); restart the node once fixed. */
  onFatal(cb: (err: ShoalError) => void): void {
    this.fatalListeners.push(cb);
  }

  private live(): RaftNode {
    if (this.fatal) throw this.fatal;
    if (!this.running || !this.node) throw new ShoalError(ErrorCode.Internal, 'the raft host is not running; start() it first');
    return this.node;
  }

  private electionMs(): number {
    return this.opts.electionTick * this.opts.tickMs;
  }

  private tick(): void {
    this.node!.tick();
    this.scheduleDrain();
  }

  private receive(m: Message): void {
    if (!this.running || !this.node) return;
    try {
      this.node.step(m);
    } catch (err) {
      // A bad message from a peer never takes the node down.
      this.droppedMessages++;
      this.log.debug({ node: this.opts.id, from: m?.from, type: m?.type, err: String(err) }, 'dropped raft message');
      return;
    }
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || !this.running) return;
    this.drainScheduled = true;
    // "Soon", not a microtask: lets every proposal and message already queued land in the same Ready.
    this.scheduler.soon(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  /**
   * Handles Readies one at a time. A storage that completes at once keeps this loop
   * going here; one that completes later resumes it from its callback.
   */
  private drain(): void {
    const node = this.node!;
    while (!this.writing && this.running) {
      let rd: Ready;
      try {
        if (!node.hasReady()) break;
        rd = node.ready();
      } catch (err) {
        this.fail(err);
        return;
      }
      this.opts.observeReady?.(rd);
      this.writing = true;
      let inline = true;
      let doneInline = false;
      this.handle(node, rd, () => {
        this.writing = false;
        if (inline) doneInline = true;
        else this.drain();
      });
      inline = false;
      if (!doneInline) return;
      // Applying in slices (maxCommittedSizePerReady): let timers and messages in between, so a
      // large backlog of commits does not hold heartbeats back.
      if (rd.committedEntries.length > 0 && this.opts.raftOptions?.maxCommittedSizePerReady !== undefined) {
        this.scheduleDrain();
        return;
      }
    }
    if (!this.writing) for (const w of this.idleWaiters.splice(0)) w();
  }

  private handle(node: RaftNode, rd: Ready, next: () => void): void {
    const writer = this.writer!;
    const early = this.opts.leaderWritesInParallel && writer.mayReplicateBeforePersist(rd, this.role);
    if (early) this.send(rd.messages);
    writer.persist(rd, (err) => {
      if (this.halted) return;
      if (err) return this.failWrite(err, next);
      try {
        // Only now, with the Ready durable, may anything leave this node.
        if (!early) this.send(rd.messages);
        if (rd.snapshot) this.restore(rd.snapshot);
        this.apply(rd.committedEntries);
        node.advance(rd);
        if (rd.readStates.length > 0) this.reads.confirmed(rd.readStates, this.applied);
        this.noteLeader(rd);
      } catch (e) {
        return this.failWrite(e, next);
      }
      this.maybeCompact(node, (e) => {
        if (this.halted) return;
        if (e) return this.failWrite(e, next);
        next();
      });
    });
  }

  private failWrite(err: unknown, next: () => void): void {
    this.fail(err);
    next();
  }

  private send(msgs: Message[]): void {
    if (msgs.length === 0) return;
    try {
      this.opts.transport.send(msgs);
    } catch (err) {
      // Raft retransmits; a transport hiccup must not stop the node.
      this.log.warn({ node: this.opts.id, err: String(err) }, 'raft transport send failed');
    }
  }

  /** Listener errors are the listener's problem, not the Raft loop's. */
  private notify<A extends unknown[]>(listeners: ((...args: A) => void)[], ...args: A): void {
    for (const cb of [...listeners]) {
      try {
        cb(...args);
      } catch (err) {
        this.log.error({ node: this.opts.id, err: String(err) }, 'raft host listener threw');
      }
    }
  }

  private restore(snapshot: Snapshot): void {
    if (snapshot.meta.index <= this.applied) return;
    this.opts.fsm.restore(snapshot.data);
    this.applied = this.snapshotIndex = snapshot.meta.index;
    this.proposals.skippedTo(snapshot.meta.index, this.leader);
    this.log.info({ node: this.opts.id, index: snapshot.meta.index, term: snapshot.meta.term }, 'restored FSM from leader snapshot');
  }

  private apply(entries: Entry[]): void {
    if (entries.length === 0) return;
    for (const e of entries) {
      if (e.index <= this.applied) continue;
      let result: { value?: unknown; error?: unknown } = { value: undefined };
      // The leader's no-op and conf changes are Raft's own; only commands reach the FSM.
      if (e.type === 'normal' && e.data.length > 0) {
        try {
          result = { value: this.opts.fsm.apply(e) };
        } catch (err) {
          result = { error: err };
        }
      }
      this.applied = e.index;
      this.opts.observeApplied?.(e);
      this.proposals.applied(e, result, this.leader);
    }
    this.reads.applied(this.applied);
    this.notify(this.appliedListeners, this.applied);
  }

  private noteLeader(rd: Ready): void {
    if (rd.softState) this.role = rd.softState.role;
    const leader = rd.softState ? rd.softState.leader : this.leader;
    const term = rd.hardState ? rd.hardState.term : this.term;
    if (leader === this.leader && term === this.term) return;
    const changed = leader !== this.leader;
    this.leader = leader;
    this.term = term;
    if (!changed) return;
    this.log.info({ node: this.opts.id, leader, term }, 'leader changed');
    this.notify(this.leaderListeners, leader, term);
  }

  private maybeCompact(node: RaftNode, done: (err?: unknown) => void): void {
    if (this.applied - this.snapshotIndex < this.opts.snapshotEvery) return done();
    const index = this.applied;
    // A leader's snapshot stepped while this Ready was being written may already have replaced
    // the log past `index` (found by the simulator); it is restored with the next Ready.
    if (index <= node.status().snapshotIndex) return done();
    let snapshot: Snapshot;
    try {
      snapshot = raftCall(() => node.compact(index, this.opts.fsm.snapshot()));
    } catch (err) {
      return done(err);
    }
    whenDone(this.opts.storage.compact(snapshot), (err) => {
      if (err) return done(err);
      this.snapshotIndex = index;
      this.log.debug({ node: this.opts.id, index }, 'compacted the raft log');
      done();
    });
  }

  private fail(thrown: unknown): void {
    const err = toShoalError(thrown);
    const fatal = isShoalError(err) ? err : new ShoalError(ErrorCode.Internal, `raft host failed: ${String(err)}`);
    if (this.fatal) return;
    this.fatal = fatal;
    this.running = false;
    this.cancelTick?.();
    this.cancelTick = null;
    this.log.error({ node: this.opts.id, err: fatal.message }, 'raft host stopped: cannot persist');
    this.proposals.rejectAll(fatal);
    this.reads.rejectAll(fatal);
    this.notify(this.fatalListeners, fatal);
  }
}

/** 64 random bits in base 36: a fresh id per process start, so read contexts never repeat across restarts. */
function incarnationId(random: () => number): string {
  const part = (): string => Math.floor(random() * 2 ** 32).toString(36).padStart(7, '0');
  return part() + part();
}
