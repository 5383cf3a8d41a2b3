import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShoalError } from '@shoal/types';
import { ClusterState, type Command } from '../src/index.js';
import { reg, task, webSpec, applyAll } from './fixtures.js';

const log: Command[] = [
  { type: 'cluster.config', at: 1, config: { clusterId: 'c1' } },
  { type: 'node.register', at: 1, node: reg('n1') },
  { type: 'node.register', at: 1, node: reg('n2', { labels: { zone: 'eu' } }) },
  { type: 'service.create', at: 2, serviceId: 's1', spec: webSpec },
  { type: 'task.create', at: 3, tasks: [task('t1', 's1', 1), task('t2', 's1', 2)] },
  { type: 'task.assign', at: 4, assignments: [{ taskId: 't1', nodeId: 'n1' }, { taskId: 't2', nodeId: 'n2' }] },
  { type: 'allowlist.add', at: 5, peerIds: ['n1', 'n2', 'n3'] },
  { type: 'allowlist.remove', at: 5, peerIds: ['n3'] },
  { type: 'token.set', at: 6, hash: 'h' },
];

test('the same log gives byte-identical snapshots on two replicas', () => {
  const a = new ClusterState();
  const b = new ClusterState();
  applyAll(a, log);
  applyAll(b, log);
  assert.deepEqual(a.snapshot(), b.snapshot());
});

test('restore gives back every table, the indexes and lastApplied', () => {
  const a = new ClusterState();
  applyAll(a, log);
  const b = ClusterState.restore(a.snapshot());
  assert.equal(b.lastApplied, a.lastApplied);
  assert.deepEqual(b.nodes(), a.nodes());
  assert.deepEqual(b.tasksByNode('n2').map((t) => t.id), ['t2']);
  assert.equal(b.service('web')!.id, 's1');
  assert.equal(b.nodeByName('host-n2')!.id, 'n2');
  assert.deepEqual(b.revoked(), ['n3']);
  assert.equal(b.joinTokenHash(), 'h');
  // Applying more after a restore behaves as on the original.
  const more: Command = { type: 'node.down', at: 9, nodeId: 'n1' };
  a.apply(more, a.lastApplied + 1);
  b.apply(more, b.lastApplied + 1);
  assert.deepEqual(a.snapshot(), b.snapshot());
});

test('a corrupt snapshot is a CORRUPT_STORE error', () => {
  for (const bad of ['nope', '{"format":9}', '{"format":1,"lastApplied":1,"nodes":{}}']) {
    assert.throws(() => ClusterState.restore(new TextEncoder().encode(bad)), (e: unknown) => e instanceof ShoalError && e.code === 'CORRUPT_STORE');
  }
});
