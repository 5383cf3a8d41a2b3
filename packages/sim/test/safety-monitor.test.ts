import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SafetyMonitor } from '../src/index.js';
import type { Entry } from '@shoal/raft';
import { violationKind } from './violation-kind.js';

const entry = (index: number, term: number, text: string): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(text) });

test('two leaders in one term are detected', () => {
  const m = new SafetyMonitor();
  m.onLeader('n1', 3);
  m.onLeader('n1', 3);
  m.onLeader('n2', 4);
  assert.equal(violationKind(() => m.onLeader('n2', 3)), 'election-safety');
});

test('a node voting for two candidates in one term is detected', () => {
  const m = new SafetyMonitor();
  m.onVoteGranted('n1', 'n2', 5);
  m.onVoteGranted('n1', 'n2', 5);
  m.onVoteGranted('n1', 'n3', 6);
  assert.equal(violationKind(() => m.onVoteGranted('n1', 'n3', 5)), 'double-vote');
});

test('two nodes applying different entries at one index is detected', () => {
  const m = new SafetyMonitor();
  assert.equal(m.onApply('n1', entry(1, 1, 'a')), true);
  assert.equal(m.onApply('n2', entry(1, 1, 'a')), false);
  assert.equal(violationKind(() => m.onApply('n3', entry(1, 2, 'a'))), 'state-machine-safety');
  assert.equal(violationKind(() => m.onApply('n3', entry(1, 1, 'b'))), 'state-machine-safety');
});

test('one index and term naming two different entries is detected', () => {
  const m = new SafetyMonitor();
  m.onPersist('n1', [entry(1, 1, 'a'), entry(2, 1, 'b')]);
  m.onPersist('n2', [entry(2, 1, 'b')]);
  assert.equal(violationKind(() => m.onPersist('n3', [entry(2, 1, 'c')])), 'log-matching');
  assert.equal(violationKind(() => m.onPersist('n3', [entry(3, 1, 'c'), entry(5, 1, 'd')])), 'log-gap');
});

test('a snapshot that disagrees with the committed log is detected', () => {
  const m = new SafetyMonitor();
  m.onApply('n1', entry(4, 2, 'a'));
  m.onSnapshot('n2', { meta: { index: 4, term: 2, conf: { voters: ['n1'], learners: [] } }, data: new Uint8Array() });
  assert.equal(violationKind(() => m.onSnapshot('n2', { meta: { index: 4, term: 3, conf: { voters: ['n1'], learners: [] } }, data: new Uint8Array() })), 'snapshot-safety');
});

test('persisting a different entry at a committed index is detected', () => {
  const m = new SafetyMonitor();
  m.onApply('n1', entry(1, 1, 'a'));
  m.onPersist('n2', [entry(1, 1, 'a'), entry(2, 2, 'b')], 1);
  // A stale leader that does not know index 1 is committed may still write there.
  m.onPersist('n3', [entry(1, 2, 'x')], 0);
  assert.equal(violationKind(() => m.onPersist('n3', [entry(1, 2, 'x')], 1)), 'committed-overwrite');
});

test('a leader missing a committed entry is detected', () => {
  const m = new SafetyMonitor();
  m.onApply('n1', entry(1, 1, 'a'), 1);
  m.onApply('n1', entry(2, 1, 'b'), 1);
  m.onApply('n1', entry(3, 3, 'c'), 3);
  m.onLeaderLog('n2', 2, 0, (i) => (i <= 2 ? 1 : 0));
  // A leader of an older term (a paused candidate winning late) need not hold entries committed in later terms.
  m.onLeaderLog('n5', 3, 0, (i) => (i <= 2 ? 1 : 0));
  m.onLeaderLog('n3', 4, 3, () => 0);
  assert.equal(violationKind(() => m.onLeaderLog('n4', 4, 0, (i) => (i <= 2 ? 1 : 0))), 'leader-completeness');
  assert.equal(violationKind(() => m.onLeaderLog('n4', 2, 0, (i) => (i === 1 ? 1 : 0))), 'leader-completeness');
});
