import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShoalError } from '@shoal/types';
import { decodeCommand, encodeCommand, type Command } from '../src/index.js';
import { reg, task, webSpec } from './fixtures.js';

const good: Command[] = [
  { type: 'node.register', at: 1, node: reg('n1', { apiAddress: '127.0.0.1:7000', availability: 'pause' }) },
  { type: 'node.update', at: 1, nodeId: 'n1', labels: { a: 'b' }, resources: { cpuMillis: 1, memoryBytes: 2 } },
  { type: 'service.create', at: 1, serviceId: 's1', spec: webSpec },
  { type: 'service.updateStatus', at: 1, serviceId: 's1', status: { state: 'paused', message: 'x', startedAt: 1 }, expectVersion: 2 },
  { type: 'task.create', at: 2, tasks: [task('t1', 's1', 1), task('t2', 's1', 2, { restartHistory: [1, 2] })] },
  { type: 'task.assign', at: 2, assignments: [{ taskId: 't1', nodeId: 'n1' }], pending: [{ taskId: 't2', reason: 'r' }] },
  { type: 'task.status', at: 2, updates: [{ taskId: 't1', status: { state: 'running', timestamp: 3, message: 'ok', health: 'healthy' } }] },
  { type: 'task.desired', at: 2, changes: [{ taskId: 't1', desiredState: 'shutdown', state: 'orphaned' }] },
  { type: 'cluster.config', at: 3, config: { allowDangerous: true } },
  { type: 'allowlist.remove', at: 3, peerIds: ['p'] },
  { type: 'task.restart', at: 3, taskId: 't1', newTaskId: 't9', message: 'restarted' },
  { type: 'node.availability', at: 3, nodeId: 'n1', availability: 'drain', deadlineMs: 300_000 },
  { type: 'service.rollback', at: 3, serviceId: 's1', toVersion: 2 },
];

for (const cmd of good) {
  test(`codec round-trips ${cmd.type}`, () => {
    assert.deepEqual(decodeCommand(encodeCommand(cmd)), cmd);
  });
}

const bad: [string, unknown][] = [
  ['unknown type', { type: 'node.explode', at: 1 }],
  ['missing at', { type: 'node.up', nodeId: 'n1' }],
  ['negative at', { type: 'node.up', at: -1, nodeId: 'n1' }],
  ['empty id', { type: 'node.up', at: 1, nodeId: '' }],
  ['bad availability', { type: 'node.availability', at: 1, nodeId: 'n', availability: 'gone' }],
  ['invalid spec', { type: 'service.create', at: 1, serviceId: 's', spec: { name: 'BAD' } }],
  ['task without status', { type: 'task.create', at: 1, tasks: [{ ...task('t', 's', 1), status: undefined }] }],
  ['bad task state', { type: 'task.status', at: 1, updates: [{ taskId: 't', status: { state: 'zombie', timestamp: 1, message: '' } }] }],
  ['not a list', { type: 'task.remove', at: 1, taskIds: 'abc' }],
  ['array instead of object', []],
  ['null', null],
];

for (const [name, raw] of bad) {
  test(`codec rejects ${name} with BAD_MESSAGE`, () => {
    assert.throws(() => decodeCommand(new TextEncoder().encode(JSON.stringify(raw))), (e: unknown) => e instanceof ShoalError && e.code === 'BAD_MESSAGE');
  });
}

test('codec rejects bytes that are not JSON', () => {
  assert.throws(() => decodeCommand(new Uint8Array([0xff, 0xfe, 0x00])), (e: unknown) => e instanceof ShoalError && e.code === 'BAD_MESSAGE');
});
