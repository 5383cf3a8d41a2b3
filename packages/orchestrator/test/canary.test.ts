import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceSpec } from '@shoal/types';
import { TestCluster } from './harness.js';

const v1: ServiceSpec = { name: 'web', image: 'web:1', replicas: 4, update: { canary: 1, monitorMs: 5_000 } };
const v2: ServiceSpec = { ...v1, image: 'web:2' };

function deployed(spec: ServiceSpec = v1): TestCluster {
  const c = new TestCluster(3);
  c.create('s1', spec);
  c.settle();
  return c;
}

const images = (c: TestCluster) => c.running('web').map((t) => t.spec.image).sort();

test('update --canary N starts N new tasks beside the old ones and waits', () => {
  const c = deployed();
  c.do({ type: 'service.update', at: c.now, serviceId: 's1', spec: { ...v2, update: { ...v2.update, canary: 2 } } });
  assert.equal(c.state.service('s1')!.updateStatus?.canary, 'waiting');
  c.settle();
  assert.deepEqual(images(c), ['web:1', 'web:1', 'web:1', 'web:1', 'web:2', 'web:2'], 'every old task still runs, two canaries beside them');
  const canaries = c.live('web').filter((t) => t.canary);
  assert.deepEqual(canaries.map((t) => t.slot).sort(), [5, 6]);
  assert.match(c.state.service('s1')!.updateStatus!.message, /promote with `shoal service promote web`/);
  c.now += 60_000;
  assert.deepEqual(c.step().commands, [], 'nothing moves until promoted');
});

test('promote: canaries take over replica slots and the rolling update replaces the rest', () => {
  const c = deployed();
  c.do({ type: 'service.update', at: c.now, serviceId: 's1', spec: v2 });
  c.settle();
  const canary = c.live('web').find((t) => t.canary)!;
  c.do({ type: 'service.promote', at: c.now, serviceId: 's1' });
  assert.equal(c.state.task(canary.id)!.slot, 1, 'the canary now holds slot 1');
  for (let i = 0; i < 20 && c.state.service('s1')!.updateStatus!.state !== 'completed'; i++) {
    c.settle();
    c.now += 6_000;
  }
  assert.equal(c.state.service('s1')!.updateStatus!.state, 'completed');
  assert.deepEqual(images(c), ['web:2', 'web:2', 'web:2', 'web:2']);
  assert.ok(c.live('web').some((t) => t.id === canary.id), 'the canary was kept, not replaced');
  assert.deepEqual(c.live('web').map((t) => t.slot).sort(), [1, 2, 3, 4]);
});

test('rollback drops the canaries and keeps the old tasks', () => {
  const c = deployed();
  const before = c.live('web').map((t) => t.id).sort();
  c.do({ type: 'service.update', at: c.now, serviceId: 's1', spec: v2 });
  c.settle();
  c.do({ type: 'service.rollback', at: c.now, serviceId: 's1' });
  c.settle();
  assert.deepEqual(images(c), ['web:1', 'web:1', 'web:1', 'web:1']);
  assert.deepEqual(c.live('web').map((t) => t.id).sort(), before, 'no old task was replaced');
  assert.ok(c.state.tasksByService('s1').every((t) => !t.canary || t.desiredState !== 'running'));
});

test('auto-promote waits for every canary to stay up for the monitor period', () => {
  const c = deployed();
  c.do({ type: 'service.update', at: c.now, serviceId: 's1', spec: { ...v2, update: { ...v2.update, autoPromote: true } } });
  c.settle();
  const upAt = c.live('web').find((t) => t.canary)!.status.timestamp;
  const res = c.step();
  assert.equal(res.plan.nextWakeAt, upAt + 5_000);
  assert.equal(c.state.service('s1')!.updateStatus!.canary, 'waiting');
  c.now = upAt + 5_000;
  c.step();
  assert.equal(c.state.service('s1')!.updateStatus!.canary, 'promoted');
});

test('a failing canary pauses the update (failure action) and is dropped; old tasks keep serving', () => {
  const c = deployed();
  c.do({ type: 'service.update', at: c.now, serviceId: 's1', spec: v2 });
  c.step();
  const canary = c.live('web').find((t) => t.canary)!;
  c.report(canary.id, { state: 'failed', error: 'exit code 1', exitCode: 1 });
  c.settle();
  assert.equal(c.state.service('s1')!.updateStatus!.state, 'paused');
  assert.deepEqual(images(c), ['web:1', 'web:1', 'web:1', 'web:1']);
});

test('promote is refused when no canaries wait', () => {
  const c = deployed();
  const r = c.state.apply({ type: 'service.promote', at: c.now, serviceId: 's1' }, c.state.lastApplied + 1);
  assert.equal(r.ok, false);
});
