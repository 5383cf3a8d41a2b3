import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceSpec } from '@shoal/types';
import { planUpdate } from '../src/index.js';
import { TestCluster } from './harness.js';

const v1: ServiceSpec = { name: 'web', image: 'web:1', replicas: 6, update: { parallelism: 2, monitorMs: 1000 } };

function updated(c: TestCluster): number {
  return c.live('web').filter((t) => t.spec.image === 'web:2' && t.status.state === 'running').length;
}

test('a rolling update replaces tasks in batches of `parallelism`, then completes after the monitor period', () => {
  const c = new TestCluster(3);
  c.create('s1', v1);
  c.settle();
  c.do({ type: 'service.update', at: c.now, serviceId: 's1', spec: { ...v1, image: 'web:2' } });
  const progress: number[] = [];
  for (let i = 0; i < 12 && c.state.service('s1')!.updateStatus!.state === 'updating'; i++) {
    c.step(); // stop a batch
    c.agents(); // old tasks stop
    c.step(); // their replacements are created
    c.agents(); // and start
    progress.push(updated(c));
    c.now += 500;
  }
  assert.deepEqual(progress.slice(0, 3), [2, 4, 6]);
  assert.equal(c.state.service('s1')!.updateStatus!.state, 'completed');
  assert.equal(c.running('web').length, 6);
});

test('stop-first never runs more than replicas; each batch waits for the old task to stop', () => {
  const c = new TestCluster(3);
  c.create('s1', v1);
  c.settle();
  c.do({ type: 'service.update', at: c.now, serviceId: 's1', spec: { ...v1, image: 'web:2' } });
  c.step();
  assert.equal(c.live('web').length, 4, 'two slots wait for their old task to stop');
  assert.equal(c.step().plan.created.length, 0, 'nothing starts before the old task stopped');
  c.agents();
  assert.equal(c.step().plan.created.length, 2);
  assert.ok(c.running('web').length <= 6);
});

test('start-first starts the new task beside the old one, then stops the old one', () => {
  const c = new TestCluster(3);
  const spec: ServiceSpec = { ...v1, replicas: 2, update: { parallelism: 1, order: 'start-first', monitorMs: 0 } };
  c.create('s1', spec);
  c.settle();
  c.do({ type: 'service.update', at: c.now, serviceId: 's1', spec: { ...spec, image: 'web:2' } });
  c.step();
  assert.equal(c.live('web').length, 3, 'one extra task while updating');
  c.agents();
  assert.equal(c.running('web').length, 3, 'at most replicas + parallelism running');
  c.step();
  c.agents();
  c.settle();
  assert.equal(c.running('web').length, 2);
  assert.ok(c.running('web').every((t) => t.spec.image === 'web:2'));
  assert.equal(c.state.service('s1')!.updateStatus!.state, 'completed');
});

test('an update whose tasks fail is rolled back automatically to the previous spec', () => {
  const c = new TestCluster(3);
  const spec: ServiceSpec = { ...v1, update: { parallelism: 2, failureAction: 'rollback', monitorMs: 1000 }, rollback: { parallelism: 0, monitorMs: 500 } };
  c.create('s1', spec);
  c.settle();
  c.do({ type: 'service.update', at: c.now, serviceId: 's1', spec: { ...spec, image: 'web:bad' } });
  for (let i = 0; i < 30; i++) {
    c.step();
    c.agents((t) => (t.spec.image === 'web:bad' ? { health: 'unhealthy' } : undefined));
    c.now += 100;
  }
  const svc = c.state.service('s1')!;
  assert.equal(svc.spec.image, 'web:1');
  assert.equal(svc.updateStatus!.state, 'rollback_completed');
  assert.equal(c.running('web').filter((t) => t.desiredState === 'running').length, 6);
  assert.ok(c.live('web').every((t) => t.spec.image === 'web:1'));
});

test('by default a failing update pauses and says why', () => {
  const c = new TestCluster(3);
  c.create('s1', v1);
  c.settle();
  c.do({ type: 'service.update', at: c.now, serviceId: 's1', spec: { ...v1, image: 'web:bad' } });
  for (let i = 0; i < 10; i++) {
    c.step();
    c.agents();
    for (const t of c.live('web')) if (t.spec.image === 'web:bad' && t.status.state === 'running') c.report(t.id, { state: 'failed', error: 'image crashed' });
    c.now += 100;
  }
  const st = c.state.service('s1')!.updateStatus!;
  assert.equal(st.state, 'paused');
  assert.match(st.message, /image crashed/);
  assert.ok(c.live('web').filter((t) => t.spec.image === 'web:1').length >= 4, 'the rest of the service is left on the old spec');
});

test('planUpdate is a dry run: what would be replaced and in how many batches', () => {
  const c = new TestCluster(3);
  c.create('s1', v1);
  c.settle();
  const before = c.state.snapshot();
  const plan = planUpdate(c.state, 'web', { ...v1, image: 'web:2', update: { parallelism: 4, delayMs: 100, monitorMs: 1000 } });
  assert.equal(plan.replace.length, 6);
  assert.equal(plan.batches, 2);
  assert.equal(plan.minDurationMs, 1100);
  assert.deepEqual(plan.changes, ['image', 'update']);
  assert.deepEqual(c.state.snapshot(), before);
  const scaleOnly = planUpdate(c.state, 'web', { ...v1, replicas: 8 });
  assert.equal(scaleOnly.replacesTasks, false);
  assert.equal(scaleOnly.scaleBy, 2);
  assert.equal(scaleOnly.batches, 0);
  assert.throws(() => planUpdate(c.state, 'nope', v1), /not found/);
});
