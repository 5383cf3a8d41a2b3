import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster } from './harness.js';

test('drain --deadline: each task keeps running until its replacement elsewhere is up, then stops', () => {
  const c = new TestCluster(3);
  c.create('s1', { name: 'web', image: 'nginx', replicas: 3 });
  c.settle();
  const onN3 = c.state.tasksByNode('n3').filter((t) => t.desiredState === 'running');
  assert.equal(onN3.length, 1);
  c.do({ type: 'node.availability', at: c.now, nodeId: 'n3', availability: 'drain', deadlineMs: 60_000 });
  const first = c.step();
  assert.equal(c.state.task(onN3[0].id)!.desiredState, 'running', 'not stopped before its replacement runs');
  assert.equal(first.plan.created.length, 1);
  assert.equal(first.plan.nextWakeAt, c.now + 60_000);
  const replacement = c.state.task(first.plan.created[0].taskId)!;
  assert.notEqual(replacement.nodeId, 'n3');
  assert.equal(c.running('web').length, 3, 'no capacity lost while the replacement starts');
  c.agents();
  const second = c.step();
  assert.equal(c.state.task(onN3[0].id)!.desiredState, 'shutdown', 'stopped once the replacement is up');
  assert.deepEqual(second.plan.stopped.map((s) => s.reason), ['moved off drained node n3']);
  c.settle();
  assert.equal(c.running('web').length, 3);
  assert.ok(c.running('web').every((t) => t.nodeId !== 'n3'));
});

test('drain --deadline: a task whose replacement cannot be placed is stopped at the deadline', () => {
  const c = new TestCluster(['n1', 'n2']);
  c.create('s1', { name: 'web', image: 'nginx', replicas: 2, ports: [{ published: 8080, target: 80, mode: 'host' }] });
  c.settle();
  const onN2 = c.state.tasksByNode('n2').find((t) => t.desiredState === 'running')!;
  c.do({ type: 'node.availability', at: c.now, nodeId: 'n2', availability: 'drain', deadlineMs: 30_000 });
  const deadline = c.now + 30_000;
  c.settle();
  assert.equal(c.state.task(onN2.id)!.desiredState, 'running', 'the port is taken on n1: the replacement waits, the old task keeps serving');
  const pending = c.live('web').find((t) => t.status.state === 'pending');
  assert.ok(pending, 'a replacement waits for a node');
  c.now = deadline - 1;
  assert.equal(c.step().plan.stopped.length, 0, 'not before the deadline');
  c.now = deadline;
  const res = c.step();
  assert.equal(c.state.task(onN2.id)!.desiredState, 'shutdown');
  assert.deepEqual(res.plan.stopped.map((s) => s.reason), ['node n2 is drained and its deadline passed']);
});

test('drain without a deadline stops at once (stop-first), as before', () => {
  const c = new TestCluster(3);
  c.create('s1', { name: 'web', image: 'nginx', replicas: 3 });
  c.settle();
  const onN3 = c.state.tasksByNode('n3')[0];
  c.do({ type: 'node.availability', at: c.now, nodeId: 'n3', availability: 'drain' });
  c.step();
  assert.equal(c.state.task(onN3.id)!.desiredState, 'shutdown');
});

test('activating a node again clears its drain deadline', () => {
  const c = new TestCluster(2);
  c.do({ type: 'node.availability', at: c.now, nodeId: 'n2', availability: 'drain', deadlineMs: 5_000 });
  assert.equal(c.state.node('n2')!.drainDeadline, c.now + 5_000);
  c.do({ type: 'node.availability', at: c.now, nodeId: 'n2', availability: 'active' });
  assert.equal(c.state.node('n2')!.drainDeadline, undefined);
});

test('task.restart: the task stops and a copy starts on the same node once the old one is gone, slot kept', () => {
  const c = new TestCluster(3);
  c.create('s1', { name: 'web', image: 'nginx', replicas: 2, ports: [{ published: 8080, target: 80, mode: 'host' }] });
  c.settle();
  const old = c.live('web').find((t) => t.slot === 2)!;
  c.do({ type: 'task.restart', at: c.now, taskId: old.id, newTaskId: 'tnew' });
  assert.equal(c.state.task(old.id)!.desiredState, 'shutdown');
  const copy = c.state.task('tnew')!;
  assert.deepEqual([copy.slot, copy.nodeId, copy.desiredState, copy.status.state], [2, old.nodeId, 'running', 'new']);
  const res = c.step();
  assert.equal(res.plan.created.length, 0, 'the orchestrator sees the slot filled and makes no other replacement');
  assert.equal(c.state.task('tnew')!.status.state, 'pending', 'waits while the old task still holds port 8080 on its node');
  c.settle();
  assert.equal(c.state.task('tnew')!.status.state, 'running');
  assert.equal(c.state.task('tnew')!.nodeId, old.nodeId);
  assert.equal(c.live('web').length, 2);
});

test('task.restart refuses a task that is not running on a node', () => {
  const c = new TestCluster(1);
  c.create('s1', { name: 'web', image: 'nginx', replicas: 1, placement: { constraints: ['node.labels.none == x'] } });
  c.step();
  const t = c.live('web')[0];
  const r = c.state.apply({ type: 'task.restart', at: c.now, taskId: t.id, newTaskId: 'tx' }, c.state.lastApplied + 1);
  assert.equal(r.ok, false);
  assert.equal(c.state.task('tx'), undefined);
});
