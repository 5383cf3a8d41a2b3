import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, node } from './harness.js';

test('a global service runs one task per eligible node, including nodes that join later', () => {
  const c = new TestCluster(3);
  c.do({ type: 'node.update', at: c.now, nodeId: 'n3', labels: { role: 'edge' } });
  c.create('g', { name: 'agent', image: 'x', mode: 'global', placement: { constraints: ['node.labels.role != edge'] } });
  c.settle();
  assert.deepEqual(c.running('agent').map((t) => t.nodeId).sort(), ['n1', 'n2']);
  c.do({ type: 'node.register', at: c.now, node: node('n4') });
  c.do({ type: 'node.register', at: c.now, node: node('n5', { labels: { role: 'edge' } }) });
  c.settle();
  assert.deepEqual(c.running('agent').map((t) => t.nodeId).sort(), ['n1', 'n2', 'n4']);
  assert.ok(c.running('agent').every((t) => t.slot === 0));
});

test('a global task leaves a drained, down or no-longer-matching node and comes back when it is fit again', () => {
  const c = new TestCluster(3);
  c.create('g', { name: 'agent', image: 'x', mode: 'global', placement: { constraints: ['node.labels.off != yes'] } });
  c.settle();
  c.do({ type: 'node.availability', at: c.now, nodeId: 'n1', availability: 'drain' });
  c.do({ type: 'node.down', at: c.now, nodeId: 'n2' });
  c.do({ type: 'node.update', at: c.now, nodeId: 'n3', labels: { off: 'yes' } });
  c.settle();
  assert.deepEqual(c.live('agent'), []);
  c.do({ type: 'node.availability', at: c.now, nodeId: 'n1', availability: 'active' });
  c.do({ type: 'node.up', at: c.now, nodeId: 'n2' });
  c.settle();
  assert.deepEqual(c.running('agent').map((t) => t.nodeId).sort(), ['n1', 'n2']);
});

test('a global task that does not fit its node stays pending there with the reason', () => {
  const c = new TestCluster(2);
  c.do({ type: 'node.update', at: c.now, nodeId: 'n2', resources: { cpuMillis: 100, memoryBytes: 1 << 20 } });
  c.create('g', { name: 'agent', image: 'x', mode: 'global', resources: { reservations: { memoryBytes: 1 << 30 } } });
  c.settle();
  assert.deepEqual(c.running('agent').map((t) => t.nodeId), ['n1']);
  const stuck = c.live('agent').find((t) => t.nodeId === 'n2')!;
  assert.equal(stuck.status.state, 'pending');
  assert.ok(stuck.pendingReason && stuck.pendingReason.length > 0);
});
