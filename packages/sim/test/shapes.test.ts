import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSeeds } from '../src/index.js';
import { failureLine } from '../src/run-seeds.js';

/**
 * The shapes issue 15 found the simulator could not reach, now that it runs
 * the production host loop: 1- and 2-voter clusters, removing the leader
 * (itself, in a 2-voter cluster), removed machines that keep running and
 * sending, asynchronous writes and entries/hard state written separately
 * with a power loss between them. Each must actually happen, and stay safe.
 */
test('membership churn on 2 voters: leaders of 1 and 2 voters, leader self-removal, removed nodes that keep sending', () => {
  const s = runSeeds({ first: 1, count: 30, mix: 'membership', nodes: 2 });
  assert.deepEqual(s.failures.map(failureLine), []);
  for (const k of ['leaderOf1Voters', 'leaderOf2Voters', 'removeLeader', 'removedLingering', 'sentAfterRemoval']) {
    assert.ok((s.coverage[k] ?? 0) > 0, `${k} never happened: ${JSON.stringify(s.coverage)}`);
  }
});

test('crashes between the entries write and the hard state write, with writes completing later', () => {
  const s = runSeeds({ first: 1, count: 40, mix: 'crashes', nodes: 3 });
  assert.deepEqual(s.failures.map(failureLine), []);
  for (const k of ['crashesBeforeSync', 'crashesBetweenSplitWrites', 'asyncWrites', 'splitWrites', 'steppedWhileWriting']) {
    assert.ok((s.coverage[k] ?? 0) > 0, `${k} never happened: ${JSON.stringify(s.coverage)}`);
  }
});
