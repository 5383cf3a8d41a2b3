import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KvStore } from '../src/index.js';
import { checkLogMatching, checkNoLostWrites, checkReplicasAgree } from '../src/final-checks.js';
import type { Entry } from '@shoal/raft';
import { violationKind } from './violation-kind.js';

function kvWith(ops: [string, number, string][]): KvStore {
  const kv = new KvStore();
  ops.forEach(([client, seq, value], i) => kv.apply(i + 1, { client, seq, op: { kind: 'put', key: 'x', value } }));
  return kv;
}

test('an acknowledged write missing from a replica is a lost write', () => {
  const full = kvWith([['a', 1, 'v1'], ['b', 1, 'v2']]);
  const lossy = kvWith([['a', 1, 'v1']]);
  assert.equal(violationKind(() => checkNoLostWrites(['a#1', 'b#1'], [{ id: 'n1', kv: full, log: [] }])), null);
  assert.equal(violationKind(() => checkNoLostWrites(['a#1', 'b#1'], [{ id: 'n1', kv: full, log: [] }, { id: 'n2', kv: lossy, log: [] }])), 'lost-write');
});

test('a write survives in a restored snapshot', () => {
  const kv = KvStore.restore(kvWith([['a', 1, 'v1']]).snapshot());
  assert.equal(violationKind(() => checkNoLostWrites(['a#1'], [{ id: 'n1', kv, log: [] }])), null);
});

test('replicas with the same applied index must hold the same state', () => {
  const a = kvWith([['a', 1, 'v1'], ['b', 1, 'v2']]);
  const b = kvWith([['b', 1, 'v2'], ['a', 1, 'v1']]);
  assert.equal(violationKind(() => checkReplicasAgree([{ id: 'n1', kv: a, log: [] }, { id: 'n2', kv: a, log: [] }])), null);
  assert.equal(violationKind(() => checkReplicasAgree([{ id: 'n1', kv: a, log: [] }, { id: 'n2', kv: b, log: [] }])), 'replica-divergence');
});

test('logs that agree at an index but differ before it break log matching', () => {
  const e = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array() });
  const kv = new KvStore();
  const ok = [{ id: 'n1', kv, log: [e(1, 1), e(2, 1), e(3, 2)] }, { id: 'n2', kv, log: [e(1, 1), e(2, 1), e(3, 3)] }];
  assert.equal(violationKind(() => checkLogMatching(ok)), null);
  const bad = [{ id: 'n1', kv, log: [e(1, 1), e(2, 1), e(3, 2)] }, { id: 'n2', kv, log: [e(1, 1), e(2, 2), e(3, 2)] }];
  assert.equal(violationKind(() => checkLogMatching(bad)), 'log-matching');
});

test('the session table applies a retried write once and ignores an abandoned one', () => {
  const kv = new KvStore();
  assert.deepEqual(kv.apply(1, { client: 'a', seq: 1, op: { kind: 'cas', key: 'x', expect: null, value: 'v1' } }), { swapped: true });
  // The retry of the same op returns the first result instead of running again (which would fail).
  assert.deepEqual(kv.apply(2, { client: 'a', seq: 1, op: { kind: 'cas', key: 'x', expect: null, value: 'v1' } }), { swapped: true });
  kv.apply(3, { client: 'a', seq: 3, op: { kind: 'put', key: 'x', value: 'v3' } });
  assert.equal(kv.apply(4, { client: 'a', seq: 2, op: { kind: 'put', key: 'x', value: 'v2' } }), null);
  assert.equal(kv.get('x'), 'v3');
  assert.equal(kv.hasApplied('a#2'), false);
});
