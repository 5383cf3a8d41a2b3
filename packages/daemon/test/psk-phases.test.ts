import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPhase, ringOf } from '../src/psk-rotation.js';
import type { ClusterIdentity } from '../src/data-dir.js';

const OLD = 'a'.repeat(64);
const NEW = 'b'.repeat(64);
const base: ClusterIdentity = { clusterId: 'c', psk: OLD, createdAt: 1, joined: true };
const hex = (k: Uint8Array) => Buffer.from(k).toString('hex');

test('phases: stage accepts both and dials old, switch dials new, finish keeps only new; repeats are harmless', () => {
  const staged = applyPhase(base, 'stage', NEW);
  assert.equal(hex(ringOf(staged).dial()), OLD);
  assert.deepEqual(ringOf(staged).accepts().map(hex), [OLD, NEW]);
  const switched = applyPhase(staged, 'switch', NEW);
  assert.equal(hex(ringOf(switched).dial()), NEW);
  assert.deepEqual(ringOf(switched).accepts().map(hex), [NEW, OLD]);
  // A stage repeated after the switch (a resumed rotation) does not go back to the old key.
  assert.deepEqual(applyPhase(switched, 'stage', NEW), switched);
  // A node that missed the stage still accepts its old key after the switch.
  assert.deepEqual(ringOf(applyPhase(base, 'switch', NEW)).accepts().map(hex), [NEW, OLD]);
  const finished = applyPhase(switched, 'finish', NEW);
  assert.deepEqual(finished, { clusterId: 'c', psk: NEW, createdAt: 1, joined: true });
  assert.deepEqual(ringOf(finished).accepts().map(hex), [NEW]);
});
