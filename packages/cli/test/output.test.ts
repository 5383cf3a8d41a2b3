import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeInfo, Service, Task } from '@shoal/types';
import { ago, servicesTable, table, tasksTable, nodesTable } from '../src/output.js';
import { planText } from '../src/commands/service.js';
import { statusText } from '../src/commands/cluster.js';

const NOW = 1_700_000_100_000;
const service = (name: string, extra: Partial<Service['spec']> = {}): Service => ({ id: `svc-${name}-0123456789`, spec: { name, image: 'nginx:1', replicas: 3, ...extra }, version: 1, createdAt: 0, updatedAt: 0 });
const task = (svc: Service, slot: number, state: Task['status']['state'], nodeId?: string, extra: Partial<Task> = {}): Task => ({
  id: `task-${svc.spec.name}-${slot}-abcdef`,
  serviceId: svc.id,
  serviceName: svc.spec.name,
  serviceVersion: 1,
  slot,
  nodeId,
  desiredState: 'running',
  status: { state, timestamp: NOW - 90_000, message: '' },
  spec: svc.spec,
  createdAt: 0,
  updatedAt: 0,
  ...extra,
});

test('table pads columns to the widest cell and trims line ends', () => {
  assert.equal(table(['A', 'LONG'], [['xyz', 1], ['', 'v']]), 'A    LONG\nxyz  1\n     v');
});

test('services table: replicas running/desired, ports, exec command', () => {
  const web = service('web', { ports: [{ published: 8080, target: 80 }, { published: 53, target: 53, protocol: 'udp' }] });
  const job = service('job', { image: undefined, driver: 'exec', command: ['sleep', '100'], mode: 'global', replicas: undefined });
  const tasks = [task(web, 1, 'running', 'n1'), task(web, 2, 'running', 'n2'), task(web, 3, 'pending'), task(job, 0, 'running', 'n1')];
  assert.equal(
    servicesTable([web, job], tasks),
    [
      'ID            NAME  MODE        REPLICAS      IMAGE             PORTS',
      'svc-web-0123  web   replicated  2/3           nginx:1           *:8080->80/tcp, *:53->53/udp',
      'svc-job-0123  job   global      1/1 (global)  sleep 100 (exec)',
    ].join('\n'),
  );
});

test('tasks table: name.slot, node names, age, pending reason and errors', () => {
  const web = service('web');
  const nodes = [{ id: 'n1', name: 'node-1' }, { id: 'n2', name: 'node-2' }] as NodeInfo[];
  const tasks = [
    task(web, 2, 'pending', undefined, { pendingReason: '2 nodes: 2 lacking memory' }),
    task(web, 1, 'running', 'n1'),
    task(web, 3, 'failed', 'n2', { restartStreak: 2, status: { state: 'failed', timestamp: NOW - 5000, message: 'x', error: 'image not found' } }),
  ];
  assert.equal(
    tasksTable(tasks, nodes, NOW),
    [
      'ID            NAME   IMAGE    NODE    DESIRED  CURRENT            ERROR',
      'task-web-1-a  web.1  nginx:1  node-1  running  running 1m30s ago',
      'task-web-2-a  web.2  nginx:1          running  pending 1m30s ago  2 nodes: 2 lacking memory',
      'task-web-3-a  web.3  nginx:1  node-2  running  failed 5s ago      image not found; restart #3 in 15s',
    ].join('\n'),
  );
});

test('nodes table marks the leader', () => {
  const node = (id: string, name: string): NodeInfo => ({
    id, name, addresses: [], labels: { zone: 'a' }, resources: { cpuMillis: 2000, memoryBytes: 4 * 1024 ** 3 }, drivers: ['exec'],
    platform: { os: 'linux', arch: 'x64' }, availability: 'active', status: 'ready', role: 'voter', version: '0.1.0', createdAt: 0, updatedAt: 0,
  });
  const out = nodesTable([node('p1', 'a'), node('p2', 'b')], 'p2').split('\n');
  assert.equal(out[0], 'ID  NAME  STATUS  AVAILABILITY  ROLE    RESOURCES    LABELS');
  assert.equal(out[2], 'p2  b     ready   active        leader  2 cpu, 4GiB  zone=a');
});

test('ago keeps the two largest units', () => {
  assert.equal(ago(NOW - 500, NOW), 'just now');
  assert.equal(ago(NOW - 3_723_000, NOW), '1h2m ago');
  assert.equal(ago(NOW - 12_000, NOW), '12s ago');
});

test('a dry-run plan reads as a diff', () => {
  const text = planText({ service: 'web', currentVersion: 2, nextVersion: 3, changes: [{ path: 'image', from: 'nginx:1', to: 'nginx:2' }, { path: 'env', from: undefined, to: { A: '1' } }], replace: 3, create: 0, remove: 0, notes: ['parallelism 1'] });
  assert.equal(text, ['web: version 2 -> 3 (dry run, nothing changed)', '  image: "nginx:1" -> "nginx:2"', '  env: (unset) -> {"A":"1"}', '  tasks: 3 replaced, 0 created, 0 removed', '  parallelism 1'].join('\n'));
});

test('cluster status shows leader, indexes and members; warns without quorum', () => {
  const member = (id: string, healthy: boolean) => ({ id, name: id, role: 'voter' as const, status: healthy ? ('ready' as const) : ('down' as const), healthy, matchIndex: 10 });
  const text = statusText({ clusterId: 'c1', leader: { id: 'a', name: 'a' }, term: 4, commitIndex: 10, appliedIndex: 9, hasQuorum: false, voters: [member('a', true), member('b', false)], learners: [], self: { id: 'a', name: 'a', role: 'voter', isLeader: true } });
  assert.match(text, /^leader: {3}a \(a\) {2}NO QUORUM/m);
  assert.match(text, /^commit: {3}10 {3}applied: 9$/m);
  assert.match(text, /^a +a +leader +ready +healthy +10$/m);
  assert.match(text, /^b +b +voter +down +unhealthy +10$/m);
});
