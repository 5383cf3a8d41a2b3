import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeTasks } from '@shoal/scheduler';
import { TestCluster } from './harness.js';
import { MIN_TASK_AGE_MS, PRESSURE_MOVES_PER_MINUTE } from '../src/index.js';

const pressure = { level: 'memory' as const, since: 0, detail: 'memory PSI 40.0%, 2.0% memory available, cpu PSI 1.0%' };

function loaded(): TestCluster {
  const c = new TestCluster(3);
  c.create('lo', { name: 'batch', image: 'x', replicas: 3, priority: 0 });
  c.create('hi', { name: 'db', image: 'x', replicas: 3, priority: 100 });
  c.settle();
  c.now += MIN_TASK_AGE_MS + 1;
  return c;
}

test('a node under memory pressure sheds its lowest-priority task first, start-first, to a calm node', () => {
  const c = loaded();
  c.do({ type: 'node.pressure', at: c.now, nodeId: 'n1', pressure: { ...pressure, since: c.now } });
  const res = c.step();
  assert.equal(res.plan.created.length, 1, 'one move per pressured node at a time');
  const mover = c.state.task(res.plan.created[0]!.taskId)!;
  assert.equal(mover.serviceName, 'batch', 'priority 0 moves before priority 100');
  assert.notEqual(mover.nodeId, 'n1');
  assert.match(mover.moveReason ?? '', /pressure: moves batch\.\d off n1 \(memory pressure: memory PSI 40\.0%/);
  assert.equal(res.plan.stopped.length, 0, 'nothing stops before its replacement is up');
  c.settle();
  assert.equal(c.running('batch').filter((t) => t.desiredState === 'running').length, 3);
  assert.ok(!c.running('batch').some((t) => t.desiredState === 'running' && t.nodeId === 'n1'), 'batch is off n1');
});

test('moves stop once the node recovers; tasks younger than the minimum age stay; the cluster cap holds', () => {
  const c = loaded();
  c.do({ type: 'node.pressure', at: c.now, nodeId: 'n1', pressure: { ...pressure, since: c.now } });
  c.settle();
  const movedBefore = c.state.tasks().filter((t) => t.replaces !== undefined).length;
  assert.ok(movedBefore >= 1);
  // The db task on n1 was started long ago, but the movers are young: none of them moves again.
  c.do({ type: 'node.pressure', at: c.now, nodeId: 'n1', pressure: null });
  c.now += 120_000;
  c.settle();
  assert.equal(c.state.tasks().filter((t) => t.replaces !== undefined).length, movedBefore, 'no move once normal');
  // Pressure everywhere but one node: the per-minute cap bounds the moves.
  const big = new TestCluster(4);
  big.create('w', { name: 'w', image: 'x', replicas: 40 });
  big.settle();
  big.now += MIN_TASK_AGE_MS + 1;
  for (const n of ['n1', 'n2', 'n3']) big.do({ type: 'node.pressure', at: big.now, nodeId: n, pressure: { ...pressure, since: big.now } });
  for (let i = 0; i < 10; i++) {
    big.step();
    big.agents();
    big.now += 1000;
  }
  const moves = big.state.tasks().filter((t) => t.replaces !== undefined);
  assert.ok(moves.length <= PRESSURE_MOVES_PER_MINUTE, `${moves.length} moves in 10 s`);
  assert.ok(moves.every((t) => t.nodeId === 'n4'));
});

test('the scheduler places no new task on a node under memory pressure and says why', () => {
  const c = new TestCluster(2);
  c.do({ type: 'node.pressure', at: c.now, nodeId: 'n1', pressure: { ...pressure, since: c.now } });
  c.do({ type: 'node.pressure', at: c.now, nodeId: 'n2', pressure: { ...pressure, since: c.now } });
  const r = placeTasks({ nodes: c.state.nodes(), tasks: [], pending: [{ id: 't1', serviceId: 's', serviceName: 'web', serviceVersion: 1, slot: 1, desiredState: 'running', status: { state: 'new', timestamp: 0, message: '' }, spec: { name: 'web', image: 'x' }, createdAt: 0, updatedAt: 0 }] });
  assert.equal(r.assignments.length, 0);
  assert.match(r.unplaced[0]!.reason, /2 are under memory pressure/);
});
