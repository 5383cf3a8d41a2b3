/**
 * The simulator's `RaftStorage`: what RaftHost persists through, on a
 * SimDisk (page cache + durable image). Production's LevelRaftStorage writes
 * a Ready in one atomic batch; this one can also do what the Raft README's
 * caller loop allows and a weaker store would do: entries, then hard state,
 * as separate writes, with a power loss possible between them. Writes may
 * complete at once or later in simulated time, and RaftHost keeps stepping
 * messages while one is in flight (asynchronous persistence).
 */
import type { ConfState, HardState, NodeId, Snapshot } from '@shoal/raft';
import type { Completion, LoadedState, RaftStorage, SaveRequest } from '@shoal/raft-host';
import type { SimDisk } from './disk.js';
import type { Rng } from './rng.js';
import type { SafetyMonitor } from './safety-monitor.js';
import type { SimProcess } from './sim-process.js';
import { SimViolation } from './violation.js';

export interface StorageModel {
  /** Writes complete inside `save` (false) or 0-2 simulated ms later, with messages stepped meanwhile (true). */
  async: boolean;
  /** Entries and hard state are separate writes, each synced on its own: a power loss can keep the first only. */
  split: boolean;
}

export interface StorageEnv {
  rng: Rng;
  monitor: SafetyMonitor;
  /** Chance of a power loss after writing to the page cache and before the sync. */
  crashBeforeSync(): number;
  /** The node lost power mid-write; the owner kills the process and schedules a restart. */
  powerLoss(): void;
  count(what: string): void;
}

/** A Completion the storage settles itself. */
class Pending implements Completion {
  private cb: ((err?: unknown) => void) | null = null;
  private settled = false;
  onDone(cb: (err?: unknown) => void): void {
    if (this.settled) cb();
    else this.cb = cb;
  }
  settle(): void {
    this.settled = true;
    const cb = this.cb;
    this.cb = null;
    cb?.();
  }
}

export class SimStorage implements RaftStorage {
  /** Saves issued and not yet complete: RaftHost steps messages meanwhile. */
  inFlight = 0;
  /** Hard state as last handed to the disk: a save must never step back from it. */
  private lastSaved: HardState;

  constructor(
    private readonly id: NodeId,
    readonly disk: SimDisk,
    private readonly proc: SimProcess,
    private readonly model: StorageModel,
    private readonly env: StorageEnv,
    /** The state machine's applied index: a snapshot must never roll it back. */
    private readonly applied: () => number,
  ) {
    this.lastSaved = { ...disk.durableHardState() };
  }

  /** What a restarted process reads. */
  loadNow(): LoadedState {
    const persisted = this.disk.recover();
    this.inFlight = 0;
    this.lastSaved = { ...persisted.hardState };
    return { ...persisted, applied: persisted.snapshot?.meta.index ?? 0 };
  }

  async load(): Promise<LoadedState> {
    return this.loadNow();
  }

  async setBootstrapConf(_conf: ConfState): Promise<void> {
    // The bootstrap membership lives in SimDisk from the start.
  }

  save(req: SaveRequest, opts: { sync: boolean }): Completion {
    this.check(req, opts.sync);
    const commit = this.lastSaved.commit;
    this.env.monitor.onPersist(this.id, req.entries, commit);
    if (req.snapshot) {
      this.env.count('snapshotsInstalled');
      this.env.monitor.onSnapshot(this.id, req.snapshot);
    }
    if (req.hardState) this.lastSaved = { ...req.hardState };
    // One write (a batch), or entries then hard state: the order the README's caller loop gives.
    const writes: (() => void)[] = [];
    const body = (): void => {
      if (req.snapshot) this.disk.installSnapshot(req.snapshot);
      this.disk.appendEntries(req.entries);
    };
    const hardState = req.hardState;
    if (this.model.split && hardState && (req.entries.length > 0 || req.snapshot)) {
      this.env.count('splitWrites');
      writes.push(body, () => this.disk.writeHardState(hardState));
    } else {
      writes.push(() => {
        body();
        if (hardState) this.disk.writeHardState(hardState);
      });
    }
    const done = new Pending();
    if (this.model.async) this.env.count('asyncWrites');
    this.inFlight++;
    const step = (i: number): void => {
      if (i === writes.length) {
        this.inFlight--;
        return done.settle();
      }
      writes[i]();
      if (opts.sync) {
        if (this.env.rng.chance(this.env.crashBeforeSync())) {
          this.env.count('crashesBeforeSync');
          if (i > 0) this.env.count('crashesBetweenSplitWrites');
          this.env.powerLoss();
          return;
        }
        this.disk.sync();
      }
      this.next(() => step(i + 1));
    };
    this.next(() => step(0));
    return done;
  }

  compact(snapshot: Snapshot): Completion {
    const done = new Pending();
    this.next(() => {
      this.disk.compact(snapshot);
      done.settle();
    });
    return done;
  }

  /** Runs the next part of a write: at once, or later in simulated time (the process may die meanwhile). */
  private next(fn: () => void): void {
    if (!this.model.async) return fn();
    this.proc.later(this.env.rng.int(3), fn);
  }

  /**
   * What reaches the disk must be synced when it carries entries, a snapshot,
   * or a new term or vote; term and commit never go back; a vote never
   * changes within a term; a snapshot never rolls the state machine back.
   */
  private check(req: SaveRequest, sync: boolean): void {
    const last = this.lastSaved;
    const hs = req.hardState;
    const termOrVote = hs !== undefined && (hs.term !== last.term || hs.vote !== last.vote);
    if ((req.entries.length > 0 || req.snapshot || termOrVote) && !sync) {
      throw new SimViolation('durability', `${this.id} wrote ${req.entries.length} entries${req.snapshot ? ', a snapshot' : ''}${termOrVote ? ', a new term or vote' : ''} without syncing`);
    }
    if (req.snapshot && req.snapshot.meta.index <= this.applied()) {
      throw new SimViolation('snapshot-rollback', `${this.id} was asked to install a snapshot at ${req.snapshot.meta.index} after applying up to ${this.applied()}`);
    }
    if (!hs) return;
    if (hs.term < last.term || hs.commit < last.commit) {
      throw new SimViolation('hard-state-regress', `${this.id} was asked to persist term ${hs.term} commit ${hs.commit} after term ${last.term} commit ${last.commit}`);
    }
    if (hs.term === last.term && last.vote !== null && hs.vote !== last.vote) {
      throw new SimViolation('double-vote', `${this.id} changed its vote in term ${hs.term} from ${last.vote} to ${hs.vote}`);
    }
  }
}
