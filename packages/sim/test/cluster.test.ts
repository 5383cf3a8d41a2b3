import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runControlPlaneSim } from '../src/cluster/index.js';

// Each seed: 1,000 nodes, ~1,300 tasks, 60 s of faults (failures, returns,
// drains, joins, scale changes, good and failing rolling updates), then the
// cluster must converge with every invariant holding.
for (const seed of [1, 2, 3]) {
  test(`control plane converges under faults (seed ${seed})`, () => {
    const r = runControlPlaneSim({ seed });
    assert.deepEqual(r.violations, [], `seed ${seed}: ${r.violations.slice(0, 10).join('\n')}`);
    assert.ok(r.converged);
    assert.ok(r.faults > 50);
  });
}

test('a seed replays the same run', () => {
  const a = runControlPlaneSim({ seed: 42, nodes: 100, horizonMs: 20_000, faults: { failures: 8, drains: 4, joins: 3, scales: 3, updates: 4 } });
  const b = runControlPlaneSim({ seed: 42, nodes: 100, horizonMs: 20_000, faults: { failures: 8, drains: 4, joins: 3, scales: 3, updates: 4 } });
  assert.equal(a.fingerprint, b.fingerprint);
  assert.equal(a.commands, b.commands);
  const c = runControlPlaneSim({ seed: 43, nodes: 100, horizonMs: 20_000, faults: { failures: 8, drains: 4, joins: 3, scales: 3, updates: 4 } });
  assert.notEqual(a.fingerprint, c.fingerprint);
});
