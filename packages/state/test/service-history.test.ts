import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterState, specChanges, type Command, type CommandResult } from '../src/index.js';
import { applyAll, webSpec } from './fixtures.js';

const at = (n: number) => 1_000 * n;

function withVersions(n: number, extra: Partial<typeof webSpec> = {}): ClusterState {
  const s = new ClusterState();
  const cmds: Command[] = [{ type: 'service.create', at: at(1), by: 'alice', serviceId: 's1', spec: { ...webSpec, ...extra } }];
  for (let i = 2; i <= n; i++) cmds.push({ type: 'service.update', at: at(i), by: 'bob', serviceId: 's1', spec: { ...webSpec, ...extra, image: `nginx:${i}` } });
  applyAll(s, cmds);
  return s;
}

test('every version is kept with when, by whom and what made it', () => {
  const s = withVersions(3);
  applyAll(s, [{ type: 'service.scale', at: at(4), serviceId: 's1', replicas: 5 }]);
  const h = s.serviceHistory('web');
  assert.deepEqual(
    h.map((v) => [v.version, v.at, v.by, v.change, v.spec.image, v.spec.replicas]),
    [
      [1, at(1), 'alice', 'created', 'nginx', 2],
      [2, at(2), 'bob', 'updated', 'nginx:2', 2],
      [3, at(3), 'bob', 'updated', 'nginx:3', 2],
      [4, at(4), undefined, 'scaled to 5', 'nginx:3', 5],
    ],
  );
});

test('history is bounded by the spec historyLimit (default 10), oldest dropped first', () => {
  assert.deepEqual(withVersions(12).serviceHistory('s1').map((v) => v.version), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual(withVersions(6, { historyLimit: 3 }).serviceHistory('s1').map((v) => v.version), [4, 5, 6]);
});

test('rollback --to restores a kept version as a new version, through a rolling rollback', () => {
  const s = withVersions(4);
  const [r] = applyAll(s, [{ type: 'service.rollback', at: at(5), by: 'carol', serviceId: 's1', toVersion: 2 }]) as CommandResult[];
  assert.equal(r.ok, true);
  const svc = s.service('web')!;
  assert.equal(svc.version, 5);
  assert.equal(svc.spec.image, 'nginx:2');
  assert.equal(svc.previousSpec?.image, 'nginx:4');
  assert.equal(svc.updateStatus?.state, 'rollback_started');
  const last = s.serviceHistory('web').at(-1)!;
  assert.deepEqual([last.version, last.by, last.change, last.spec.image], [5, 'carol', 'rolled back to version 2', 'nginx:2']);
});

test('rollback --to a version no longer kept is refused and changes nothing', () => {
  const s = withVersions(5, { historyLimit: 2 });
  const [r] = applyAll(s, [{ type: 'service.rollback', at: at(6), serviceId: 's1', toVersion: 2 }]) as CommandResult[];
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.code, 'NOT_FOUND');
    assert.match(r.error.message, /kept: 4, 5/);
  }
  assert.equal(s.service('web')!.version, 5);
});

test('rollback --to the current version is refused', () => {
  const s = withVersions(2);
  const [r] = applyAll(s, [{ type: 'service.rollback', at: at(3), serviceId: 's1', toVersion: 2 }]) as CommandResult[];
  assert.equal(r.ok, false);
});

test('rollback --to a version that differs only in replicas replaces no task (no rolling rollback)', () => {
  const s = new ClusterState();
  applyAll(s, [
    { type: 'service.create', at: at(1), serviceId: 's1', spec: webSpec },
    { type: 'service.scale', at: at(2), serviceId: 's1', replicas: 7 },
    { type: 'service.rollback', at: at(3), serviceId: 's1', toVersion: 1 },
  ]);
  const svc = s.service('web')!;
  assert.deepEqual([svc.version, svc.spec.replicas, svc.updateStatus], [3, 2, undefined]);
});

test('history survives a snapshot and goes with the service', () => {
  const s = withVersions(3);
  const restored = ClusterState.restore(s.snapshot());
  assert.deepEqual(restored.serviceHistory('web'), s.serviceHistory('web'));
  applyAll(restored, [{ type: 'service.remove', at: at(9), serviceId: 's1' }]);
  assert.deepEqual(restored.serviceHistory('s1'), []);
});

test('specChanges lists changed fields by dotted path', () => {
  const changes = specChanges(
    { name: 'web', image: 'a', env: { A: '1', B: '2' }, update: { parallelism: 1 } },
    { name: 'web', image: 'b', env: { A: '1', C: '3' }, update: { parallelism: 2 }, ports: [{ published: 80, target: 80 }] },
  );
  assert.deepEqual(changes, [
    { path: 'env.B', from: '2', to: null },
    { path: 'env.C', from: null, to: '3' },
    { path: 'image', from: 'a', to: 'b' },
    { path: 'ports', from: null, to: [{ published: 80, target: 80 }] },
    { path: 'update.parallelism', from: 1, to: 2 },
  ]);
});
