import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canTransition, isTerminalTaskState } from '../src/index.js';

test('task states only move forward', () => {
  assert.equal(canTransition('new', 'pending'), true);
  assert.equal(canTransition('assigned', 'running'), true);
  assert.equal(canTransition('running', 'starting'), false);
  assert.equal(canTransition('running', 'running'), false);
  assert.equal(canTransition('running', 'failed'), true);
});

test('a finished task stays finished', () => {
  for (const s of ['complete', 'shutdown', 'failed', 'rejected', 'orphaned'] as const) {
    assert.equal(isTerminalTaskState(s), true);
    assert.equal(canTransition(s, 'orphaned'), false);
    assert.equal(canTransition(s, 'running'), false);
  }
  assert.equal(canTransition('running', 'orphaned'), true);
  assert.equal(isTerminalTaskState('running'), false);
});
