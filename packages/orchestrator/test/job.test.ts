import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Task } from '@shoal/types';
import { TestCluster } from './harness.js';

const spec = (extra: object = {}) => ({ name: 'batch', driver: 'exec' as const, command: ['/bin/true'], mode: 'replicated-job' as const, ...extra });

function finish(c: TestCluster, t: Task, exitCode: number): void {
  c.report(t.id, exitCode === 0 ? { state: 'complete', exitCode: 0 } : { state: 'failed', exitCode, error: `exit code ${exitCode}` });
}

function liveOfRun(c: TestCluster, run: number): Task[] {
  return c.live('batch').filter((t) => t.jobIteration === run && !['complete', 'failed', 'shutdown'].includes(t.status.state));
}

test('replicated-job: completions run at most parallelism at a time; completed tasks are never restarted', () => {
  const c = new TestCluster(3);
  c.create('j1', spec({ job: { completions: 5, parallelism: 2 } }));
  c.settle();
  assert.deepEqual(liveOfRun(c, 1).map((t) => t.slot).sort(), [1, 2], 'two at once');
  for (let round = 0; round < 5; round++) {
    const live = liveOfRun(c, 1);
    if (live.length === 0) break;
    assert.ok(live.length <= 2);
    finish(c, live[0], 0);
    c.settle();
  }
  const tasks = c.state.tasksByService('j1');
  assert.deepEqual(tasks.map((t) => t.slot).sort(), [1, 2, 3, 4, 5], 'one task per completion, none restarted');
  assert.ok(tasks.every((t) => t.status.state === 'complete' && t.desiredState === 'running'), 'completed tasks stay as their slot result');
  assert.deepEqual(c.step().commands, [], 'a finished job needs nothing');
});

test('a failed job task is retried by its restart policy; exhausted attempts leave the slot failed and the run finished', () => {
  const c = new TestCluster(2);
  c.create('j1', spec({ restart: { maxAttempts: 2, delayMs: 1_000 } }));
  c.settle();
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [t] = liveOfRun(c, 1);
    assert.ok(t, `attempt ${attempt} runs`);
    finish(c, t, 3);
    c.now += 10_000;
    c.settle();
  }
  assert.equal(liveOfRun(c, 1).length, 0, 'two retries, then it gives up');
  const failed = c.live('batch');
  assert.equal(failed.length, 1);
  assert.equal(failed[0].status.exitCode, 3);
  c.now += 60_000;
  assert.equal(c.step().plan.created.length, 0);
});

test('global-job: one task per eligible node; a drained node gets none', () => {
  const c = new TestCluster(3);
  c.do({ type: 'node.availability', at: c.now, nodeId: 'n3', availability: 'drain' });
  c.create('j1', spec({ mode: 'global-job' }));
  c.settle();
  assert.deepEqual(c.live('batch').map((t) => t.nodeId).sort(), ['n1', 'n2']);
  for (const t of c.live('batch')) finish(c, t, 0);
  c.settle();
  assert.ok(c.live('batch').every((t) => t.status.state === 'complete'));
});

test('updating an unscheduled job starts a new run; the old run goes to history', () => {
  const c = new TestCluster(2);
  c.create('j1', spec());
  c.settle();
  finish(c, c.live('batch')[0], 0);
  c.settle();
  c.do({ type: 'service.update', at: c.now, serviceId: 'j1', spec: spec({ command: ['/bin/echo', 'again'] }) });
  assert.equal(c.state.service('j1')!.job!.iteration, 2);
  assert.equal(c.state.service('j1')!.updateStatus, undefined, 'a job has runs, not rolling updates');
  c.settle();
  const run2 = c.live('batch');
  assert.deepEqual(run2.map((t) => t.jobIteration), [2]);
  const run1 = c.state.tasksByService('j1').find((t) => t.jobIteration === 1)!;
  assert.equal(run1.desiredState, 'shutdown', 'kept as history');
  assert.equal(run1.status.state, 'complete');
});

test('a scheduled job starts a run at each cron tick (UTC), never two at once', () => {
  const c = new TestCluster(2);
  c.now = Date.UTC(2026, 0, 1, 10, 0, 30);
  c.create('j1', spec({ job: { schedule: '*/5 * * * *' } }));
  assert.equal(c.state.service('j1')!.job!.iteration, 0, 'nothing runs before the first tick');
  const first = c.step();
  assert.equal(first.plan.nextWakeAt, Date.UTC(2026, 0, 1, 10, 5, 0));
  assert.equal(c.state.tasksByService('j1').length, 0);
  c.now = Date.UTC(2026, 0, 1, 10, 5, 0);
  c.settle();
  assert.equal(c.state.service('j1')!.job!.iteration, 1);
  const [t1] = liveOfRun(c, 1);
  assert.ok(t1);
  c.now = Date.UTC(2026, 0, 1, 10, 11, 0);
  c.step();
  assert.equal(c.state.service('j1')!.job!.iteration, 1, 'run 1 still going: the 10:10 tick waits for it');
  finish(c, t1, 0);
  c.settle();
  assert.equal(c.state.service('j1')!.job!.iteration, 2, 'the late tick runs once run 1 ends');
  const [t2] = liveOfRun(c, 2);
  finish(c, t2, 0);
  c.settle();
  assert.equal(c.step().plan.nextWakeAt, Date.UTC(2026, 0, 1, 10, 15, 0));
});

test('a job task on a lost node is run again elsewhere without counting as a failure', () => {
  const c = new TestCluster(2);
  c.create('j1', spec({ restart: { condition: 'none' } }));
  c.settle();
  const [t] = c.live('batch');
  c.do({ type: 'node.down', at: c.now, nodeId: t.nodeId! });
  c.settle();
  const [again] = liveOfRun(c, 1);
  assert.ok(again && again.nodeId !== t.nodeId, 'replaced on the other node despite restart condition none');
});

test('service.jobRun only starts the next run once', () => {
  const c = new TestCluster(1);
  c.create('j1', spec({ job: { schedule: '0 * * * *' } }));
  c.do({ type: 'service.jobRun', at: c.now, serviceId: 'j1', iteration: 1 });
  const again = c.state.apply({ type: 'service.jobRun', at: c.now, serviceId: 'j1', iteration: 1 }, c.state.lastApplied + 1);
  assert.equal(again.ok, false);
  assert.equal(c.state.service('j1')!.job!.iteration, 1);
});
