import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIXES, runSeeds, runSimulation } from '../src/index.js';
import { failureLine } from '../src/run-seeds.js';

test('500 seeds across every fault mix run without a safety violation', () => {
  const summary = runSeeds({ first: 1, count: 500 });
  assert.equal(summary.seeds, 500);
  assert.ok(summary.ops > 500 * 50, `the workload ran too few operations: ${summary.ops}`);
  assert.deepEqual(summary.failures.map(failureLine), []);
});

test('a seed replays exactly', () => {
  for (const mix of MIXES) {
    const a = runSimulation({ seed: 1234, mix: mix.name, steps: 100 });
    const b = runSimulation({ seed: 1234, mix: mix.name, steps: 100 });
    assert.deepEqual(a.stats, b.stats, `mix ${mix.name} did not replay`);
    assert.ok(a.stats.completed > 0, `mix ${mix.name} completed no client operation`);
  }
});
