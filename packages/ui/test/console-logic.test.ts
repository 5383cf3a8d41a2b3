/** The console's pure readings of the cluster, without a browser. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterStatus } from '@shoal/api';
import type { NodeInfo, Service, Task } from '@shoal/types';
import { commandText, commandWords } from '../web/src/command-words.js';
import { nodeLiveness, pendingTasks, reservedOn, runningReplicas, updateProgress } from '../web/src/cluster-view.js';
import { eventConcerns } from '../web/src/event-filter.js';

function node(id: string, name: string, status: NodeInfo['status'] = 'ready'): NodeInfo {
  return {
    id, name, status, addresses: [], labels: {}, resources: { cpuMillis: 2000, memoryBytes: 4 << 30 }, drivers: ['exec'],
    platform: { os: 'linux', arch: 'x64' }, availability: 'active', role: 'voter', version: '0.1.0', createdAt: 0, updatedAt: 0,
  };
}

function service(name: string, version = 1, replicas = 2): Service {
  return { id: `s-${name}`, spec: { name, driver: 'exec', command: ['sleep', '1'], replicas }, version, createdAt: 0, updatedAt: 0 };
}

function task(id: string, svc: Service, nodeId: string | undefined, state: Task['status']['state'], extra: Partial<Task> = {}): Task {
  return {
    id, serviceId: svc.id, serviceName: svc.spec.name, serviceVersion: svc.version, slot: 1, nodeId, desiredState: 'running',
    status: { state, timestamp: 0, message: '' }, spec: svc.spec, createdAt: 0, updatedAt: 0, ...extra,
  };
}

function status(unhealthy: string[]): ClusterStatus {
  const member = (id: string) => ({ id, name: id, role: 'voter' as const, status: 'ready' as const, healthy: !unhealthy.includes(id) });
  return {
    clusterId: 'c', leader: { id: 'n1', name: 'node1' }, term: 1, commitIndex: 1, appliedIndex: 1, hasQuorum: true,
    voters: ['n1', 'n2', 'n3'].map(member), learners: [], self: { id: 'n1', name: 'node1', role: 'voter', isLeader: true },
  };
}

test('a typed command splits into argv like a shell for words and quotes, and prints back the same', () => {
  const argv = commandWords(`sh -c "while true; do echo 'hi'; done"  x ''`);
  assert.deepEqual(argv, ['sh', '-c', "while true; do echo 'hi'; done", 'x', '']);
  assert.deepEqual(commandWords(commandText(argv)), argv);
  assert.deepEqual(commandWords('  '), []);
});

test('a node is suspect while registered ready but unreachable for the leader, down once declared', () => {
  assert.equal(nodeLiveness(node('n2', 'node2'), status([])), 'ready');
  assert.equal(nodeLiveness(node('n2', 'node2'), status(['n2'])), 'suspect');
  assert.equal(nodeLiveness(node('n2', 'node2', 'down'), status(['n2'])), 'down');
  assert.equal(nodeLiveness(node('n4', 'node4'), null), 'ready');
});

test('reservations, running replicas, pending tasks and update progress count only live tasks', () => {
  const web = service('web', 2);
  const reserved = { ...web.spec, resources: { reservations: { cpus: 0.5, memoryBytes: 1 << 20 } } };
  const tasks = [
    task('t1', web, 'n1', 'running', { spec: reserved }),
    task('t2', web, 'n1', 'running', { spec: reserved, serviceVersion: 1 }),
    task('t3', web, 'n1', 'failed', { spec: reserved }),
    task('t4', web, undefined, 'pending', { pendingReason: 'no suitable node' }),
    task('t5', web, 'n1', 'running', { desiredState: 'shutdown', spec: reserved }),
  ];
  assert.deepEqual(reservedOn(tasks, 'n1'), { cpus: 1, memoryBytes: 2 << 20 });
  assert.equal(runningReplicas(tasks, web), 2);
  assert.deepEqual(pendingTasks(tasks).map((t) => t.id), ['t4']);
  assert.deepEqual(updateProgress(tasks, web, 2), { done: 1, of: 2 });
});

test('events are filtered by service and node, task events through the tasks they name', () => {
  const web = service('web');
  const known = { nodes: [node('n1', 'node1'), node('n3', 'node3')], services: [web, service('web-api')], tasks: [task('tabcdef123456', web, 'n3', 'running')] };
  const ev = (type: string, subject: string, summary: string) => ({ index: 1, type, at: 0, subject, summary });
  const down = ev('node.down', 'node3', 'node node3 is down: no heartbeat');
  const state = ev('task.status', 'tabcdef123456', 'tabcdef12 running');
  const other = ev('service.scale', 'web-api', 'service web-api scaled to 3');
  assert.equal(eventConcerns(down, known, '', 'node3'), true);
  assert.equal(eventConcerns(down, known, '', 'node1'), false);
  assert.equal(eventConcerns(state, known, 'web', ''), true);
  assert.equal(eventConcerns(state, known, '', 'node3'), true);
  assert.equal(eventConcerns(state, known, 'web', 'node1'), false);
  assert.equal(eventConcerns(other, known, 'web', ''), false, 'web-api is not web');
  assert.equal(eventConcerns(other, known, '', ''), true);
});
