import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planVoterChange, type MemberHealth } from '../src/autopilot.js';

const alive = (id: string): [string, MemberHealth] => [id, { id, alive: true, caughtUp: true }];
const dead = (id: string, downSince: number): [string, MemberHealth] => [id, { id, alive: false, caughtUp: false, downSince }];
const base = { target: 3, graceMs: 10_000, now: 100_000, leaderId: 'a' };

test('promotes healthy learners until the target voter count', () => {
  const members = new Map([alive('a'), alive('b'), alive('c')]);
  const change = planVoterChange({ ...base, conf: { voters: ['a'], learners: ['b', 'c'] }, members, registered: ['a', 'b', 'c'] });
  assert.deepEqual(change, { type: 'promoteLearner', node: 'b' });
});

test('keeps the voter count odd: one voter and one learner stays 1 voter', () => {
  const members = new Map([alive('a'), alive('b')]);
  assert.equal(planVoterChange({ ...base, conf: { voters: ['a'], learners: ['b'] }, members, registered: ['a', 'b'] }), null);
});

test('does not promote a learner that is behind or not alive', () => {
  const members = new Map([alive('a'), ['b', { id: 'b', alive: true, caughtUp: false }] as [string, MemberHealth], dead('c', 0)]);
  assert.equal(planVoterChange({ ...base, conf: { voters: ['a'], learners: ['b', 'c'] }, members, registered: ['a', 'b', 'c'] }), null);
});

test('replaces a voter down past the grace period, not before', () => {
  const conf = { voters: ['a', 'b', 'c'], learners: ['d'] };
  const registered = ['a', 'b', 'c', 'd'];
  const early = new Map([alive('a'), alive('b'), dead('c', base.now - 5_000), alive('d')]);
  assert.equal(planVoterChange({ ...base, conf, members: early, registered }), null);
  const late = new Map([alive('a'), alive('b'), dead('c', base.now - 10_000), alive('d')]);
  assert.deepEqual(planVoterChange({ ...base, conf, members: late, registered }), { type: 'removeNode', node: 'c' });
});

test('never removes a dead voter without a learner to replace it', () => {
  const members = new Map([alive('a'), alive('b'), dead('c', 0)]);
  assert.equal(planVoterChange({ ...base, conf: { voters: ['a', 'b', 'c'], learners: [] }, members, registered: ['a', 'b', 'c'] }), null);
});

test('adds back, as a learner, a registered node that returned after removal', () => {
  const members = new Map([alive('a'), alive('b'), alive('c'), alive('d')]);
  const change = planVoterChange({ ...base, conf: { voters: ['a', 'b', 'd'], learners: [] }, members, registered: ['a', 'b', 'c', 'd'] });
  assert.deepEqual(change, { type: 'addLearner', node: 'c' });
});
