import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceSpec } from '@shoal/types';
import { applyFileFlags, parseFileRef, parseMount, registryOf, registrySecretName } from '../src/file-flags.js';

test('--secret in Docker syntax', () => {
  assert.deepEqual(parseFileRef('pw', '--secret'), { source: 'pw' });
  assert.deepEqual(parseFileRef('source=pw,target=/run/secrets/x,uid=999,gid=999,mode=0440', '--secret'), { source: 'pw', target: '/run/secrets/x', uid: '999', gid: '999', mode: 0o440 });
  assert.throws(() => parseFileRef('target=x', '--secret'), /has no source/);
  assert.throws(() => parseFileRef('source=a,mode=999', '--secret'), /must be octal/);
  assert.throws(() => parseFileRef('source=a,colour=red', '--secret'), /unknown key "colour"/);
});

test('--secret-rm old --secret-add new rewrites the list; removing one the service lacks is an error', () => {
  const spec: ServiceSpec = { name: 'db', image: 'redis', secrets: [{ source: 'old', target: 'pw' }, { source: 'keep' }] };
  applyFileFlags(spec, { secretRm: ['old'], secretAdd: ['source=new,target=pw'] });
  assert.deepEqual(spec.secrets, [{ source: 'keep' }, { source: 'new', target: 'pw' }]);
  assert.throws(() => applyFileFlags(spec, { secretRm: ['missing'] }), /does not use missing/);
  applyFileFlags(spec, { secretRm: ['keep', 'new'] });
  assert.equal(spec.secrets, undefined);
});

test('--mount, --volume-policy and --with-registry-auth', () => {
  assert.deepEqual(parseMount('type=volume,source=data,target=/data'), { type: 'volume', source: 'data', target: '/data' });
  assert.deepEqual(parseMount('type=bind,src=/srv,dst=/srv,readonly'), { type: 'bind', source: '/srv', target: '/srv', readOnly: true });
  const spec: ServiceSpec = { name: 'a', image: 'registry.local:5000/team/app:1' };
  applyFileFlags(spec, { volumePolicy: 'move', withRegistryAuth: true });
  assert.deepEqual([spec.volumePolicy, spec.registryAuth], ['move', 'registry-registry.local-5000']);
  assert.equal(registryOf('nginx:1'), 'docker.io');
  assert.equal(registrySecretName('localhost:5000'), 'registry-localhost-5000');
  assert.throws(() => applyFileFlags(spec, { volumePolicy: 'later' }), /must be wait or move/);
});
