import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REGRESSION_SEEDS, runSimulation } from '../src/index.js';

for (const r of REGRESSION_SEEDS) {
  test(`seed ${r.seed} (${r.mix}, ${r.nodes} nodes) stays fixed: ${r.bug}`, () => {
    const res = runSimulation({ seed: r.seed, mix: r.mix, nodes: r.nodes, steps: r.steps });
    assert.equal(res.violation, null, `${res.violation?.message}\nreplay: ${res.replay}`);
  });
}

test('every regression seed names a known mix and a bug', () => {
  for (const r of REGRESSION_SEEDS) assert.ok(r.bug.length > 10 && r.nodes >= 1);
});
