import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterState } from '@shoal/state';
import { runControlPlaneSim, checkConverged, checkNoOverReplication } from '../src/cluster/index.js';

// Each seed: 1,000 nodes, ~1,300 tasks, 60 s of faults (failures, returns,
// drains, joins, scale changes, good and failing rolling updates), then the
// cluster must converge with every invariant holding.
let rollbacks = 0;
for (const seed of [1, 2, 3]) {
  test(`control plane converges under faults (seed ${seed})`, () => {
    const r = runControlPlaneSim({ seed });
    assert.deepEqual(r.violations, [], `seed ${seed}: ${r.violations.slice(0, 10).join('\n')}`);
    assert.ok(r.converged);
    assert.ok(r.faults > 50);
    rollbacks += r.rollbacks;
  });
}

test('the seeds exercise failing updates that roll back', () => {
  assert.ok(rollbacks > 0);
});

test('the invariant checks catch a broken cluster', () => {
  const s = new ClusterState();
  let i = 0;
  const node = (id: string) => ({ id, name: id, addresses: [], labels: {}, resources: { cpuMillis: 1000, memoryBytes: 1 << 30 }, drivers: ['docker' as const], platform: { os: 'linux', arch: 'amd64' }, version: '1' });
  s.apply({ type: 'node.register', at: 0, node: node('a') }, ++i);
  s.apply({ type: 'service.create', at: 0, serviceId: 's', spec: { name: 'w', image: 'w:1', replicas: 1 } }, ++i);
  const t = (id: string) => ({ id, serviceId: 's', serviceName: 'w', serviceVersion: 1, slot: 1, nodeId: 'a', desiredState: 'running' as const, status: { state: 'new' as const, timestamp: 0, message: '' }, spec: { name: 'w', image: 'w:1' }, createdAt: 0, updatedAt: 0 });
  s.apply({ type: 'task.create', at: 0, tasks: [t('t1'), t('t2')] }, ++i);
  s.apply({ type: 'task.status', at: 0, updates: ['t1', 't2'].map((taskId) => ({ taskId, status: { state: 'running' as const, timestamp: 1, message: '' } })) }, ++i);
  assert.equal(checkNoOverReplication(s).length, 1);
  s.apply({ type: 'node.availability', at: 0, nodeId: 'a', availability: 'drain' }, ++i);
  const v = checkConverged(s);
  assert.ok(v.some((m) => /drain/.test(m)));
  assert.ok(v.some((m) => /2 running/.test(m)));
});

test('a seed replays the same run', () => {
  const a = runControlPlaneSim({ seed: 42, nodes: 100, horizonMs: 20_000, faults: { failures: 8, drains: 4, joins: 3, scales: 3, updates: 4 } });
  const b = runControlPlaneSim({ seed: 42, nodes: 100, horizonMs: 20_000, faults: { failures: 8, drains: 4, joins: 3, scales: 3, updates: 4 } });
  assert.equal(a.fingerprint, b.fingerprint);
  assert.equal(a.commands, b.commands);
  const c = runControlPlaneSim({ seed: 43, nodes: 100, horizonMs: 20_000, faults: { failures: 8, drains: 4, joins: 3, scales: 3, updates: 4 } });
  assert.notEqual(a.fingerprint, c.fingerprint);
});
