import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, types, node } from './harness.js';

test('a new service gets its replicas created and placed in one step, one batch each', () => {
  const c = new TestCluster(3);
  c.create('s1', { name: 'web', image: 'nginx', replicas: 3 });
  const res = c.step();
  assert.deepEqual(types(res), ['task.create', 'task.assign']);
  const tasks = c.live('web');
  assert.deepEqual(tasks.map((t) => t.slot).sort(), [1, 2, 3]);
  assert.equal(new Set(tasks.map((t) => t.nodeId)).size, 3, 'spread over the three nodes');
  assert.ok(tasks.every((t) => t.status.state === 'assigned'));
  assert.deepEqual(types(c.step()), [], 'a converged service needs nothing');
});

test('scaling down keeps the lowest slots and deletes the rest once stopped', () => {
  const c = new TestCluster(3);
  c.create('s1', { name: 'web', image: 'nginx', replicas: 5 });
  c.settle();
  c.do({ type: 'service.scale', at: c.now, serviceId: 's1', replicas: 2 });
  const res = c.step();
  assert.deepEqual(res.plan.stopped.length, 3);
  assert.deepEqual(c.live('web').map((t) => t.slot).sort(), [1, 2]);
  c.settle();
  assert.deepEqual(c.state.tasksByService('s1').map((t) => t.slot).sort(), [1, 2], 'removed tasks are deleted');
});

test('failover: tasks of a down node are orphaned, replaced and placed in one step', () => {
  const c = new TestCluster(4);
  c.create('s1', { name: 'web', image: 'nginx', replicas: 4 });
  c.settle();
  const lostTask = c.state.tasksByNode('n1')[0];
  c.do({ type: 'node.down', at: c.now, nodeId: 'n1' });
  const res = c.step();
  assert.deepEqual(types(res), ['task.desired', 'task.create', 'task.assign']);
  assert.equal(c.state.task(lostTask.id)!.status.state, 'orphaned');
  assert.equal(c.state.task(lostTask.id)!.desiredState, 'shutdown');
  const replacement = c.live('web').find((t) => t.slot === lostTask.slot)!;
  assert.equal(replacement.status.state, 'assigned');
  assert.notEqual(replacement.nodeId, 'n1');
});

test('a returning node stops its replaced tasks: the service converges to exactly its replica count', () => {
  const c = new TestCluster(3);
  c.create('s1', { name: 'web', image: 'nginx', replicas: 3 });
  c.settle();
  c.do({ type: 'node.down', at: c.now, nodeId: 'n2' });
  c.settle();
  // The node comes back and its agent still reports the old task as running.
  c.do({ type: 'node.up', at: c.now, nodeId: 'n2' });
  for (const t of c.state.tasksByNode('n2')) c.report(t.id, { state: 'running' });
  c.settle();
  assert.equal(c.running('web').length, 3);
  assert.equal(c.live('web').length, 3);
  assert.deepEqual(c.live('web').map((t) => t.slot).sort(), [1, 2, 3]);
});

test('drain: tasks are shut down and replaced elsewhere; nothing new lands on the node', () => {
  const c = new TestCluster(3);
  c.create('s1', { name: 'web', image: 'nginx', replicas: 6 });
  c.settle();
  c.do({ type: 'node.availability', at: c.now, nodeId: 'n3', availability: 'drain' });
  c.settle();
  assert.equal(c.running('web').length, 6);
  assert.ok(c.running('web').every((t) => t.nodeId !== 'n3'));
});

test('a pending task says why, and is placed as soon as a node fits', () => {
  const c = new TestCluster(2);
  c.create('s1', { name: 'db', image: 'pg', replicas: 1, placement: { constraints: ['node.labels.disk == ssd'] } });
  const res = c.step();
  assert.equal(res.plan.pending.length, 1);
  const t = c.live('db')[0];
  assert.equal(t.status.state, 'pending');
  assert.match(t.pendingReason!, /disk == ssd/);
  assert.deepEqual(types(c.step()), [], 'an unchanged reason is not proposed again');
  c.do({ type: 'node.register', at: c.now, node: node('n9', { labels: { disk: 'ssd' } }) });
  c.step();
  assert.equal(c.state.task(t.id)!.nodeId, 'n9');
  assert.equal(c.state.task(t.id)!.status.state, 'assigned');
});

test('the same state and time give the same commands (a new leader decides alike)', async () => {
  const { reconcile } = await import('../src/index.js');
  const { ClusterState } = await import('@shoal/state');
  const c = new TestCluster(5);
  c.create('s1', { name: 'web', image: 'nginx', replicas: 7 });
  c.settle();
  c.do({ type: 'node.down', at: c.now, nodeId: 'n4' });
  const copy = ClusterState.restore(c.state.snapshot());
  assert.deepEqual(reconcile(copy, c.now), reconcile(c.state, c.now));
});
