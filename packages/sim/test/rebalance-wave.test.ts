import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTO_MOVES_PER_MINUTE } from '@shoal/orchestrator';
import { runRebalanceWave } from '../src/cluster/index.js';

// The issue-18 wave at a tenth of its size (`npm run sim -- rebalance` runs 1,000 nodes):
// 100 nodes, 10 go down together and come back empty; rebalance: auto must even them out.
for (const seed of [1, 2]) {
  test(`after a wave of returns the spread evens out within the move cap and no slot moves twice (seed ${seed})`, () => {
    const r = runRebalanceWave({ seed, nodes: 100, leave: 10 });
    assert.deepEqual(r.violations, [], r.violations.slice(0, 10).join('\n'));
    for (const name of ['web', 'api']) {
      assert.equal(r.spread.settled[name]!.max - r.spread.settled[name]!.min, 0, `${name} starts even`);
      assert.equal(r.spread.onReturn[name]!.min, 0, `${name}: the returning nodes come back empty`);
      assert.ok(r.spread.onReturn[name]!.max - r.spread.onReturn[name]!.min > 1, `${name} is uneven on return`);
      assert.ok(r.spread.final[name]!.max - r.spread.final[name]!.min <= 1, `${name} is even at the end`);
    }
    // Each returning node takes one task of each auto service back: 2 x 10 moves, no more.
    assert.equal(r.moves, 20);
    assert.ok(r.maxMovesPerMinute <= AUTO_MOVES_PER_MINUTE);
    assert.ok(r.evenAfterMs >= r.capFloorMs, 'the cap paces the moves');
    assert.ok(r.evenAfterMs < r.capFloorMs + 2 * 60_000, `even ${r.evenAfterMs} ms after the return`);
  });
}

test('a seed replays the same wave', () => {
  const a = runRebalanceWave({ seed: 7, nodes: 40, leave: 5 });
  const b = runRebalanceWave({ seed: 7, nodes: 40, leave: 5 });
  assert.deepEqual(a, b);
});
