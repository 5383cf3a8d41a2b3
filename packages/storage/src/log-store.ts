/**
 * LevelRaftStorage: the Raft log, hard state, latest snapshot and a little
 * app metadata in one LevelDB. Every write is one atomic batch, synced when
 * asked, so a crash leaves either all of a Ready on disk or none of it.
 * See the package README for the on-disk format.
 */
import type { ConfState, Entry, Snapshot } from '@shoal/raft';
import type { LoadedState, RaftStorage, SaveRequest } from '@shoal/raft-host';
import { ErrorCode, ShoalError } from '@shoal/types';
import { decodeConf, decodeEntryBody, decodeHardState, decodeSnapshotBody, encodeEntryBody, encodeJson, encodeSnapshotBody } from './codec.js';
import { CONF_KEY, ENTRY_END, ENTRY_FIRST, HARD_STATE_KEY, SNAPSHOT_KEY, VERSION_KEY, entryIndexOfKey, entryKey, metaKey } from './keys.js';
import { type KvOp, type KvStore, LevelKv } from './kv.js';
import { openRecord, sealRecord } from './record.js';
import { corruptStore, describe, openFailed, writeFailed } from './store-errors.js';

export const STORE_VERSION = 1;

export interface OpenOptions {
  /** Wraps the key-value layer (tests observe or fail writes through it). */
  wrapKv?: (kv: KvStore) => KvStore;
}

export class LevelRaftStorage implements RaftStorage {
  /** Range of entry keys on disk; 0/0 when there are none. Kept so deletes need no reads. */
  private firstIndex = 0;
  private lastIndex = 0;
  private snapshotIndex = 0;
  private loaded = false;
  private cleanup: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    private readonly kv: KvStore,
  ) {}

  static async open(dir: string, opts: OpenOptions = {}): Promise<LevelRaftStorage> {
    let kv: KvStore;
    try {
      kv = await LevelKv.open(dir);
    } catch (err) {
      throw openFailed(dir, err);
    }
    const store = new LevelRaftStorage(dir, opts.wrapKv ? opts.wrapKv(kv) : kv);
    await store.checkVersion();
    return store;
  }

  /** Reads and verifies everything. Throws CORRUPT_STORE rather than return doubtful state. */
  async load(): Promise<LoadedState> {
    const hardState = (await this.readRecord(HARD_STATE_KEY, 'hard state', decodeHardState)) ?? { term: 0, vote: null, commit: 0 };
    const snapshot = (await this.readRecord(SNAPSHOT_KEY, 'snapshot', decodeSnapshotBody)) ?? null;
    const conf = (await this.readRecord(CONF_KEY, 'membership', decodeConf)) ?? { voters: [], learners: [] };
    const entries = await this.readEntries(snapshot);
    const last = entries.length > 0 ? entries[entries.length - 1].index : (snapshot?.meta.index ?? 0);
    if (hardState.commit > last) {
      throw corruptStore(this.dir, `hard state says entries up to ${hardState.commit} are committed but the log ends at ${last} (entries lost)`, { commit: hardState.commit, lastIndex: last });
    }
    this.snapshotIndex = snapshot?.meta.index ?? 0;
    this.firstIndex = entries.length > 0 ? entries[0].index : 0;
    this.lastIndex = entries.length > 0 ? last : 0;
    this.loaded = true;
    if (this.snapshotIndex > 0) this.dropCoveredEntries(this.snapshotIndex);
    return { hardState, snapshot, entries, conf, applied: this.snapshotIndex };
  }

  /**
   * Persists one Ready in a single atomic batch. `entries[0]` may overwrite a
   * conflicting suffix: later entries are deleted in the same batch. A
   * snapshot from the leader replaces the whole log.
   */
  async save(req: SaveRequest, opts: { sync: boolean }): Promise<void> {
    this.requireLoaded();
    const ops: KvOp[] = [];
    let first = this.firstIndex;
    let last = this.lastIndex;
    let snapIndex = this.snapshotIndex;
    if (req.snapshot) {
      // The leader's snapshot replaces the whole log: entries above it may conflict
      // and go in this batch; those below it are never read again.
      snapIndex = req.snapshot.meta.index;
      ops.push(put(SNAPSHOT_KEY, encodeSnapshotBody(req.snapshot)));
      deleteRange(ops, Math.max(first, snapIndex + 1), last);
      first = last = 0;
    }
    if (req.entries.length > 0) {
      checkContiguous(req.entries);
      const start = req.entries[0].index;
      const end = req.entries[req.entries.length - 1].index;
      const expectedMax = last > 0 ? last + 1 : snapIndex + 1;
      if (start > expectedMax || start <= snapIndex) {
        throw new ShoalError(ErrorCode.Internal, `cannot append entries ${start}..${end}: the stored log covers ${first}..${last} after snapshot ${snapIndex}`, { start, first, last, snapIndex });
      }
      deleteRange(ops, end + 1, last);
      for (const e of req.entries) ops.push(put(entryKey(e.index), encodeEntryBody(e)));
      if (first === 0) first = start;
      last = end;
    }
    if (req.hardState) ops.push(put(HARD_STATE_KEY, encodeJson(req.hardState)));
    if (ops.length === 0) return;
    await this.write(ops, opts.sync);
    this.firstIndex = first;
    this.lastIndex = last;
    if (snapIndex > this.snapshotIndex) this.dropCoveredEntries(snapIndex);
    this.snapshotIndex = snapIndex;
  }

  /**
   * Stores `snapshot` (the FSM state at its index): one small synced batch.
   * From then on the log logically starts after the snapshot (load never
   * reads below it); the covered entries are deleted in the background, so
   * compaction does not stall the Raft loop on a batch of thousands of deletes.
   */
  async compact(snapshot: Snapshot): Promise<void> {
    this.requireLoaded();
    const index = snapshot.meta.index;
    if (index <= this.snapshotIndex) return;
    await this.write([put(SNAPSHOT_KEY, encodeSnapshotBody(snapshot))], true);
    if (this.lastIndex <= index) this.firstIndex = this.lastIndex = 0;
    else if (this.firstIndex > 0) this.firstIndex = index + 1;
    this.snapshotIndex = index;
    this.dropCoveredEntries(index);
  }

  /** Membership to start from when there is no snapshot or conf entry yet (first boot). */
  async setBootstrapConf(conf: ConfState): Promise<void> {
    await this.write([put(CONF_KEY, encodeJson(conf))], true);
  }

  async putMeta(name: string, value: Uint8Array): Promise<void> {
    await this.write([put(metaKey(name), value)], true);
  }

  async getMeta(name: string): Promise<Uint8Array | undefined> {
    return this.readRecord(metaKey(name), `metadata "${name}"`, (body) => new Uint8Array(body));
  }

  async close(): Promise<void> {
    await this.cleanup;
    await this.kv.close();
  }

  /** Background deletion of entries a snapshot covers; a failure only leaves garbage that the next run removes. */
  private dropCoveredEntries(index: number): void {
    this.cleanup = this.cleanup.then(() => this.kv.clear(ENTRY_FIRST, entryKey(index + 1))).catch(() => undefined);
  }

  private async checkVersion(): Promise<void> {
    const version = await this.readRecord(VERSION_KEY, 'format version', (body) => body.readUInt32BE(0));
    if (version === undefined) {
      const v = Buffer.alloc(4);
      v.writeUInt32BE(STORE_VERSION, 0);
      await this.write([put(VERSION_KEY, v)], true);
    } else if (version !== STORE_VERSION) {
      throw new ShoalError(ErrorCode.BadConfig, `Raft store ${this.dir} has format version ${version}; this shoal reads version ${STORE_VERSION}. Run a matching shoal version`, { dir: this.dir, version });
    }
  }

  private async readEntries(snapshot: Snapshot | null): Promise<Entry[]> {
    const entries: Entry[] = [];
    let expected = (snapshot?.meta.index ?? 0) + 1;
    let prevTerm = snapshot?.meta.term ?? 0;
    try {
      // Entries at or below the snapshot are garbage awaiting deletion: never read them.
      for await (const page of this.kv.range(entryKey(expected), ENTRY_END)) {
        for (const [key, value] of page) {
          const index = entryIndexOfKey(key);
          const e = this.decodeRecord(key, value, `entry ${index}`, decodeEntryBody);
          if (index !== expected) {
            throw corruptStore(this.dir, `entries ${expected}..${index - 1} are missing (gap in the log)`, { index, expected });
          }
          if (e.index !== index) throw corruptStore(this.dir, `entry stored under index ${index} says it is entry ${e.index}`, { index });
          if (e.term < prevTerm) throw corruptStore(this.dir, `entry ${index} has term ${e.term}, lower than the term ${prevTerm} before it`, { index });
          entries.push(e);
          expected = index + 1;
          prevTerm = e.term;
        }
      }
    } catch (err) {
      if (err instanceof ShoalError) throw err;
      throw corruptStore(this.dir, `reading the log failed (${describe(err)})`);
    }
    return entries;
  }

  private async readRecord<T>(key: Buffer, what: string, decode: (body: Buffer) => T): Promise<T | undefined> {
    let value: Buffer | undefined;
    try {
      value = await this.kv.get(key);
    } catch (err) {
      throw corruptStore(this.dir, `reading the ${what} failed (${describe(err)})`);
    }
    return value === undefined ? undefined : this.decodeRecord(key, value, what, decode);
  }

  private decodeRecord<T>(key: Buffer, value: Buffer, what: string, decode: (body: Buffer) => T): T {
    const opened = openRecord(key, value);
    if ('problem' in opened) throw corruptStore(this.dir, `${what}: ${opened.problem}`, { record: what });
    try {
      return decode(opened.body);
    } catch (err) {
      throw corruptStore(this.dir, `${what} is unreadable (${describe(err)})`, { record: what });
    }
  }

  private async write(ops: KvOp[], sync: boolean): Promise<void> {
    try {
      await this.kv.batch(ops, { sync });
    } catch (err) {
      throw writeFailed(this.dir, err);
    }
  }

  private requireLoaded(): void {
    if (!this.loaded) throw new ShoalError(ErrorCode.Internal, 'LevelRaftStorage: call load() before writing the log');
  }
}

function put(key: Buffer, body: Uint8Array): KvOp {
  return { type: 'put', key, value: sealRecord(key, body) };
}

function deleteRange(ops: KvOp[], from: number, to: number): void {
  if (from <= 0) return;
  for (let i = from; i <= to; i++) ops.push({ type: 'del', key: entryKey(i) });
}

function checkContiguous(entries: Entry[]): void {
  for (let i = 1; i < entries.length; i++) {
    if (entries[i].index !== entries[i - 1].index + 1) {
      throw new ShoalError(ErrorCode.Internal, `entries to save are not contiguous: ${entries[i - 1].index} then ${entries[i].index}`);
    }
  }
}
