import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterState, type Command } from '../src/index.js';
import { reg, task, webSpec, applyAll } from './fixtures.js';

function setup(extra: Command[] = []): ClusterState {
  const s = new ClusterState();
  applyAll(s, [
    { type: 'node.register', at: 1, node: reg('n1') },
    { type: 'service.create', at: 1, serviceId: 's1', spec: webSpec },
    { type: 'task.create', at: 2, tasks: [task('t1', 's1', 1)] },
    { type: 'task.assign', at: 3, assignments: [{ taskId: 't1', nodeId: 'n1' }] },
    ...extra,
  ]);
  return s;
}

const st = (state: string, timestamp: number, extra = {}) => ({ state, timestamp, message: state, ...extra }) as never;

test('task status only moves forward; a late regression is ignored and the later state kept', () => {
  const s = setup();
  s.apply({ type: 'task.status', at: 4, updates: [{ taskId: 't1', status: st('running', 40), nodeId: 'n1' }] }, s.lastApplied + 1);
  const r = s.apply({ type: 'task.status', at: 5, updates: [{ taskId: 't1', status: st('starting', 30), nodeId: 'n1' }] }, s.lastApplied + 1);
  assert.equal(s.task('t1')!.status.state, 'running');
  assert.equal(r.ok && r.skipped?.length, 1);
});

test('a same-state report updates health but keeps the time the state was entered', () => {
  const s = setup();
  s.apply({ type: 'task.status', at: 4, updates: [{ taskId: 't1', status: st('running', 40) }] }, s.lastApplied + 1);
  s.apply({ type: 'task.status', at: 5, updates: [{ taskId: 't1', status: st('running', 90, { health: 'unhealthy' }) }] }, s.lastApplied + 1);
  assert.equal(s.task('t1')!.status.health, 'unhealthy');
  assert.equal(s.task('t1')!.status.timestamp, 40);
});

test('a report from another node is ignored', () => {
  const s = setup([{ type: 'node.register', at: 1, node: reg('n2') }]);
  s.apply({ type: 'task.status', at: 4, updates: [{ taskId: 't1', status: st('running', 40), nodeId: 'n2' }] }, s.lastApplied + 1);
  assert.equal(s.task('t1')!.status.state, 'assigned');
});

test('task.desired moves forward only and can mark a task orphaned', () => {
  const s = setup();
  s.apply({ type: 'task.status', at: 4, updates: [{ taskId: 't1', status: st('running', 40) }] }, s.lastApplied + 1);
  s.apply({ type: 'task.desired', at: 5, changes: [{ taskId: 't1', desiredState: 'shutdown', state: 'orphaned', message: 'node lost' }] }, s.lastApplied + 1);
  assert.equal(s.task('t1')!.desiredState, 'shutdown');
  assert.equal(s.task('t1')!.status.state, 'orphaned');
  const r = s.apply({ type: 'task.desired', at: 6, changes: [{ taskId: 't1', desiredState: 'running' }] }, s.lastApplied + 1);
  assert.equal(r.ok && r.skipped?.length, 1);
  assert.equal(s.task('t1')!.desiredState, 'shutdown');
  // The returning agent's stale "running" cannot revive it.
  s.apply({ type: 'task.status', at: 7, updates: [{ taskId: 't1', status: st('running', 70) }] }, s.lastApplied + 1);
  assert.equal(s.task('t1')!.status.state, 'orphaned');
});

test('history per slot is bounded by taskHistory, oldest finished first, live tasks kept', () => {
  const s = setup([{ type: 'cluster.config', at: 1, config: { taskHistory: 2 } }]);
  let prev = 't1';
  for (let i = 2; i <= 6; i++) {
    const id = `t${i}`;
    applyAll(s, [
      { type: 'task.status', at: i * 10, updates: [{ taskId: prev, status: st('failed', i * 10) }] },
      { type: 'task.desired', at: i * 10, changes: [{ taskId: prev, desiredState: 'shutdown' }] },
      { type: 'task.create', at: i * 10, tasks: [task(id, 's1', 1)] },
    ]);
    prev = id;
  }
  const ids = s.tasksByService('s1').map((t) => t.id).sort();
  assert.deepEqual(ids, ['t4', 't5', 't6']);
  assert.equal(s.task('t6')!.desiredState, 'running');
});

test('tasks(filter) uses the indexes and filters', () => {
  const s = setup([{ type: 'task.create', at: 2, tasks: [task('t2', 's1', 2)] }]);
  assert.deepEqual(s.tasks({ nodeId: 'n1' }).map((t) => t.id), ['t1']);
  assert.deepEqual(s.tasks({ serviceId: 's1', state: 'new' }).map((t) => t.id), ['t2']);
  assert.deepEqual(s.tasks({ desiredState: 'running' }).map((t) => t.id).sort(), ['t1', 't2']);
});
