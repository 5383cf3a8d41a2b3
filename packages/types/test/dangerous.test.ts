import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDangerous, normaliseHostPath, ShoalError, type ServiceSpec } from '../src/index.js';

const base: ServiceSpec = { name: 'a', image: 'x' };
const dangerous: [string, Partial<ServiceSpec>][] = [
  ['privileged', { privileged: true }],
  ['host network', { networkMode: 'host' }],
  ['host pid', { pidMode: 'host' }],
  ['capAdd', { capAdd: ['NET_ADMIN'] }],
  ['devices', { devices: ['/dev/fuse'] }],
  ['docker.sock', { mounts: [{ type: 'bind', source: '/var/run/docker.sock', target: '/s' }] }],
  ['root bind', { mounts: [{ type: 'bind', source: '//', target: '/host' }] }],
];

for (const [name, extra] of dangerous) {
  test(`dangerous: ${name} is refused unless allowed`, () => {
    const spec = { ...base, ...extra };
    assert.throws(() => checkDangerous(spec, { allowDangerous: false }), (e: unknown) => e instanceof ShoalError && e.code === 'DANGEROUS_SPEC');
    assert.doesNotThrow(() => checkDangerous(spec, { allowDangerous: true }));
  });
}

test('safe specs pass', () => {
  assert.doesNotThrow(() =>
    checkDangerous({ ...base, networkMode: 'bridge', capAdd: [], mounts: [{ type: 'bind', source: '/srv/data', target: '/d' }, { type: 'volume', source: 'v', target: '/v' }] }, { allowDangerous: false }),
  );
});

// Issue 13: `..` and `.` were not resolved (`/tmp/../` bound `/`) and only `/` and the socket were matched.
const bypasses = ['/tmp/../', '/tmp/..', '/./', '/srv/../etc', '/var/run', '/run', '/proc', '/proc/1/root', '/dev', '/etc', '/etc/shadow', '/sys/fs/cgroup',
  '/var', '/var/lib', '/var/lib/docker', '/root/.ssh', '/run/containerd/containerd.sock', '/srv/x/docker.sock', '//var//run/', '/usr/bin', '/var/lib/shoal'];
for (const source of bypasses) {
  test(`dangerous: a bind mount of ${source} is refused unless allowed`, () => {
    const spec: ServiceSpec = { ...base, mounts: [{ type: 'bind', source, target: '/h' }] };
    assert.throws(() => checkDangerous(spec, { allowDangerous: false }), (e: unknown) => e instanceof ShoalError && e.code === 'DANGEROUS_SPEC' && /bind mount of \//.test(e.message));
    assert.doesNotThrow(() => checkDangerous(spec, { allowDangerous: true }));
  });
}

test('ordinary data paths stay allowed after normalising', () => {
  for (const source of ['/srv/data', '/tmp/x', '/mnt/disk/./a', '/data/../srv/www', '/opt/app', '/variable', '/runner']) {
    assert.doesNotThrow(() => checkDangerous({ ...base, mounts: [{ type: 'bind', source, target: '/d' }] }, { allowDangerous: false }), source);
  }
  assert.equal(normaliseHostPath('/tmp/../a/./b//c/..'), '/a/b');
  assert.equal(normaliseHostPath('/../..'), '/');
});
