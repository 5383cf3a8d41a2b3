import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceSpec } from '@shoal/types';
import {
  COMMAND_AUTHORITY,
  COMMAND_TYPES,
  ClusterState,
  authorizeCommand,
  checkCommandInput,
  resolveCredential,
  type Authority,
  type Command,
} from '../src/index.js';
import { nodeRegistration } from '@shoal/testkit';

const hash = (c: string) => c.repeat(64);
const node = (id: string): Authority => ({ kind: 'node', nodeId: id });
const op = (role: 'read-only' | 'operator' | 'admin', name = 'ci'): Authority => ({ kind: 'operator', name, role });
const reg = (id: string, name: string) => nodeRegistration(id, { name });

/** Two nodes, a service with one task on each. */
function cluster(): ClusterState {
  const s = new ClusterState();
  let i = 0;
  const apply = (c: Command) => assert.equal(s.apply(c, ++i).ok, true, c.type);
  apply({ type: 'node.register', at: 1, node: reg('n1', 'one') });
  apply({ type: 'node.register', at: 1, node: reg('n2', 'two') });
  apply({ type: 'service.create', at: 1, serviceId: 's1', spec: { name: 'web', image: 'nginx', replicas: 2 } });
  const spec = s.service('s1')!.spec;
  const task = (id: string, nodeId: string) => ({ id, serviceId: 's1', serviceName: 'web', serviceVersion: 1, slot: 1, nodeId, desiredState: 'running' as const, status: { state: 'assigned' as const, timestamp: 1, message: '' }, spec, createdAt: 1, updatedAt: 1 });
  apply({ type: 'task.create', at: 1, tasks: [task('t1', 'n1'), task('t2', 'n2')] });
  return s;
}

const running = { state: 'running' as const, timestamp: 2, message: '' };

test('every command type has an authority', () => {
  for (const t of COMMAND_TYPES) assert.ok(COMMAND_AUTHORITY[t] !== undefined, t);
});

test('a node reports only its own tasks: others are dropped, the rest bound to it', () => {
  const s = cluster();
  const v = authorizeCommand({ type: 'task.status', at: 2, updates: [{ taskId: 't1', status: running, nodeId: 'n2' }, { taskId: 't2', status: running }, { taskId: 'gone', status: running }] }, node('n1'), s);
  assert.ok(v.ok);
  assert.deepEqual(v.cmd.type === 'task.status' && v.cmd.updates.map((u) => [u.taskId, u.nodeId]), [['t1', 'n1'], ['gone', 'n1']]);
  assert.deepEqual(v.dropped.map((d) => d.id), ['t2']);
  const all = authorizeCommand({ type: 'task.status', at: 2, updates: [{ taskId: 't2', status: running }] }, node('n1'), s);
  assert.deepEqual(!all.ok && [all.reason, all.code], ['not_own', 'FORBIDDEN']);
});

test('a node may update only its own registration, without labels, and register only its own token', () => {
  const s = cluster();
  assert.equal(authorizeCommand({ type: 'node.update', at: 2, nodeId: 'n1', addresses: ['/ip4/1.2.3.4/tcp/1'] }, node('n1'), s).ok, true);
  const other = authorizeCommand({ type: 'node.update', at: 2, nodeId: 'n2', addresses: [] }, node('n1'), s);
  assert.equal(!other.ok && other.reason, 'not_own');
  const labels = authorizeCommand({ type: 'node.update', at: 2, nodeId: 'n1', labels: { zone: 'secure' } }, node('n1'), s);
  assert.equal(!labels.ok && labels.reason, 'needs_credential');
  assert.equal(authorizeCommand({ type: 'nodetoken.set', at: 2, nodeId: 'n1', hash: hash('a') }, node('n1'), s).ok, true);
  const theirs = authorizeCommand({ type: 'nodetoken.set', at: 2, nodeId: 'n2', hash: hash('a') }, node('n1'), s);
  assert.equal(!theirs.ok && theirs.reason, 'not_own');
});

test('a node on its own authority cannot change services, the cluster, nodes or tokens', () => {
  const s = cluster();
  const attempts: Command[] = [
    { type: 'cluster.config', at: 2, config: { allowDangerous: true } },
    { type: 'service.create', at: 2, serviceId: 's9', spec: { name: 'root', image: 'busybox', privileged: true } },
    { type: 'service.scale', at: 2, serviceId: 's1', replicas: 0 },
    { type: 'node.availability', at: 2, nodeId: 'n2', availability: 'drain' },
    { type: 'apitoken.create', at: 2, tokenId: 'x', name: 'mine', role: 'admin', hash: hash('b') },
    { type: 'allowlist.remove', at: 2, peerIds: ['n2'] },
    { type: 'token.set', at: 2, hash: 'h' },
  ];
  for (const cmd of attempts) {
    const v = authorizeCommand(cmd, node('n1'), s);
    assert.deepEqual(!v.ok && [v.reason, v.code], ['needs_credential', 'UNAUTHORIZED'], cmd.type);
  }
});

test('the leader\'s own commands are never taken from a peer, whatever its credential', () => {
  const s = cluster();
  const attempts: Command[] = [
    { type: 'task.assign', at: 2, assignments: [{ taskId: 't1', nodeId: 'n2' }] },
    { type: 'node.register', at: 2, node: { ...reg('n3', 'three'), role: 'voter' } },
    { type: 'node.down', at: 2, nodeId: 'n2' },
    { type: 'node.role', at: 2, nodeId: 'n1', role: 'voter' },
    { type: 'task.remove', at: 2, taskIds: ['t1'] },
  ];
  for (const cmd of attempts) for (const who of [node('n1'), op('admin')]) assert.equal((authorizeCommand(cmd, who, s) as { reason?: string }).reason, 'leader_only', cmd.type);
  const status = authorizeCommand({ type: 'task.status', at: 2, updates: [{ taskId: 't1', status: running }] }, op('admin'), s);
  assert.equal(!status.ok && status.reason, 'leader_only');
});

test('operator credentials: the role must cover the command, and `by` is the verified name', () => {
  const s = cluster();
  const scale: Command = { type: 'service.scale', at: 2, by: 'forged-name', serviceId: 's1', replicas: 3 };
  const dangerous: Command = { type: 'cluster.config', at: 2, config: { allowDangerous: true } };
  const v = authorizeCommand(scale, op('operator', 'ci'), s);
  assert.ok(v.ok);
  assert.equal(v.cmd.by, 'ci');
  assert.deepEqual((authorizeCommand(scale, op('read-only'), s) as { reason?: string }).reason, 'role');
  assert.deepEqual((authorizeCommand(dangerous, op('operator'), s) as { reason?: string }).reason, 'role');
  assert.equal(authorizeCommand(dangerous, op('admin'), s).ok, true);
});

test('a node\'s own commands lose any claimed `by`, so a member cannot forge audit entries', () => {
  const s = cluster();
  const v = authorizeCommand({ type: 'nodetoken.set', at: 2, by: 'admin', nodeId: 'n1', hash: hash('a') }, node('n1'), s);
  assert.ok(v.ok);
  assert.equal(v.cmd.by, undefined);
});

test('credentials resolve against the replicated state: API tokens by role, node tokens only for voters', () => {
  const s = cluster();
  let i = 100;
  s.apply({ type: 'apitoken.create', at: 3, tokenId: 'k1', name: 'deployer', role: 'operator', hash: hash('c') }, ++i);
  s.apply({ type: 'nodetoken.set', at: 3, nodeId: 'n1', hash: hash('d') }, ++i);
  s.apply({ type: 'nodetoken.set', at: 3, nodeId: 'n2', hash: hash('e') }, ++i);
  assert.deepEqual(resolveCredential(s, hash('c'), ['n1']), { ok: true, authority: { kind: 'operator', name: 'deployer', role: 'operator' } });
  assert.deepEqual(resolveCredential(s, hash('d'), ['n1']), { ok: true, authority: { kind: 'operator', name: 'node:one', role: 'admin' } });
  const learner = resolveCredential(s, hash('e'), ['n1']);
  assert.ok(!learner.ok && learner.code === 'FORBIDDEN' && /learner/.test(learner.message));
  const unknown = resolveCredential(s, hash('f'), ['n1']);
  assert.ok(!unknown.ok && unknown.code === 'UNAUTHORIZED');
  s.apply({ type: 'apitoken.revoke', at: 4, tokenId: 'deployer' }, ++i);
  assert.equal(resolveCredential(s, hash('c'), ['n1']).ok, false);
});

test('a node token hash another node or an API token already uses is refused; removal forgets it', () => {
  const s = cluster();
  let i = 100;
  assert.equal(s.apply({ type: 'nodetoken.set', at: 3, nodeId: 'n1', hash: hash('a') }, ++i).ok, true);
  const copy = s.apply({ type: 'nodetoken.set', at: 3, nodeId: 'n2', hash: hash('a') }, ++i);
  assert.equal(!copy.ok && copy.error.code, 'CONFLICT');
  assert.equal(s.nodeByTokenHash(hash('a')), 'n1');
  s.apply({ type: 'apitoken.create', at: 3, tokenId: 'k1', name: 'ui', role: 'read-only', hash: hash('b') }, ++i);
  assert.equal(s.apply({ type: 'nodetoken.set', at: 3, nodeId: 'n2', hash: hash('b') }, ++i).ok, false);
  assert.equal(s.apply({ type: 'nodetoken.set', at: 3, nodeId: 'n1', hash: hash('c') }, ++i).ok, true, 'a node may change its own');
  assert.equal(s.nodeByTokenHash(hash('a')), undefined);
  const r = ClusterState.restore(s.snapshot());
  assert.equal(r.nodeByTokenHash(hash('c')), 'n1');
  s.apply({ type: 'node.remove', at: 4, nodeId: 'n1' }, ++i);
  assert.equal(s.nodeByTokenHash(hash('c')), undefined);
});

test('the API\'s input checks run again for forwarded writes: specs, host access, init-only settings', () => {
  const s = cluster();
  const cfg = s.config();
  const spec = (extra: Partial<ServiceSpec>): ServiceSpec => ({ name: 'x', image: 'busybox', ...extra });
  assert.throws(() => checkCommandInput({ type: 'service.create', at: 1, serviceId: 's', spec: spec({ privileged: true }) }, cfg), { code: 'DANGEROUS_SPEC', message: /shoal cluster update --allow-dangerous/ });
  assert.throws(() => checkCommandInput({ type: 'service.update', at: 1, serviceId: 's', spec: spec({ mounts: [{ type: 'bind', source: '/tmp/../', target: '/h' }] }) }, cfg), { code: 'DANGEROUS_SPEC' });
  assert.throws(() => checkCommandInput({ type: 'service.create', at: 1, serviceId: 's', spec: spec({ image: 'busy box' }) }, cfg), { code: 'INVALID_SPEC' });
  checkCommandInput({ type: 'service.create', at: 1, serviceId: 's', spec: spec({ privileged: true }) }, { ...cfg, allowDangerous: true });
  checkCommandInput({ type: 'cluster.config', at: 1, config: { allowDangerous: true } }, cfg);
  assert.throws(() => checkCommandInput({ type: 'cluster.config', at: 1, config: { clusterId: 'mine' } }, cfg), { code: 'BAD_CONFIG' });
});
