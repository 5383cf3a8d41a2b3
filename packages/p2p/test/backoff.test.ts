import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../src/backoff.js';

test('each failure doubles the wait from the minimum up to the maximum; a success resets it', () => {
  const b = new Backoff(50, 300);
  assert.equal(b.waitMs(0), 0, 'a fresh peer is dialled at once');
  assert.deepEqual([1, 2, 3, 4, 5].map(() => b.failed(1000)), [50, 100, 200, 300, 300]);
  assert.equal(b.waitMs(1000), 300);
  assert.equal(b.waitMs(1200), 100);
  assert.equal(b.waitMs(1300), 0);
  b.succeeded();
  assert.equal(b.failed(2000), 50, 'after a success the next failure starts over');
  assert.equal(b.waitMs(2050), 0);
});

test('a success ends the wait at once', () => {
  const b = new Backoff(50, 2000);
  for (let i = 0; i < 7; i++) b.failed(1000);
  assert.equal(b.waitMs(1000), 2000);
  b.succeeded();
  assert.equal(b.waitMs(1000), 0, 'a peer known to be back is dialled now, not when the backoff would have ended');
});
