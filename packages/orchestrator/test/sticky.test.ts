import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceSpec } from '@shoal/types';
import { TestCluster } from './harness.js';

const db = (extra: Partial<ServiceSpec> = {}): ServiceSpec => ({ name: 'db', image: 'redis', replicas: 2, mounts: [{ type: 'volume', source: 'app_data', target: '/data' }], ...extra });

function slotNodes(c: TestCluster): Record<number, string> {
  return Object.fromEntries(c.running('db').map((t) => [t.slot, t.nodeId!]));
}

test('a replica with a named volume goes back to its node on restart and on a rolling update', () => {
  const c = new TestCluster(4);
  c.create('s1', db({ restart: { condition: 'any', delayMs: 0 } }));
  c.settle();
  const before = slotNodes(c);
  const t1 = c.running('db').find((t) => t.slot === 1)!;
  c.report(t1.id, { state: 'failed', error: 'crash', exitCode: 1 });
  c.settle();
  c.do({ type: 'service.update', at: c.now, serviceId: 's1', spec: db({ image: 'redis:8', restart: { condition: 'any', delayMs: 0 } }) });
  c.settle();
  assert.deepEqual(slotNodes(c), before);
  assert.ok(c.running('db').every((t) => t.spec.image === 'redis:8'));
});

test('volumePolicy wait (default): the replica of a down node waits pending, with the reason, and returns there', () => {
  const c = new TestCluster(3);
  c.create('s1', db());
  c.settle();
  const before = slotNodes(c);
  c.do({ type: 'node.down', at: c.now, nodeId: before[1] });
  c.settle();
  const waiting = c.live('db').find((t) => t.slot === 1)!;
  assert.equal(waiting.status.state, 'pending');
  assert.equal(waiting.nodeId, before[1]);
  assert.match(waiting.pendingReason!, new RegExp(`waiting for node ${before[1]}, which holds volume app_data of slot 1 \\(volumePolicy wait\\): node ${before[1]} is down; run \`shoal service update db --volume-policy move\``));
  assert.equal(c.live('db').length, 2, 'no extra replacement is created while it waits');
  c.do({ type: 'node.up', at: c.now, nodeId: before[1] });
  c.settle();
  assert.deepEqual(slotNodes(c), before);
});

test('volumePolicy move: the replica starts elsewhere; a drain moves it too (the operator chose)', () => {
  const c = new TestCluster(3);
  c.create('s1', db({ volumePolicy: 'move' }));
  c.settle();
  const before = slotNodes(c);
  c.do({ type: 'node.down', at: c.now, nodeId: before[1] });
  c.settle();
  assert.notEqual(slotNodes(c)[1], before[1]);
  assert.equal(c.running('db').length, 2);

  const d = new TestCluster(3);
  d.create('s1', db());
  d.settle();
  const was = slotNodes(d);
  d.do({ type: 'node.availability', at: d.now, nodeId: was[2], availability: 'drain' });
  d.settle();
  assert.notEqual(slotNodes(d)[2], was[2]);
  assert.equal(d.running('db').length, 2);
});
