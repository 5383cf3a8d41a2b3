import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue, Rng, SimDisk, SimNetwork } from '../src/index.js';
import type { Entry } from '@shoal/raft';

const e = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array([index]) });

test('the same seed gives the same stream, another seed another', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const sa = Array.from({ length: 50 }, () => a.nextU32());
  assert.deepEqual(sa, Array.from({ length: 50 }, () => b.nextU32()));
  assert.notDeepEqual(sa, Array.from({ length: 50 }, () => c.nextU32()));
  const r = new Rng(7);
  for (let i = 0; i < 1000; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    const k = r.range(3, 5);
    assert.ok(k >= 3 && k <= 5);
  }
});

test('events run in time order, ties in scheduling order', () => {
  const q = new EventQueue();
  const seen: string[] = [];
  q.after(10, () => seen.push('b'));
  q.after(5, () => seen.push('a'));
  q.after(10, () => seen.push('c'));
  q.after(10, () => q.after(0, () => seen.push('d')));
  q.runUntil(100);
  assert.deepEqual(seen, ['a', 'b', 'c', 'd']);
  assert.equal(q.now, 100);
});

test('a crash keeps synced writes and loses unsynced ones', () => {
  const disk = new SimDisk('n1', { voters: ['n1'], learners: [] });
  disk.appendEntries([e(1, 1), e(2, 1)]);
  disk.writeHardState({ term: 1, vote: 'n1', commit: 2 });
  disk.sync();
  disk.appendEntries([e(3, 1)]);
  disk.writeHardState({ term: 2, vote: 'n2', commit: 3 });
  disk.crash(new Rng(1), false);
  const p = disk.recover();
  assert.deepEqual(p.entries.map((x) => x.index), [1, 2]);
  assert.deepEqual(p.hardState, { term: 1, vote: 'n1', commit: 2 });
  assert.deepEqual(p.conf.voters, ['n1']);
});

test('a torn crash keeps a prefix of the unsynced writes, never a gap', () => {
  for (let seed = 0; seed < 50; seed++) {
    const disk = new SimDisk('n1', { voters: ['n1'], learners: [] });
    disk.appendEntries([e(1, 1)]);
    disk.sync();
    disk.appendEntries([e(2, 1), e(3, 1), e(4, 1)]);
    disk.appendEntries([e(5, 1)]);
    disk.crash(new Rng(seed), true);
    const idx = disk.recover().entries.map((x) => x.index);
    assert.deepEqual(idx, Array.from({ length: idx.length }, (_, i) => i + 1));
  }
});

test('appending entries overwrites a conflicting suffix', () => {
  const disk = new SimDisk('n1', { voters: [], learners: [] });
  disk.appendEntries([e(1, 1), e(2, 1), e(3, 1)]);
  disk.appendEntries([e(2, 2)]);
  disk.sync();
  assert.deepEqual(disk.recover().entries.map((x) => [x.index, x.term]), [[1, 1], [2, 2]]);
  assert.equal(disk.durableTermAt(2), 2);
  assert.equal(disk.durableTermAt(3), 0);
});

test('compaction keeps the log after the snapshot', () => {
  const disk = new SimDisk('n1', { voters: ['n1'], learners: [] });
  disk.appendEntries([e(1, 1), e(2, 1), e(3, 2)]);
  disk.compact({ meta: { index: 2, term: 1, conf: { voters: ['n1'], learners: [] } }, data: new Uint8Array() });
  disk.crash(new Rng(1), false);
  const p = disk.recover();
  assert.equal(p.snapshot?.meta.index, 2);
  assert.deepEqual(p.entries.map((x) => x.index), [3]);
  assert.equal(disk.durableTermAt(2), 1);
});

test('partitions and one-way cuts block links until healed', () => {
  const q = new EventQueue();
  const got: string[] = [];
  const net = new SimNetwork(q, new Rng(1), (from, to) => got.push(`${from}>${to}`));
  net.partition([['a'], ['b', 'c']]);
  net.cutOneWay('b', 'c');
  for (const [f, t] of [['a', 'b'], ['b', 'a'], ['b', 'c'], ['c', 'b']]) net.send(f, t, new Uint8Array([1]));
  q.runUntil(100);
  assert.deepEqual(got, ['c>b']);
  net.heal();
  net.send('a', 'b', new Uint8Array([1]));
  q.runUntil(200);
  assert.deepEqual(got, ['c>b', 'a>b']);
});
