import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterState, type Command, type CommandResult } from '../src/index.js';
import { reg, task, webSpec, applyAll } from './fixtures.js';

type Case = { name: string; setup: Command[]; cmd: Command; ok: boolean; code?: string; check?: (s: ClusterState, r: CommandResult) => void };

const base: Command[] = [
  { type: 'node.register', at: 1, node: reg('n1') },
  { type: 'node.register', at: 1, node: reg('n2') },
  { type: 'service.create', at: 2, serviceId: 's1', spec: webSpec },
];

const cases: Case[] = [
  { name: 'register sets ready/active/learner', setup: [], cmd: { type: 'node.register', at: 5, node: reg('n9') }, ok: true, check: (s) => {
    const n = s.node('n9')!;
    assert.deepEqual([n.status, n.availability, n.role, n.createdAt], ['ready', 'active', 'learner', 5]);
    assert.equal(s.nodeByName('host-n9')?.id, 'n9');
  } },
  { name: 're-register keeps availability and createdAt', setup: [...base, { type: 'node.availability', at: 3, nodeId: 'n1', availability: 'drain' }, { type: 'node.down', at: 4, nodeId: 'n1' }], cmd: { type: 'node.register', at: 9, node: reg('n1', { labels: { a: 'b' } }) }, ok: true, check: (s) => {
    const n = s.node('n1')!;
    assert.deepEqual([n.status, n.availability, n.createdAt, n.labels.a], ['ready', 'drain', 1, 'b']);
  } },
  { name: 'register with a taken name conflicts', setup: base, cmd: { type: 'node.register', at: 3, node: reg('n3', { name: 'host-n1' }) }, ok: false, code: 'CONFLICT' },
  { name: 'node.update changes labels only', setup: base, cmd: { type: 'node.update', at: 3, nodeId: 'n1', labels: { zone: 'eu' } }, ok: true, check: (s) => {
    assert.equal(s.node('n1')!.labels.zone, 'eu');
    assert.equal(s.node('n1')!.resources.cpuMillis, 4000);
  } },
  { name: 'node.down then up', setup: [...base, { type: 'node.down', at: 3, nodeId: 'n1', message: 'lost' }], cmd: { type: 'node.up', at: 4, nodeId: 'n1' }, ok: true, check: (s) => {
    assert.equal(s.node('n1')!.status, 'ready');
    assert.equal(s.node('n1')!.statusMessage, undefined);
  } },
  { name: 'node.role', setup: base, cmd: { type: 'node.role', at: 3, nodeId: 'n2', role: 'voter' }, ok: true, check: (s) => assert.equal(s.node('n2')!.role, 'voter') },
  { name: 'unknown node', setup: base, cmd: { type: 'node.down', at: 3, nodeId: 'zz' }, ok: false, code: 'NOT_FOUND' },
  { name: 'node.remove revokes the id forever', setup: [...base, { type: 'allowlist.add', at: 2, peerIds: ['n1'] }], cmd: { type: 'node.remove', at: 3, nodeId: 'n1' }, ok: true, check: (s) => {
    assert.equal(s.node('n1'), undefined);
    assert.deepEqual(s.revoked(), ['n1']);
    assert.deepEqual(s.allowlist(), []);
    assert.equal((s.apply({ type: 'node.register', at: 4, node: reg('n1') }, s.lastApplied + 1) as { ok: boolean }).ok, false);
    const r = s.apply({ type: 'allowlist.add', at: 4, peerIds: ['n1'] }, s.lastApplied + 1);
    assert.equal(r.ok, false);
  } },
  { name: 'service.create twice by name conflicts', setup: base, cmd: { type: 'service.create', at: 3, serviceId: 's2', spec: webSpec }, ok: false, code: 'CONFLICT' },
  { name: 'service.update keeps previousSpec, bumps version, starts an update', setup: base, cmd: { type: 'service.update', at: 7, serviceId: 'web', spec: { ...webSpec, image: 'nginx:2' } }, ok: true, check: (s) => {
    const svc = s.service('s1')!;
    assert.equal(svc.version, 2);
    assert.equal(svc.previousSpec!.image, 'nginx');
    assert.deepEqual(svc.updateStatus, { state: 'updating', message: 'update in progress', startedAt: 7 });
  } },
  { name: 'service.update of replicas only starts no rolling update', setup: base, cmd: { type: 'service.update', at: 7, serviceId: 's1', spec: { ...webSpec, replicas: 5 } }, ok: true, check: (s) => assert.equal(s.service('s1')!.updateStatus, undefined) },
  { name: 'service.update with a stale version conflicts', setup: base, cmd: { type: 'service.update', at: 7, serviceId: 's1', spec: webSpec, expectVersion: 4 }, ok: false, code: 'CONFLICT' },
  { name: 'service.update cannot change mode', setup: base, cmd: { type: 'service.update', at: 7, serviceId: 's1', spec: { name: 'web', image: 'x', mode: 'global' } }, ok: false, code: 'CONFLICT' },
  { name: 'service.scale', setup: base, cmd: { type: 'service.scale', at: 7, serviceId: 's1', replicas: 9 }, ok: true, check: (s) => {
    assert.equal(s.service('s1')!.spec.replicas, 9);
    assert.equal(s.service('s1')!.version, 2);
  } },
  { name: 'service.scale of a global service fails', setup: [{ type: 'service.create', at: 1, serviceId: 'g', spec: { name: 'g', image: 'x', mode: 'global' } }], cmd: { type: 'service.scale', at: 2, serviceId: 'g', replicas: 2 }, ok: false, code: 'CONFLICT' },
  { name: 'service.rollback swaps specs', setup: [...base, { type: 'service.update', at: 3, serviceId: 's1', spec: { ...webSpec, image: 'v2' } }], cmd: { type: 'service.rollback', at: 4, serviceId: 's1', reason: 'bad' }, ok: true, check: (s) => {
    const svc = s.service('s1')!;
    assert.deepEqual([svc.spec.image, svc.previousSpec!.image, svc.version, svc.updateStatus!.state, svc.updateStatus!.message], ['nginx', 'v2', 3, 'rollback_started', 'bad']);
  } },
  { name: 'service.rollback without a previous spec', setup: base, cmd: { type: 'service.rollback', at: 4, serviceId: 's1' }, ok: false, code: 'CONFLICT' },
  { name: 'service.remove asks every task to go', setup: [...base, { type: 'task.create', at: 3, tasks: [task('t1', 's1', 1)] }], cmd: { type: 'service.remove', at: 4, serviceId: 'web' }, ok: true, check: (s) => {
    assert.equal(s.service('s1'), undefined);
    assert.equal(s.task('t1')!.desiredState, 'remove');
  } },
  { name: 'service.updateStatus with expectVersion', setup: base, cmd: { type: 'service.updateStatus', at: 4, serviceId: 's1', expectVersion: 1, status: { state: 'completed', message: 'done', startedAt: 1, completedAt: 4 } }, ok: true, check: (s) => assert.equal(s.service('s1')!.updateStatus!.state, 'completed') },
  { name: 'task.create skips duplicates and unknown services', setup: [...base, { type: 'task.create', at: 3, tasks: [task('t1', 's1', 1)] }], cmd: { type: 'task.create', at: 4, tasks: [task('t1', 's1', 1), task('t2', 'nope', 1), task('t3', 's1', 2)] }, ok: true, check: (s, r) => {
    assert.equal((r as { applied: number }).applied, 1);
    assert.equal((r as { skipped: unknown[] }).skipped.length, 2);
    assert.deepEqual(s.tasksByService('s1').map((t) => t.id), ['t1', 't3']);
  } },
  { name: 'task.assign places and records pending reasons', setup: [...base, { type: 'node.availability', at: 3, nodeId: 'n2', availability: 'drain' }, { type: 'task.create', at: 3, tasks: [task('t1', 's1', 1), task('t2', 's1', 2), task('t3', 's1', 3)] }], cmd: { type: 'task.assign', at: 4, assignments: [{ taskId: 't1', nodeId: 'n1' }, { taskId: 't2', nodeId: 'n2' }], pending: [{ taskId: 't3', reason: 'no memory' }] }, ok: true, check: (s, r) => {
    assert.equal(s.task('t1')!.status.state, 'assigned');
    assert.deepEqual(s.tasksByNode('n1').map((t) => t.id), ['t1']);
    assert.equal(s.task('t2')!.nodeId, undefined, 'a drained node takes no task');
    assert.equal(s.task('t3')!.status.state, 'pending');
    assert.equal(s.task('t3')!.pendingReason, 'no memory');
    assert.equal((r as { skipped: unknown[] }).skipped.length, 1);
  } },
  { name: 'task.remove', setup: [...base, { type: 'task.create', at: 3, tasks: [task('t1', 's1', 1, { nodeId: 'n1', status: { state: 'assigned', timestamp: 3, message: '' } })] }], cmd: { type: 'task.remove', at: 4, taskIds: ['t1'] }, ok: true, check: (s) => {
    assert.equal(s.task('t1'), undefined);
    assert.deepEqual(s.tasksByNode('n1'), []);
    assert.deepEqual(s.tasksByService('s1'), []);
  } },
  { name: 'cluster.config merges', setup: [], cmd: { type: 'cluster.config', at: 1, config: { clusterId: 'c1', taskHistory: 2 } }, ok: true, check: (s) => {
    assert.deepEqual([s.config().clusterId, s.config().taskHistory, s.config().voters], ['c1', 2, 3]);
  } },
  { name: 'cluster.config rejects an even voter count', setup: [], cmd: { type: 'cluster.config', at: 1, config: { voters: 4 } }, ok: false, code: 'BAD_CONFIG' },
  { name: 'token.set', setup: [], cmd: { type: 'token.set', at: 1, hash: 'abc' }, ok: true, check: (s) => assert.equal(s.joinTokenHash(), 'abc') },
  { name: 'allowlist add/remove', setup: [{ type: 'allowlist.add', at: 1, peerIds: ['p1', 'p2'] }], cmd: { type: 'allowlist.remove', at: 2, peerIds: ['p1'] }, ok: true, check: (s) => {
    assert.deepEqual(s.allowlist(), ['p2']);
    assert.deepEqual(s.revoked(), ['p1']);
  } },
];

for (const c of cases) {
  test(`apply: ${c.name}`, () => {
    const s = new ClusterState();
    for (const r of applyAll(s, c.setup)) assert.equal((r as CommandResult).ok, true, JSON.stringify(r));
    const r = s.apply(c.cmd, s.lastApplied + 1);
    assert.equal(r.ok, c.ok, JSON.stringify(r));
    if (!r.ok && c.code) assert.equal(r.error.code, c.code);
    c.check?.(s, r);
  });
}

test('an already-applied index is refused and changes nothing', () => {
  const s = new ClusterState();
  s.apply({ type: 'node.register', at: 1, node: reg('n1') }, 5);
  const r = s.apply({ type: 'node.remove', at: 2, nodeId: 'n1' }, 5);
  assert.equal(r.ok, false);
  assert.ok(s.node('n1'));
  assert.equal(s.lastApplied, 5);
});

test('a command that is not one never throws', () => {
  const s = new ClusterState();
  const r = s.apply({ type: 'bogus', at: 1 } as unknown as Command, 1);
  assert.equal(r.ok, false);
  const r2 = s.apply({ type: 'task.create', at: 1 } as unknown as Command, 2);
  assert.equal(r2.ok, false);
  assert.equal(s.lastApplied, 2);
});

test('onChange sees every applied command until unsubscribed', () => {
  const s = new ClusterState();
  const seen: [string, number, boolean][] = [];
  const off = s.onChange((cmd, i, r) => seen.push([cmd.type, i, r.ok]));
  s.apply({ type: 'node.register', at: 1, node: reg('n1') }, 1);
  s.apply({ type: 'node.down', at: 1, nodeId: 'zz' }, 2);
  off();
  s.apply({ type: 'node.up', at: 1, nodeId: 'n1' }, 3);
  assert.deepEqual(seen, [['node.register', 1, true], ['node.down', 2, false]]);
});
