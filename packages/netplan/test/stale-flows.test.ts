import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterState } from '@shoal/state';
import { backendAddresses, conntrackDeletes, staleFlows } from '../src/index.js';
import { apply, runningTask, twoStacks } from './fixtures.js';

/** app_web on n1 and n2, app_redis on n3. */
function cluster(): ClusterState {
  const state = twoStacks();
  runningTask(state, 'tw1', 'app_web', 1, 'n1', { app_default: '10.211.0.2' });
  runningTask(state, 'tw2', 'app_web', 2, 'n2', { app_default: '10.211.1.2' });
  runningTask(state, 'tr1', 'app_redis', 1, 'n3', { app_default: '10.211.2.2' });
  return state;
}

test('backend addresses are the serving endpoints with their nodes', () => {
  assert.deepEqual([...backendAddresses(cluster())].sort(), [['10.211.0.2', 'n1'], ['10.211.1.2', 'n2'], ['10.211.2.2', 'n3']]);
});

test('a backend of a down node loses every flow; a draining one only its unanswered flows', () => {
  const state = cluster();
  const before = backendAddresses(state);
  apply(state, [
    { type: 'node.down', at: 20, nodeId: 'n2' },
    { type: 'task.desired', at: 21, changes: [{ taskId: 'tr1', desiredState: 'shutdown' }] },
  ]);
  const flows = staleFlows(before, backendAddresses(state), state);
  assert.deepEqual(flows, [
    { address: '10.211.1.2', everyFlow: true },
    { address: '10.211.2.2', everyFlow: false },
  ]);
  assert.deepEqual(conntrackDeletes(flows[0]!), [['-D', '--reply-src', '10.211.1.2']]);
  assert.deepEqual(conntrackDeletes(flows[1]!), [
    ['-D', '-p', 'tcp', '--state', 'SYN_SENT', '--reply-src', '10.211.2.2'],
    ['-D', '-p', 'udp', '--reply-src', '10.211.2.2'],
  ]);
});

test('nothing is flushed when the backends did not change, or only grew', () => {
  const state = cluster();
  const before = backendAddresses(state);
  assert.deepEqual(staleFlows(before, backendAddresses(state), state), []);
  runningTask(state, 'tw3', 'app_web', 3, 'n3', { app_default: '10.211.2.3' });
  assert.deepEqual(staleFlows(before, backendAddresses(state), state), []);
});
