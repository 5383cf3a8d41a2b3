import type { ConfState, Entry, HardState, PersistedState, Snapshot } from '@shoal/raft';
import type { Rng } from './rng.js';
import { SimViolation } from './violation.js';

/** What one node has on its disk: the same shape Raft recovers from. */
interface DiskImage {
  hardState: HardState;
  snapshot: Snapshot | null;
  /** Entries after the snapshot, contiguous. */
  entries: Entry[];
}

type Write = { kind: 'hardState'; hardState: HardState } | { kind: 'entries'; entries: Entry[] } | { kind: 'snapshot'; snapshot: Snapshot };

/**
 * A node's disk with a page cache: writes land in a volatile image at once,
 * and reach the durable image only on `sync()` (or a background flush). A
 * crash keeps the durable image plus, at random, a prefix of the pending
 * writes (possibly a torn last batch of entries), like a real file system.
 */
export class SimDisk {
  private durable: DiskImage;
  private volatile: DiskImage;
  private pending: Write[] = [];

  constructor(
    readonly nodeId: string,
    /** Bootstrap membership: the initial voters of a fresh cluster, empty for a joining node. */
    readonly bootConf: ConfState,
  ) {
    this.durable = emptyImage();
    this.volatile = emptyImage();
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  writeHardState(hardState: HardState): void {
    const w: Write = { kind: 'hardState', hardState: { ...hardState } };
    apply(this.volatile, w, this.nodeId);
    this.pending.push(w);
  }

  appendEntries(entries: Entry[]): void {
    if (entries.length === 0) return;
    const w: Write = { kind: 'entries', entries: entries.slice() };
    apply(this.volatile, w, this.nodeId);
    this.pending.push(w);
  }

  /** A snapshot received from the leader replaces the whole log. */
  installSnapshot(snapshot: Snapshot): void {
    const w: Write = { kind: 'snapshot', snapshot };
    apply(this.volatile, w, this.nodeId);
    this.pending.push(w);
  }

  /** fsync: everything written so far becomes durable. */
  sync(): void {
    for (const w of this.pending) apply(this.durable, w, this.nodeId);
    this.pending = [];
  }

  /** Local log compaction: snapshot file written and synced, then the log prefix dropped. */
  compact(snapshot: Snapshot): void {
    this.sync();
    for (const img of [this.durable, this.volatile]) {
      const idx = snapshot.meta.index;
      img.entries = img.entries.filter((e) => e.index > idx);
      img.snapshot = snapshot;
    }
  }

  /** Power loss: volatile state is rebuilt from what survived. */
  crash(rng: Rng, tornWrites: boolean): void {
    if (tornWrites && this.pending.length > 0) {
      const keep = rng.int(this.pending.length + 1);
      for (let i = 0; i < keep; i++) apply(this.durable, this.pending[i], this.nodeId);
      const next = this.pending[keep];
      if (next && next.kind === 'entries' && rng.chance(0.5)) {
        const part = next.entries.slice(0, rng.int(next.entries.length));
        if (part.length > 0) apply(this.durable, { kind: 'entries', entries: part }, this.nodeId);
      }
    }
    this.pending = [];
    this.volatile = cloneImage(this.durable);
  }

  /** What a restarted node recovers. */
  recover(): PersistedState {
    const img = this.durable;
    return {
      hardState: { ...img.hardState },
      snapshot: img.snapshot,
      entries: img.entries.slice(),
      conf: { voters: this.bootConf.voters.slice(), learners: this.bootConf.learners.slice() },
    };
  }

  durableHardState(): HardState {
    return this.durable.hardState;
  }

  durableSnapshotIndex(): number {
    return this.durable.snapshot?.meta.index ?? 0;
  }

  /** Term of the durable entry at `index`: 0 if absent, the snapshot term at its index. */
  durableTermAt(index: number): number {
    return termAt(this.durable, index);
  }

  /** Term of the entry at `index` as the running node sees it (durable or not). */
  volatileTermAt(index: number): number {
    return termAt(this.volatile, index);
  }

  volatileSnapshotIndex(): number {
    return this.volatile.snapshot?.meta.index ?? 0;
  }

  durableLastIndex(): number {
    return lastIndex(this.durable);
  }

  /** The durable log, for the end-of-run log matching check. */
  durableEntries(): readonly Entry[] {
    return this.durable.entries;
  }
}

function emptyImage(): DiskImage {
  return { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] };
}

function cloneImage(img: DiskImage): DiskImage {
  return { hardState: { ...img.hardState }, snapshot: img.snapshot, entries: img.entries.slice() };
}

function lastIndex(img: DiskImage): number {
  const n = img.entries.length;
  return n > 0 ? img.entries[n - 1].index : (img.snapshot?.meta.index ?? 0);
}

function termAt(img: DiskImage, index: number): number {
  const snapIndex = img.snapshot?.meta.index ?? 0;
  if (index === snapIndex && img.snapshot) return img.snapshot.meta.term;
  if (index <= snapIndex || img.entries.length === 0) return 0;
  const first = img.entries[0].index;
  const e = img.entries[index - first];
  return e ? e.term : 0;
}

function apply(img: DiskImage, w: Write, nodeId: string): void {
  switch (w.kind) {
    case 'hardState':
      img.hardState = { ...w.hardState };
      return;
    case 'snapshot':
      img.snapshot = w.snapshot;
      img.entries = [];
      return;
    case 'entries': {
      const from = w.entries[0].index;
      const snapIndex = img.snapshot?.meta.index ?? 0;
      if (from > lastIndex(img) + 1) {
        throw new SimViolation('log-gap', `${nodeId} was asked to persist entries from ${from} but its log ends at ${lastIndex(img)}`);
      }
      // Entries at or below the snapshot are already committed and compacted; skip them.
      const fresh = w.entries.filter((e) => e.index > snapIndex);
      if (fresh.length === 0) return;
      const keep = img.entries.filter((e) => e.index < fresh[0].index);
      img.entries = keep.concat(fresh);
      return;
    }
  }
}
