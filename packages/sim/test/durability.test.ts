import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimDisk } from '../src/index.js';
import { checkOutgoing, checkReady } from '../src/durability.js';
import type { Entry, Message, Ready } from '@shoal/raft';
import { violationKind } from './violation-kind.js';

const e = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array() });
const ready = (r: Partial<Ready>): Ready => ({ entries: [], committedEntries: [], messages: [], readStates: [], mustSync: false, ...r });
const mark = { term: 2, vote: 'n1', commit: 5, applied: 5 };

test('a Ready with entries or a new vote must ask for sync; a commit-only change need not', () => {
  assert.equal(violationKind(() => checkReady('n1', ready({ entries: [e(6, 2)], mustSync: true }), mark)), null);
  assert.equal(violationKind(() => checkReady('n1', ready({ hardState: { term: 2, vote: 'n1', commit: 6 } }), mark)), null);
  assert.equal(violationKind(() => checkReady('n1', ready({ entries: [e(6, 2)] }), mark)), 'durability');
  assert.equal(violationKind(() => checkReady('n1', ready({ hardState: { term: 3, vote: null, commit: 5 } }), mark)), 'durability');
});

test('term, commit and vote never go back, and a snapshot never rolls the state back', () => {
  assert.equal(violationKind(() => checkReady('n1', ready({ hardState: { term: 1, vote: null, commit: 5 }, mustSync: true }), mark)), 'hard-state-regress');
  assert.equal(violationKind(() => checkReady('n1', ready({ hardState: { term: 2, vote: 'n1', commit: 4 } }), mark)), 'hard-state-regress');
  assert.equal(violationKind(() => checkReady('n1', ready({ hardState: { term: 2, vote: 'n2', commit: 5 }, mustSync: true }), mark)), 'double-vote');
  const snapshot = { meta: { index: 5, term: 2, conf: { voters: ['n1'], learners: [] } }, data: new Uint8Array() };
  assert.equal(violationKind(() => checkReady('n1', ready({ snapshot }), mark)), 'snapshot-rollback');
});

test('vote grants, vote requests and append acks must be durable when they leave', () => {
  const disk = new SimDisk('n1', { voters: ['n1', 'n2'], learners: [] });
  const msg = (m: Partial<Message>): Message => ({ type: 'heartbeatResp', from: 'n1', to: 'n2', term: 3, ...m });
  disk.writeHardState({ term: 3, vote: 'n2', commit: 0 });
  disk.appendEntries([e(1, 1), e(2, 3)]);
  // Written but not synced: nothing may be promised yet.
  assert.equal(violationKind(() => checkOutgoing('n1', msg({ type: 'voteResp' }), disk)), 'durability');
  assert.equal(violationKind(() => checkOutgoing('n1', msg({ type: 'preVoteResp', term: 4 }), disk)), null);
  disk.sync();
  assert.equal(violationKind(() => checkOutgoing('n1', msg({ type: 'voteResp' }), disk)), null);
  assert.equal(violationKind(() => checkOutgoing('n1', msg({ type: 'appendResp', index: 2 }), disk)), null);
  disk.appendEntries([e(3, 3)]);
  assert.equal(violationKind(() => checkOutgoing('n1', msg({ type: 'appendResp', index: 3 }), disk)), 'durability');
  assert.equal(violationKind(() => checkOutgoing('n1', msg({ type: 'appendResp', index: 3, reject: true }), disk)), null);
  assert.equal(violationKind(() => checkOutgoing('n1', msg({ type: 'vote' }), disk)), 'durability');
  assert.equal(violationKind(() => checkOutgoing('n1', msg({ from: 'n9' }), disk)), 'message');
});
