import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterState, decodeCommand, encodeCommand, type Command } from '../src/index.js';
import { reg, applyAll } from './fixtures.js';

const withAgentLabels = (labels: Record<string, string>): Command => ({ type: 'node.register', at: 1, node: reg('n1', { labels }) });

test('an operator adds and removes labels at runtime', () => {
  const s = new ClusterState();
  applyAll(s, [withAgentLabels({ zone: 'a', disk: 'hdd' }), { type: 'node.labels', at: 2, nodeId: 'n1', set: { gpu: 'yes', zone: 'b' }, remove: ['disk'] }]);
  assert.deepEqual(s.node('n1')!.labels, { zone: 'b', gpu: 'yes' });
});

test("the operator's changes survive the agent re-registering with its old flags", () => {
  const s = new ClusterState();
  applyAll(s, [
    withAgentLabels({ zone: 'a', disk: 'hdd' }),
    { type: 'node.labels', at: 2, nodeId: 'n1', set: { zone: 'b' }, remove: ['disk'] },
    withAgentLabels({ zone: 'a', disk: 'hdd', rack: '7' }),
    { type: 'node.update', at: 4, nodeId: 'n1', labels: { zone: 'a', disk: 'hdd', rack: '8' } },
  ]);
  assert.deepEqual(s.node('n1')!.labels, { zone: 'b', rack: '8' });
});

test('a label removed then added again is set', () => {
  const s = new ClusterState();
  applyAll(s, [withAgentLabels({ zone: 'a' }), { type: 'node.labels', at: 2, nodeId: 'n1', set: {}, remove: ['zone'] }, { type: 'node.labels', at: 3, nodeId: 'n1', set: { zone: 'c' }, remove: [] }]);
  assert.deepEqual(s.node('n1')!.labels, { zone: 'c' });
  assert.deepEqual(s.node('n1')!.operatorLabels, { zone: 'c' });
});

test('labels of an unknown node are refused', () => {
  const s = new ClusterState();
  const [r] = applyAll(s, [{ type: 'node.labels', at: 2, nodeId: 'nx', set: { a: 'b' }, remove: [] }]) as { ok: boolean; error?: { code: string } }[];
  assert.equal(r!.ok, false);
  assert.equal(r!.error?.code, 'NOT_FOUND');
});

test('node.labels round-trips through the codec and a malformed one is refused', () => {
  const cmd: Command = { type: 'node.labels', at: 2, nodeId: 'n1', set: { a: 'b' }, remove: ['c'] };
  assert.deepEqual(decodeCommand(encodeCommand(cmd)), cmd);
  const bad = new TextEncoder().encode(JSON.stringify({ type: 'node.labels', at: 2, nodeId: 'n1', set: { a: 1 }, remove: 'c' }));
  assert.throws(() => decodeCommand(bad));
});

test('operator labels are kept in a snapshot', () => {
  const s = new ClusterState();
  applyAll(s, [withAgentLabels({ zone: 'a' }), { type: 'node.labels', at: 2, nodeId: 'n1', set: {}, remove: ['zone'] }]);
  const r = new ClusterState();
  r.restore(s.snapshot());
  applyAll(r, [withAgentLabels({ zone: 'a' })]);
  assert.deepEqual(r.node('n1')!.labels, {});
});
