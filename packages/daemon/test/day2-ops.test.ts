/**
 * Day-2 operations against three real agents on loopback with the exec
 * driver: jobs that run to completion (once and on a schedule), version
 * history and rollback --to, a task restarted in place, a canary update
 * promoted, and a drain with a deadline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@shoal/testkit';
import type { Task } from '@shoal/types';
import { clusterPerFile, running } from './helpers.js';

const file = clusterPerFile({ size: 3, driver: 'exec' }, 1);

const ofRun = (tasks: Task[], run: number) => tasks.filter((t) => t.jobIteration === run);

test('a replicated-job runs its completions to exit 0, never restarting a completed task', async () => {
  await file.cl.createService({ name: 'batch', driver: 'exec', command: ['sh', '-c', 'echo done $SHOAL_SLOT'], mode: 'replicated-job', job: { completions: 3, parallelism: 2 } });
  const tasks = await waitFor('3 completions', async () => {
    const t = ofRun(await file.cl.listTasks({ service: 'batch', all: true }), 1);
    return t.filter((x) => x.status.state === 'complete').length === 3 && t;
  }, { timeoutMs: 30_000 });
  assert.equal(tasks.length, 3, 'no task was restarted');
  assert.ok(tasks.every((t) => t.status.exitCode === 0));
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await file.cl.listTasks({ service: 'batch', all: true })).length, 3, 'still nothing restarted');
});

test('a failing job task is retried up to its attempts, then left failed with its exit code', async () => {
  await file.cl.createService({ name: 'flaky', driver: 'exec', command: ['sh', '-c', 'exit 7'], mode: 'replicated-job', restart: { maxAttempts: 1, delayMs: 200 } });
  const tasks = await waitFor('two failed attempts', async () => {
    const t = await file.cl.listTasks({ service: 'flaky', all: true });
    return t.filter((x) => x.status.state === 'failed').length === 2 && t;
  }, { timeoutMs: 30_000 });
  assert.ok(tasks.every((t) => t.status.exitCode === 7));
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await file.cl.listTasks({ service: 'flaky', all: true })).length, 2, 'gave up after one retry');
});

test('a scheduled job starts a run at each tick of its cron schedule', async () => {
  await file.cl.createService({ name: 'tick', driver: 'exec', command: ['true'], mode: 'replicated-job', job: { schedule: '*/2 * * * * *' } });
  assert.equal((await file.cl.getService('tick')).job?.iteration, 0);
  await waitFor('two runs completed', async () => {
    const t = await file.cl.listTasks({ service: 'tick', all: true });
    return ofRun(t, 2).some((x) => x.status.state === 'complete') && ofRun(t, 1).some((x) => x.status.state === 'complete');
  }, { timeoutMs: 30_000 });
  await file.cl.removeService('tick');
});

test('history keeps every version with what changed; rollback --to restores one', async () => {
  await file.cl.createService({ name: 'app', driver: 'exec', command: ['sh', '-c', 'echo v1; sleep 100000'], replicas: 2 });
  const v1 = await file.cl.getService('app');
  await file.cl.updateService('app', { ...v1.spec, command: ['sh', '-c', 'echo v2; sleep 100000'], update: { parallelism: 2 } });
  await waitFor('update completed', async () => (await file.cl.getService('app')).updateStatus?.state === 'completed', { timeoutMs: 60_000, everyMs: 250 });
  const h = await file.cl.serviceHistory('app');
  assert.deepEqual(h.map((v) => [v.version, v.change, v.current]), [[1, 'created', false], [2, 'updated', true]]);
  assert.deepEqual(h[1].changes.find((x) => x.path === 'command')?.to, ['sh', '-c', 'echo v2; sleep 100000']);
  assert.ok(h.every((v) => typeof v.by === 'string' && v.by.length > 0), 'the caller is recorded');
  await file.cl.rollbackService('app', { toVersion: 1 });
  await waitFor('2 running v1 again', async () => {
    const r = running(await file.cl.listTasks({ service: 'app' }));
    return r.length === 2 && r.every((t) => t.spec.command?.[2] === 'echo v1; sleep 100000');
  }, { timeoutMs: 60_000 });
  assert.equal((await file.cl.serviceHistory('app')).at(-1)?.change, 'rolled back to version 1');
});

test('task restart replaces one task with a copy on the same node', async () => {
  const [old] = running(await file.cl.listTasks({ service: 'app' }));
  const copy = await file.cl.restartTask(old.id);
  assert.notEqual(copy.id, old.id);
  assert.equal(copy.nodeId, old.nodeId);
  await waitFor('the copy runs', async () => (await file.cl.getTask(copy.id)).status.state === 'running', { timeoutMs: 30_000 });
  assert.equal((await file.cl.getTask(old.id)).desiredState, 'shutdown');
  assert.equal(running(await file.cl.listTasks({ service: 'app' })).length, 2);
});

test('a canary update runs the new version beside the old, and promote completes it', async () => {
  const s = await file.cl.getService('app');
  await file.cl.updateService('app', { ...s.spec, command: ['sh', '-c', 'echo v3; sleep 100000'], update: { canary: 1, parallelism: 2, monitorMs: 500 } });
  await waitFor('a canary beside 2 old tasks', async () => {
    const r = running(await file.cl.listTasks({ service: 'app' }));
    return r.length === 3 && r.filter((t) => t.canary).length === 1;
  }, { timeoutMs: 30_000 });
  assert.equal((await file.cl.getService('app')).updateStatus?.canary, 'waiting');
  await file.cl.promoteService('app');
  await waitFor('update completed with 2 v3 tasks', async () => {
    const svc = await file.cl.getService('app');
    const r = running(await file.cl.listTasks({ service: 'app' }));
    return svc.updateStatus?.state === 'completed' && r.length === 2 && r.every((t) => t.spec.command?.[2] === 'echo v3; sleep 100000');
  }, { timeoutMs: 60_000, everyMs: 250 });
});

test('drain --deadline moves tasks start-first: the service never drops below its replicas', async () => {
  const r = running(await file.cl.listTasks({ service: 'app' }));
  const victim = r[0].nodeId!;
  await file.cl.setNodeAvailability(victim, 'drain', { deadlineMs: 60_000 });
  let lowest = Infinity;
  await waitFor('tasks off the drained node', async () => {
    const now = running(await file.cl.listTasks({ service: 'app' }));
    lowest = Math.min(lowest, now.length);
    return now.length === 2 && now.every((t) => t.nodeId !== victim);
  }, { timeoutMs: 30_000, everyMs: 100 });
  assert.ok(lowest >= 2, `running tasks dipped to ${lowest}`);
  await file.cl.setNodeAvailability(victim, 'active');
});
