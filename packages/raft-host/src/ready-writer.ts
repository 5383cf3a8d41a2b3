/**
 * How a Ready reaches disk: one write per Ready (synced when Raft asks), a
 * commit-only hard state deferred to the next write, and the rule for when a
 * leader may send before its own write is durable.
 */
import type { HardState, NodeId, Ready, Role } from '@shoal/raft';
import { whenDone, type RaftStorage } from './storage.js';

export class ReadyWriter {
  /** Term and vote as last written; a change must be synced before any message leaves. */
  private durable: { term: number; vote: NodeId | null };
  private deferred: HardState | undefined;

  constructor(
    private readonly storage: RaftStorage,
    initial: HardState,
  ) {
    this.durable = { term: initial.term, vote: initial.vote };
  }

  /**
   * Writes the Ready's entries, snapshot and hard state in one write, then
   * calls `done` (at once when nothing needs writing). A hard state that only
   * moves `commit` need not be durable (Raft relearns the commit index), so it
   * waits for the next write instead of costing one.
   */
  persist(rd: Ready, done: (err?: unknown) => void): void {
    const hardState = rd.hardState ?? this.deferred;
    if (rd.entries.length === 0 && !rd.snapshot && !this.changesTermOrVote(rd)) {
      this.deferred = hardState;
      done();
      return;
    }
    const w = this.storage.save({ hardState, entries: rd.entries, snapshot: rd.snapshot }, { sync: rd.mustSync || rd.snapshot !== undefined });
    whenDone(w, (err) => {
      if (err) return done(err);
      this.deferred = undefined;
      if (hardState) this.durable = { term: hardState.term, vote: hardState.vote };
      done();
    });
  }

  /** Writes a deferred commit index, so a restart has less to relearn. */
  async flush(): Promise<void> {
    if (!this.deferred) return;
    const hardState = this.deferred;
    await new Promise<void>((resolve, reject) => whenDone(this.storage.save({ hardState, entries: [] }, { sync: true }), (err) => (err ? reject(err) : resolve())));
    this.deferred = undefined;
  }

  /**
   * Raft thesis 10.2.1: a leader may send its new entries while it writes them,
   * because nothing it sends depends on its own write: followers persist
   * before they ack, and the host applies (acks clients) and advertises a
   * commit only in a later Ready, after this write is durable. Never when the
   * Ready carries a new term or vote, which must be durable before any reply,
   * nor when it already commits its own new entries (a single voter): the
   * messages would then tell learners to apply what is not yet on disk.
   */
  mayReplicateBeforePersist(rd: Ready, role: Role): boolean {
    if ((rd.softState?.role ?? role) !== 'leader' || rd.snapshot || this.changesTermOrVote(rd)) return false;
    const firstNew = rd.entries.length > 0 ? rd.entries[0].index : Infinity;
    const commit = rd.hardState?.commit ?? 0;
    return commit < firstNew;
  }

  private changesTermOrVote(rd: Ready): boolean {
    return rd.hardState !== undefined && (rd.hardState.term !== this.durable.term || rd.hardState.vote !== this.durable.vote);
  }
}
