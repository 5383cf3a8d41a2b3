import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySpecDefaults, type Task } from '@shoal/types';
import { restartDecision } from '../src/index.js';
import { TestCluster } from './harness.js';

function failedTask(at: number, extra: Partial<Task> = {}): Task {
  return {
    id: 't',
    serviceId: 's',
    serviceName: 'w',
    serviceVersion: 1,
    slot: 1,
    desiredState: 'running',
    status: { state: 'failed', timestamp: at, message: 'exit 1', exitCode: 1 },
    spec: { name: 'w', image: 'x' },
    createdAt: 0,
    updatedAt: at,
    ...extra,
  };
}

const policy = (restart: object) => applySpecDefaults({ name: 'w', image: 'x', restart });

const table: { name: string; restart: object; task: Task; now: number; want: string }[] = [
  { name: 'any restarts a failure at once without a delay', restart: { delayMs: 0 }, task: failedTask(100), now: 100, want: 'now' },
  { name: 'by default the first restart waits 5 s', restart: {}, task: failedTask(100), now: 100, want: 'later@5100' },
  { name: 'the delay doubles with each restart in a row', restart: {}, task: failedTask(100, { restartStreak: 3 }), now: 100, want: 'later@40100' },
  { name: 'the doubling stops at 5 min', restart: {}, task: failedTask(100, { restartStreak: 12 }), now: 100, want: 'later@300100' },
  { name: 'a healthy run resets the backoff', restart: {}, task: failedTask(40_000, { restartStreak: 6, startedAt: 10_000 }), now: 40_000, want: 'later@45000' },
  { name: 'a short run keeps it', restart: {}, task: failedTask(40_000, { restartStreak: 2, startedAt: 35_000 }), now: 40_000, want: 'later@60000' },
  { name: 'maxDelayMs caps a custom policy', restart: { delayMs: 1000, maxDelayMs: 3000 }, task: failedTask(0, { restartStreak: 5 }), now: 0, want: 'later@3000' },
  { name: 'delay holds the restart', restart: { delayMs: 500 }, task: failedTask(100), now: 300, want: 'later@600' },
  { name: 'delay passed', restart: { delayMs: 500 }, task: failedTask(100), now: 600, want: 'now' },
  { name: 'none never restarts', restart: { condition: 'none' }, task: failedTask(100), now: 1000, want: 'never' },
  { name: 'on-failure restarts a failure', restart: { condition: 'on-failure', delayMs: 0 }, task: failedTask(100), now: 100, want: 'now' },
  { name: 'on-failure leaves a completed task', restart: { condition: 'on-failure' }, task: failedTask(100, { status: { state: 'complete', timestamp: 100, message: '', exitCode: 0 } }), now: 100, want: 'never' },
  { name: 'max attempts reached', restart: { maxAttempts: 2 }, task: failedTask(100, { restartHistory: [10, 50] }), now: 100, want: 'never' },
  { name: 'max attempts within a window frees up later', restart: { maxAttempts: 2, windowMs: 1000 }, task: failedTask(900, { restartHistory: [10, 50] }), now: 950, want: 'later@1010' },
  { name: 'old attempts outside the window do not count', restart: { maxAttempts: 2, windowMs: 1000, delayMs: 0 }, task: failedTask(2000, { restartHistory: [10, 1500] }), now: 2000, want: 'now' },
];

for (const c of table) {
  test(`restart policy: ${c.name}`, () => {
    const d = restartDecision(c.task, policy(c.restart), c.now);
    assert.equal(d.kind === 'later' ? `later@${d.at}` : d.kind, c.want);
  });
}

test('a crash-looping task is restarted up to maxAttempts, then left failed in its slot', () => {
  const c = new TestCluster(2);
  c.create('s1', { name: 'w', image: 'x', replicas: 1, restart: { maxAttempts: 3, delayMs: 100 } });
  let restarts = 0;
  for (let round = 0; round < 40; round++) {
    const res = c.step();
    restarts += res.plan.created.filter((p) => p.reason.startsWith('restarts')).length;
    c.agents();
    for (const t of c.live('w')) if (t.status.state === 'running') c.report(t.id, { state: 'failed', error: 'boom', exitCode: 2 });
    c.now += 60;
  }
  assert.equal(restarts, 3);
  const live = c.live('w');
  assert.equal(live.length, 1, 'the slot stays occupied: no endless replacement');
  assert.equal(live[0].status.state, 'failed');
  assert.equal(live[0].restartHistory!.length, 3);
});

test('a restart waits for its delay, and the plan says when to look again', () => {
  const c = new TestCluster(1);
  c.create('s1', { name: 'w', image: 'x', replicas: 1, restart: { delayMs: 1000 } });
  c.settle();
  const t = c.live('w')[0];
  c.report(t.id, { state: 'failed', error: 'boom' });
  const res = c.step();
  assert.equal(res.plan.created.length, 0);
  assert.equal(res.plan.nextWakeAt, c.now + 1000);
  c.now += 1000;
  assert.equal(c.step().plan.created.length, 1);
});

test('a crash loop backs off 5, 10, 20 s ... to 5 min; a healthy run starts over at 5 s', () => {
  const c = new TestCluster(1);
  c.create('s1', { name: 'w', image: 'x', replicas: 1 });
  const waits: number[] = [];
  let failedAt = -1;
  let runs = 0;
  // Every new task runs; the first 10 crash at once, the 11th runs 60 s and then crashes.
  for (let round = 0; round < 2000 && waits.length < 12; round++) {
    const res = c.step();
    if (failedAt >= 0 && res.plan.created.some((p) => p.reason.startsWith('restarts'))) {
      waits.push(c.now - failedAt);
      failedAt = -1;
    }
    c.agents();
    for (const t of c.live('w')) {
      if (t.status.state !== 'running' || failedAt >= 0) continue;
      runs++;
      if (runs === 11) c.now += 60_000;
      c.report(t.id, { state: 'failed', error: 'boom', exitCode: 1 });
      failedAt = c.now;
    }
    c.now = res.plan.nextWakeAt ?? c.now + 100;
  }
  assert.deepEqual(waits.slice(0, 11), [5, 10, 20, 40, 80, 160, 300, 300, 300, 300, 5].map((s) => s * 1000));
  assert.equal(waits[11], 10_000, 'and doubles again from there');
});
