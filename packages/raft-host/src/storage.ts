/**
 * What RaftHost persists through. `LevelRaftStorage` (@shoal/storage)
 * implements it with promises; a simulated disk may instead return a
 * `Completion` that it settles itself, at once or at a later simulated
 * instant, so the host loop runs without the JavaScript event loop.
 */
import type { ConfState, Entry, HardState, PersistedState, Snapshot } from '@shoal/raft';

export interface SaveRequest {
  hardState?: HardState;
  entries: Entry[];
  snapshot?: Snapshot;
}

export interface LoadedState extends PersistedState {
  /** Index the FSM state in `snapshot` reflects: replay committed entries after it. */
  applied: number;
}

/** A write the storage settles itself: `onDone` may call back at once. */
export interface Completion {
  onDone(cb: (err?: unknown) => void): void;
}

export interface RaftStorage {
  load(): Promise<LoadedState>;
  setBootstrapConf(conf: ConfState): Promise<void>;
  /** Entries (replacing any suffix from entries[0].index), snapshot and hard state; durable when it settles if `sync`. */
  save(req: SaveRequest, opts: { sync: boolean }): Promise<void> | Completion;
  /** Store `snapshot` (synced) and drop the entries it covers. */
  compact(snapshot: Snapshot): Promise<void> | Completion;
}

/** Calls `cb` when `w` settles: synchronously for a settled Completion, after a microtask for a Promise. */
export function whenDone(w: Promise<void> | Completion, cb: (err?: unknown) => void): void {
  if (w instanceof Promise) w.then(() => cb(), (err: unknown) => cb(err ?? new Error('storage write failed')));
  else w.onDone(cb);
}
