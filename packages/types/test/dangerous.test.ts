import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDangerous, ShoalError, type ServiceSpec } from '../src/index.js';

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
