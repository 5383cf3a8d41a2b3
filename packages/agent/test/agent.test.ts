// The agent's task state machine, driven through an in-memory driver double.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShoalError, ErrorCode, TASK_STATES, type Task } from '@shoal/types';
import { Agent } from '../src/agent.js';
import { FakeDriver } from './fake-driver.js';
import { waitFor } from '@shoal/testkit';
import { ReportLog, makeTask, silentLogger } from './helpers.js';

function setup(opts: { concurrency?: number } = {}) {
  const driver = new FakeDriver();
  const log = new ReportLog();
  const agent = new Agent({ nodeId: 'node-1', drivers: [driver], report: log.report, logger: silentLogger, pollMs: 20, ...opts });
  return { driver, log, agent };
}

function assertForwardOnly(log: ReportLog, taskId: string) {
  const ranks = log.states(taskId).map((s) => TASK_STATES.indexOf(s as never));
  for (let i = 1; i < ranks.length; i++) assert.ok(ranks[i] > ranks[i - 1], `states went backwards: ${log.states(taskId).join(' -> ')}`);
}

test('a task desired running is started once and reported running, in batched reports', async () => {
  const { driver, log, agent } = setup();
  await agent.start();
  const task = makeTask({ name: 'web', image: 'x' });
  for (let i = 0; i < 5; i++) agent.reconcile([task]); // concurrent reconciles
  await waitFor('running', () => log.last(task.id)?.state === 'running');
  agent.reconcile([log.applied(task)]);
  agent.reconcile([log.applied(task)]);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(driver.starts, [task.id]);
  assert.ok(log.calls.length <= 4, `expected coalesced reports, got ${log.calls.length} calls`);
  assert.equal(log.last(task.id)?.containerId, 'c1');
  assertForwardOnly(log, task.id);
  await agent.stop();
});

test('an exit with code 0 is complete; a non-zero exit is failed with its code', async () => {
  const { driver, log, agent } = setup();
  await agent.start();
  const ok = makeTask({ name: 'job' });
  const bad = makeTask({ name: 'job' });
  agent.reconcile([ok, bad]);
  await waitFor('both running', () => log.last(ok.id)?.state === 'running' && log.last(bad.id)?.state === 'running');
  driver.procs.get(ok.id)!.exit(0);
  driver.procs.get(bad.id)!.exit(3);
  await waitFor('exits reported', () => log.last(ok.id)?.state === 'complete' && log.last(bad.id)?.state === 'failed');
  assert.equal(log.last(bad.id)?.exitCode, 3);
  assert.match(log.last(bad.id)!.message, /exited with code 3/);
  assert.equal(driver.starts.length, 2, 'a finished task is not restarted by the agent');
  await agent.stop();
});

test('an unhealthy task is stopped and reported failed with the health check output', async () => {
  const { driver, log, agent } = setup();
  await agent.start();
  const task = makeTask({ name: 'api', healthcheck: { test: ['CMD', 'true'] }, stopGracePeriodMs: 1234 });
  agent.reconcile([task]);
  await waitFor('running', () => log.last(task.id)?.state === 'running');
  const proc = driver.procs.get(task.id)!;
  proc.health = 'unhealthy';
  proc.healthOutput = 'connection refused';
  await waitFor('failed', () => log.last(task.id)?.state === 'failed');
  assert.equal(log.last(task.id)!.message, 'health check failed: connection refused');
  assert.deepEqual(driver.stops, [{ taskId: task.id, graceMs: 1234, signal: undefined }]);
  await agent.stop();
});

test('desired shutdown stops with the grace period and signal, reports shutdown, then removes', async () => {
  const { driver, log, agent } = setup();
  await agent.start();
  const task = makeTask({ name: 'web', stopSignal: 'SIGQUIT', stopGracePeriodMs: 2500 });
  agent.reconcile([task]);
  await waitFor('running', () => log.last(task.id)?.state === 'running');
  agent.reconcile([{ ...log.applied(task), desiredState: 'shutdown' }]);
  await waitFor('removed', () => driver.removes.includes(task.id));
  assert.equal(log.last(task.id)?.state, 'shutdown');
  assert.deepEqual(driver.stops, [{ taskId: task.id, graceMs: 2500, signal: 'SIGQUIT' }]);
  assert.ok(!log.states(task.id).includes('failed'), 'a stop we asked for is not a failure');
  await agent.stop();
});

test('the default stop grace period is 10 s', async () => {
  const { driver, log, agent } = setup();
  await agent.start();
  const task = makeTask({ name: 'web' });
  agent.reconcile([task]);
  await waitFor('running', () => log.last(task.id)?.state === 'running');
  agent.reconcile([{ ...log.applied(task), desiredState: 'remove' }]);
  await waitFor('stopped', () => driver.stops.length === 1);
  assert.equal(driver.stops[0].graceMs, 10_000);
  await agent.stop();
});

test('a task shut down before it started is reported shutdown and never started', async () => {
  const { driver, log, agent } = setup();
  driver.prepareDelayMs = 200;
  await agent.start();
  const task = makeTask({ name: 'web' });
  agent.reconcile([task]);
  await waitFor('preparing', () => log.states(task.id).length > 0);
  agent.reconcile([{ ...task, desiredState: 'shutdown' }]);
  await waitFor('shutdown', () => log.last(task.id)?.state === 'shutdown');
  await new Promise((r) => setTimeout(r, 250));
  assert.deepEqual(driver.starts, []);
  await agent.stop();
});

test('a prepare failure rejects the task with the error; an unknown driver rejects it', async () => {
  const { driver, log, agent } = setup();
  driver.prepareError = new ShoalError(ErrorCode.ImageNotFound, 'image nope:1 not found');
  await agent.start();
  const a = makeTask({ name: 'web', image: 'nope:1' });
  const b = makeTask({ name: 'proc', driver: 'exec', command: ['true'] });
  agent.reconcile([a, b]);
  await waitFor('rejected', () => log.last(a.id)?.state === 'rejected' && log.last(b.id)?.state === 'rejected');
  assert.equal(log.last(a.id)!.error, 'image nope:1 not found');
  assert.match(log.last(b.id)!.error!, /driver exec is not enabled/);
  assert.deepEqual(driver.starts, []);
  await agent.stop();
});

test('failed reports are retried, keeping only the latest status per task, never going backwards', async () => {
  const { log, agent } = setup();
  log.failNext = 3;
  await agent.start();
  const task = makeTask({ name: 'web' });
  agent.reconcile([task]);
  await waitFor('running reported', () => log.last(task.id)?.state === 'running', { timeoutMs: 10_000 });
  assertForwardOnly(log, task.id);
  assert.equal(log.calls.length, 1, 'everything queued during the outage went out in one report');
  await agent.stop();
});

test('a restarted agent adopts running tasks without starting them again, and removes orphans', async () => {
  const { driver, log, agent } = setup();
  await agent.start();
  const kept = makeTask({ name: 'web' });
  const dropped = makeTask({ name: 'old' });
  agent.reconcile([kept, dropped]);
  await waitFor('running', () => log.last(kept.id)?.state === 'running' && log.last(dropped.id)?.state === 'running');
  await agent.stop(); // tasks keep running

  const log2 = new ReportLog();
  const agent2 = new Agent({ nodeId: 'node-1', drivers: [driver], report: log2.report, logger: silentLogger, pollMs: 20 });
  // The replica says `kept` is running and no longer knows `dropped`; the report is made before start() finishes.
  const startP = agent2.start();
  agent2.reconcile([log.applied(kept)]);
  await startP;
  await waitFor('orphan removed', () => driver.removes.includes(dropped.id));
  assert.deepEqual(driver.starts, [kept.id, dropped.id], 'no second start');
  driver.procs.get(kept.id)!.exit(1);
  await waitFor('adopted task exit reported', () => log2.last(kept.id)?.state === 'failed');
  await agent2.stop();
});

test('a task the replica says is running but that is gone after a restart is failed, not restarted', async () => {
  const { driver, log, agent } = setup();
  await agent.start();
  const task: Task = makeTask({ name: 'web' }, { status: { state: 'running', timestamp: 0, message: 'running' } });
  agent.reconcile([task]);
  await waitFor('failed', () => log.last(task.id)?.state === 'failed');
  assert.match(log.last(task.id)!.message, /not found on this node/);
  assert.deepEqual(driver.starts, []);
  await agent.stop();
});

test('a task that leaves the assignments is stopped and removed without a report', async () => {
  const { driver, log, agent } = setup();
  await agent.start();
  const task = makeTask({ name: 'web' });
  agent.reconcile([task]);
  await waitFor('running', () => log.last(task.id)?.state === 'running');
  const reports = log.states(task.id).length;
  agent.reconcile([]);
  await waitFor('removed', () => driver.removes.includes(task.id));
  assert.equal(log.states(task.id).length, reports);
  await agent.stop();
});

test('driver operations are bounded by the concurrency option', async () => {
  const { driver, log, agent } = setup({ concurrency: 2 });
  driver.prepareDelayMs = 30;
  await agent.start();
  const tasks = Array.from({ length: 6 }, () => makeTask({ name: 'web' }));
  agent.reconcile(tasks);
  await waitFor('all running', () => tasks.every((t) => log.last(t.id)?.state === 'running'));
  assert.equal(driver.maxActiveOps, 2);
  await agent.stop();
});

test('a task not yet assigned (new/pending) is not started until it is', async () => {
  const { driver, log, agent } = setup();
  await agent.start();
  const task = makeTask({ name: 'global' }, { status: { state: 'pending', timestamp: 0, message: '' } });
  agent.reconcile([task]);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(driver.starts, []);
  agent.reconcile([{ ...task, status: { state: 'assigned', timestamp: 1, message: '' } }]);
  await waitFor('running', () => log.last(task.id)?.state === 'running');
  assert.deepEqual(driver.starts, [task.id]);
  await agent.stop();
});

test('tasks of other nodes are ignored', async () => {
  const { driver, log, agent } = setup();
  await agent.start();
  agent.reconcile([makeTask({ name: 'web' }, { nodeId: 'node-2' })]);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(driver.starts, []);
  assert.equal(log.calls.length, 0);
  await agent.stop();
});

test('logs of an unknown task are a NOT_FOUND error', async () => {
  const { agent } = setup();
  await agent.start();
  await assert.rejects(async () => {
    for await (const _ of agent.logs('nope', { follow: false })) break;
  }, (err: ShoalError) => err.code === ErrorCode.NotFound);
  await agent.stop();
});
