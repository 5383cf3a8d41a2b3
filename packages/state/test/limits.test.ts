import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterState, type Command, type CommandResult } from '../src/index.js';
import { reg } from './fixtures.js';

function run(cmds: Command[]): CommandResult[] {
  const s = new ClusterState();
  return cmds.map((c, i) => s.apply(c, i + 1));
}

const node: Command = { type: 'node.register', at: 1, node: reg('n1') };

// Issue 13 §4: a spec asking for 100,000 replicas took an agent from 146 MB to 830 MB.
test('a service asking for more replicas than the cluster allows is refused with the limit named', () => {
  const [, r] = run([node, { type: 'service.create', at: 2, serviceId: 's1', spec: { name: 'big', image: 'x', replicas: 100_000 } }]);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'LIMIT_EXCEEDED');
  assert.match(!r.ok ? r.error.message : '', /at most 1000 per service/);
});

test('scale and update are held to the same limits; the setting can raise them', () => {
  const create: Command = { type: 'service.create', at: 2, serviceId: 's1', spec: { name: 'web', image: 'x', replicas: 2 } };
  const [, , scale, update] = run([node, create, { type: 'service.scale', at: 3, serviceId: 's1', replicas: 5000 }, { type: 'service.update', at: 4, serviceId: 's1', spec: { name: 'web', image: 'x', replicas: 1001 } }]);
  assert.equal(!scale.ok && scale.error.code, 'LIMIT_EXCEEDED');
  assert.equal(!update.ok && update.error.code, 'LIMIT_EXCEEDED');
  const [, , , raised] = run([node, create, { type: 'cluster.config', at: 3, config: { maxReplicasPerService: 5000 } }, { type: 'service.scale', at: 4, serviceId: 's1', replicas: 5000 }]);
  assert.equal(raised.ok, true);
});

test('tasks per cluster count every service, and a service being replaced is not counted twice', () => {
  const cfg: Command = { type: 'cluster.config', at: 1, config: { maxTasksPerCluster: 10 } };
  const results = run([
    node,
    cfg,
    { type: 'service.create', at: 2, serviceId: 'a', spec: { name: 'a', image: 'x', replicas: 6 } },
    { type: 'service.create', at: 2, serviceId: 'b', spec: { name: 'b', image: 'x', replicas: 5 } },
    { type: 'service.create', at: 2, serviceId: 'c', spec: { name: 'c', image: 'x', replicas: 4 } },
    { type: 'service.scale', at: 3, serviceId: 'a', replicas: 7 },
  ]);
  assert.equal(!results[3].ok && results[3].error.code, 'LIMIT_EXCEEDED');
  assert.match(!results[3].ok ? results[3].error.message : '', /at most 10 \(cluster setting maxTasksPerCluster\)/);
  assert.equal(results[4].ok, true);
  assert.equal(results[5].ok, false);
});

test('scaling down is always allowed, even over a lowered limit', () => {
  const [, , , down] = run([
    node,
    { type: 'service.create', at: 2, serviceId: 's1', spec: { name: 'web', image: 'x', replicas: 20 } },
    { type: 'cluster.config', at: 3, config: { maxReplicasPerService: 5 } },
    { type: 'service.scale', at: 4, serviceId: 's1', replicas: 10 },
  ]);
  assert.equal(down.ok, true);
});
