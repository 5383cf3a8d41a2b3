import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Level } from 'level';
import type { Snapshot } from '@shoal/raft';
import { isShoalError } from '@shoal/types';
import { LevelRaftStorage, type KvOp, type KvStore } from '../src/index.js';
import { entries, entry, tempDir } from './helpers.js';

const conf = { voters: ['a', 'b', 'c'], learners: [] };

function snapshotAt(index: number, term: number, text: string): Snapshot {
  return { meta: { index, term, conf }, data: new TextEncoder().encode(text) };
}

async function fresh(dir: string): Promise<LevelRaftStorage> {
  const s = await LevelRaftStorage.open(dir);
  await s.load();
  return s;
}

test('save then load returns the same hard state, entries and bootstrap membership', async (t) => {
  const dir = tempDir(t);
  const s = await fresh(dir);
  await s.setBootstrapConf(conf);
  await s.save({ hardState: { term: 2, vote: 'b', commit: 3 }, entries: entries(1, 5, 2) }, { sync: true });
  await s.close();

  const again = await LevelRaftStorage.open(dir);
  const state = await again.load();
  assert.deepEqual(state.hardState, { term: 2, vote: 'b', commit: 3 });
  assert.deepEqual(state.entries, entries(1, 5, 2));
  assert.deepEqual(state.conf, conf);
  assert.equal(state.snapshot, null);
  assert.equal(state.applied, 0);
  await again.close();
});

test('an empty store loads as term 0 with no log', async (t) => {
  const s = await LevelRaftStorage.open(tempDir(t));
  const state = await s.load();
  assert.deepEqual(state, { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [], conf: { voters: [], learners: [] }, applied: 0 });
  await s.close();
});

test('entries starting inside the log replace the conflicting suffix', async (t) => {
  const dir = tempDir(t);
  const s = await fresh(dir);
  await s.save({ entries: entries(1, 10, 1) }, { sync: true });
  await s.save({ entries: [entry(6, 2, 'new-6'), entry(7, 2, 'new-7')] }, { sync: true });
  await s.close();

  const state = await (await reopen(dir, t)).load();
  assert.deepEqual(state.entries, [...entries(1, 5, 1), entry(6, 2, 'new-6'), entry(7, 2, 'new-7')]);
});

test('compaction stores the snapshot, drops covered entries and reports applied = snapshot index', async (t) => {
  const dir = tempDir(t);
  const s = await fresh(dir);
  await s.save({ hardState: { term: 1, vote: 'a', commit: 8 }, entries: entries(1, 10, 1) }, { sync: true });
  await s.compact(snapshotAt(6, 1, 'fsm@6'));
  await s.save({ entries: [entry(11, 1)] }, { sync: true });
  await s.close();

  const state = await loadOnce(dir);
  assert.equal(state.applied, 6);
  assert.deepEqual(state.snapshot, snapshotAt(6, 1, 'fsm@6'));
  assert.deepEqual(state.entries, entries(7, 11, 1));
  const raw = await rawEntryIndexes(dir);
  assert.deepEqual(raw, [7, 8, 9, 10, 11]);
});

test('entries a snapshot covers are ignored until their background deletion finishes', async (t) => {
  const dir = tempDir(t);
  const s = await LevelRaftStorage.open(dir, { wrapKv: (kv) => ({ ...observe(kv, () => undefined), clear: () => Promise.reject(new Error('crashed before cleanup')) }) });
  await s.load();
  await s.save({ hardState: { term: 1, vote: 'a', commit: 8 }, entries: entries(1, 10, 1) }, { sync: true });
  await s.compact(snapshotAt(6, 1, 'fsm@6'));
  await s.close();
  assert.deepEqual(await rawEntryIndexes(dir), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'cleanup did not run');
  const state = await loadOnce(dir);
  assert.deepEqual(state.entries, entries(7, 10, 1), 'covered entries are not served');
  assert.deepEqual(await rawEntryIndexes(dir), [7, 8, 9, 10], 'the next open finished the cleanup');
});

test('a snapshot received from the leader replaces the whole log', async (t) => {
  const dir = tempDir(t);
  const s = await fresh(dir);
  await s.save({ hardState: { term: 1, vote: 'a', commit: 3 }, entries: entries(1, 5, 1) }, { sync: true });
  await s.save({ hardState: { term: 3, vote: null, commit: 20 }, snapshot: snapshotAt(20, 3, 'fsm@20'), entries: [entry(21, 3)] }, { sync: true });
  await s.close();

  const state = await loadOnce(dir);
  assert.equal(state.applied, 20);
  assert.deepEqual(state.entries, [entry(21, 3)]);
  assert.deepEqual(await rawEntryIndexes(dir), [21]);
});

test('compacting the whole log then appending continues after the snapshot', async (t) => {
  const dir = tempDir(t);
  const s = await fresh(dir);
  await s.save({ hardState: { term: 1, vote: 'a', commit: 4 }, entries: entries(1, 4, 1) }, { sync: true });
  await s.compact(snapshotAt(4, 1, 'fsm@4'));
  await s.save({ entries: entries(5, 6, 1) }, { sync: true });
  await s.close();
  const state = await (await reopen(dir, t)).load();
  assert.deepEqual(state.entries, entries(5, 6, 1));
});

test('save forwards the sync flag and writes a whole Ready as one batch', async (t) => {
  const dir = tempDir(t);
  const batches: { ops: number; sync: boolean }[] = [];
  const s = await LevelRaftStorage.open(dir, { wrapKv: (kv) => observe(kv, (ops, sync) => batches.push({ ops: ops.length, sync })) });
  await s.load();
  batches.length = 0;
  await s.save({ hardState: { term: 1, vote: 'a', commit: 0 }, entries: entries(1, 100, 1) }, { sync: true });
  await s.save({ entries: [entry(101, 1)] }, { sync: false });
  assert.deepEqual(batches, [
    { ops: 101, sync: true },
    { ops: 1, sync: false },
  ]);
  await s.close();
});

test('a failing disk write rejects save with a coded error and leaves the store unchanged', async (t) => {
  const dir = tempDir(t);
  let failing = false;
  const s = await LevelRaftStorage.open(dir, {
    wrapKv: (kv) =>
      observe(kv, () => {
        if (failing) throw Object.assign(new Error('IO error: No space left on device'), { code: 'LEVEL_IO_ERROR' });
      }),
  });
  await s.load();
  await s.save({ entries: entries(1, 3, 1) }, { sync: true });
  failing = true;
  await assert.rejects(s.save({ entries: entries(4, 6, 1) }, { sync: true }), (err) => {
    assert.ok(isShoalError(err));
    assert.match(err.message, /No space left on device/);
    assert.match(err.message, /nothing was acknowledged/);
    return true;
  });
  failing = false;
  // The failed batch did not move the in-memory log bounds: appending 4.. still works.
  await s.save({ entries: entries(4, 5, 1) }, { sync: true });
  await s.close();
  assert.deepEqual((await (await reopen(dir, t)).load()).entries, entries(1, 5, 1));
});

test('app metadata round-trips', async (t) => {
  const dir = tempDir(t);
  const s = await fresh(dir);
  await s.putMeta('clusterId', new TextEncoder().encode('c-123'));
  await s.close();
  const again = await reopen(dir, t);
  assert.equal(new TextDecoder().decode(await again.getMeta('clusterId')), 'c-123');
  assert.equal(await again.getMeta('missing'), undefined);
});

// ---- corruption: every doubt makes load() refuse, naming the store and the record ----

async function corruptedLoad(t: Parameters<typeof tempDir>[0], tamper: (db: Level<Buffer, Buffer>) => Promise<void>): Promise<unknown> {
  const dir = tempDir(t);
  const s = await fresh(dir);
  await s.save({ hardState: { term: 1, vote: 'a', commit: 5 }, entries: entries(1, 6, 1) }, { sync: true });
  await s.compact(snapshotAt(2, 1, 'fsm@2'));
  await s.close();
  const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await tamper(db);
  await db.close();
  const again = await LevelRaftStorage.open(dir);
  try {
    await again.load();
    return undefined;
  } catch (err) {
    return err;
  } finally {
    await again.close();
  }
}

function assertCorrupt(err: unknown, pattern: RegExp): void {
  assert.ok(isShoalError(err), `expected a ShoalError, got ${String(err)}`);
  assert.equal(err.code, 'CORRUPT_STORE');
  assert.match(err.message, /Raft store .*shoal-storage-/);
  assert.match(err.message, pattern);
}

const entryKey = (i: number) => Buffer.from([0x65, 0, 0, 0, 0, 0, 0, 0, i]);

test('a flipped byte in an entry payload is refused', async (t) => {
  const err = await corruptedLoad(t, async (db) => {
    const v = (await db.get(entryKey(4)))!;
    v[v.length - 1] ^= 0x01;
    await db.put(entryKey(4), v);
  });
  assertCorrupt(err, /entry 4: checksum mismatch/);
});

test('a flipped byte in the snapshot is refused', async (t) => {
  const err = await corruptedLoad(t, async (db) => {
    const v = (await db.get(Buffer.from('s')))!;
    v[10] ^= 0x80;
    await db.put(Buffer.from('s'), v);
  });
  assertCorrupt(err, /snapshot: checksum mismatch/);
});

test('a flipped byte in the hard state is refused', async (t) => {
  const err = await corruptedLoad(t, async (db) => {
    const v = (await db.get(Buffer.from('h')))!;
    v[8] ^= 0x04;
    await db.put(Buffer.from('h'), v);
  });
  assertCorrupt(err, /hard state: checksum mismatch/);
});

test('a missing entry (gap) is refused', async (t) => {
  const err = await corruptedLoad(t, (db) => db.del(entryKey(4)));
  assertCorrupt(err, /entries 4\.\.4 are missing/);
});

test('a truncated record is refused', async (t) => {
  const err = await corruptedLoad(t, (db) => db.put(entryKey(3), Buffer.from([1, 2])));
  assertCorrupt(err, /entry 3: record is 2 bytes/);
});

test('an entry copied under another index is refused', async (t) => {
  const err = await corruptedLoad(t, async (db) => db.put(entryKey(5), (await db.get(entryKey(4)))!));
  assertCorrupt(err, /entry 5: checksum mismatch/);
});

test('losing the tail of the log below the commit index is refused', async (t) => {
  const err = await corruptedLoad(t, async (db) => {
    await db.del(entryKey(6));
    await db.del(entryKey(5));
  });
  assertCorrupt(err, /committed but the log ends at 4/);
});

test('a store opened by another process is refused with a clear error', async (t) => {
  const dir = tempDir(t);
  const s = await LevelRaftStorage.open(dir);
  await assert.rejects(LevelRaftStorage.open(dir), /in use by another process/);
  await s.close();
});

// ---- helpers ----

async function loadOnce(dir: string) {
  const s = await LevelRaftStorage.open(dir);
  try {
    return await s.load();
  } finally {
    await s.close();
  }
}

async function reopen(dir: string, t: { after: (fn: () => Promise<void>) => void }): Promise<LevelRaftStorage> {
  const s = await LevelRaftStorage.open(dir);
  t.after(() => s.close());
  return s;
}

async function rawEntryIndexes(dir: string): Promise<number[]> {
  const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  const keys = await db.keys({ gte: Buffer.from([0x65]), lt: Buffer.from([0x66]) }).all();
  await db.close();
  return keys.map((k) => k.readUInt32BE(5));
}

function observe(kv: KvStore, onBatch: (ops: KvOp[], sync: boolean) => void): KvStore {
  return {
    get: (key) => kv.get(key),
    range: (gte, lt) => kv.range(gte, lt),
    batch: async (ops, opts) => {
      onBatch(ops, opts.sync);
      return kv.batch(ops, opts);
    },
    clear: (gte, lt) => kv.clear(gte, lt),
    close: () => kv.close(),
  };
}
