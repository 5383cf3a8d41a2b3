import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service, Task } from '@shoal/types';
import { diagnose, measure, progressNote } from '../src/follow.js';

const svc = (extra: Partial<Service> = {}, spec: Partial<Service['spec']> = {}): Service => ({ id: 's1', spec: { name: 'web', image: 'x', replicas: 2, ...spec }, version: 2, createdAt: 0, updatedAt: 0, ...extra });
const t = (slot: number, version: number, state: Task['status']['state'], extra: Partial<Task> = {}): Task => ({
  id: `t${slot}v${version}${state}`, serviceId: 's1', serviceName: 'web', serviceVersion: version, slot, desiredState: 'running',
  status: { state, timestamp: 0, message: state }, spec: { name: 'web' }, createdAt: 0, updatedAt: 0, ...extra,
});

const cases: { name: string; service: Service; tasks: Task[]; kind?: 'deploy' | 'scale' | 'rollback'; expect: { running: number; desired: number; converged: boolean } }[] = [
  { name: 'all new tasks running', service: svc(), tasks: [t(1, 2, 'running'), t(2, 2, 'running')], expect: { running: 2, desired: 2, converged: true } },
  { name: 'one still starting', service: svc(), tasks: [t(1, 2, 'running'), t(2, 2, 'starting')], expect: { running: 1, desired: 2, converged: false } },
  { name: 'an old-version task still running', service: svc(), tasks: [t(1, 2, 'running'), t(2, 2, 'running'), t(3, 1, 'running')], expect: { running: 2, desired: 2, converged: false } },
  { name: 'old-version tasks count for a scale', service: svc(), tasks: [t(1, 1, 'running'), t(2, 2, 'running')], kind: 'scale', expect: { running: 2, desired: 2, converged: true } },
  { name: 'shut-down tasks are ignored', service: svc(), tasks: [t(1, 2, 'running'), t(2, 2, 'running'), t(3, 1, 'shutdown', { desiredState: 'shutdown' })], expect: { running: 2, desired: 2, converged: true } },
  { name: 'update still in progress', service: svc({ updateStatus: { state: 'updating', message: '', startedAt: 0 } }), tasks: [t(1, 2, 'running'), t(2, 2, 'running')], expect: { running: 2, desired: 2, converged: false } },
  { name: 'global: desired is the live task count', service: svc({}, { mode: 'global', replicas: undefined }), tasks: [t(0, 2, 'running'), t(0, 2, 'pending')], expect: { running: 1, desired: 2, converged: false } },
  {
    name: 'a rollback that dropped canaries: the old tasks run the restored spec, under an older version',
    service: svc({ version: 3, updateStatus: { state: 'rollback_completed', message: '', startedAt: 0 } }),
    tasks: [t(1, 1, 'running', { spec: { name: 'web', image: 'x' } }), t(2, 1, 'running', { spec: { name: 'web', image: 'x' } })],
    kind: 'rollback',
    expect: { running: 2, desired: 2, converged: true },
  },
  { name: 'a change that replaces no task (priority)', service: svc({}, { priority: 5 }), tasks: [t(1, 1, 'running', { spec: { name: 'web', image: 'x' } }), t(2, 1, 'running', { spec: { name: 'web', image: 'x' } })], expect: { running: 2, desired: 2, converged: true } },
  { name: 'scaled to zero', service: svc({}, { replicas: 0 }), tasks: [], expect: { running: 0, desired: 0, converged: true } },
];

for (const c of cases) test(`measure: ${c.name}`, () => assert.deepEqual(measure(c.service, c.tasks, c.kind ?? 'deploy'), c.expect));

test('diagnose lists distinct pending reasons and failed task errors of the current version', () => {
  const tasks = [
    t(1, 2, 'pending', { pendingReason: '3 nodes: 2 lacking memory, 1 port 8080 taken' }),
    t(2, 2, 'pending', { pendingReason: '3 nodes: 2 lacking memory, 1 port 8080 taken' }),
    t(3, 2, 'failed', { status: { state: 'failed', timestamp: 0, message: 'x', error: 'exit code 1' } }),
    t(4, 1, 'failed', { status: { state: 'failed', timestamp: 0, message: 'x', error: 'old failure' } }),
  ];
  assert.equal(diagnose(svc(), tasks), 'pending: 3 nodes: 2 lacking memory, 1 port 8080 taken; failed: task t3v2failed: exit code 1');
  assert.equal(diagnose(svc(), []), '');
});

test('progress note: old tasks that still serve during an update are counted, not hidden', () => {
  const tasks = [t(1, 1, 'running'), t(2, 1, 'running'), t(3, 2, 'starting')];
  assert.equal(progressNote(svc({}, { replicas: 3 }), tasks, 'deploy', 0), ' (2 old still running)');
  assert.equal(progressNote(svc({}, { replicas: 3 }), tasks, 'scale', 0), '');
});

test('progress note: a failed task shows its error and restart backoff at once', () => {
  const failed = t(1, 2, 'failed', { restartStreak: 1, status: { state: 'failed', timestamp: 1_000, message: 'x', error: 'exit code 3' } });
  assert.equal(progressNote(svc(), [failed, t(2, 2, 'running')], 'deploy', 3_000), ' (1 failed: exit code 3, restart #2 in 8s)');
});
