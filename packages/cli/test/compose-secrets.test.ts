import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeToSpecs } from '../src/compose/index.js';

const COMPOSE = `
services:
  db:
    image: redis:7
    secrets:
      - db_password
      - source: tls_key
        target: /etc/tls/key.pem
        uid: "999"
        mode: 0400
    configs: [redis_conf]
    volumes:
      - data:/data
      - ./conf:/conf:ro
      - shared:/shared
secrets:
  db_password:
    file: ./db_password.txt
  tls_key:
    external: true
    name: prod_tls_key
configs:
  redis_conf:
    file: /etc/redis.conf
volumes:
  data: {}
  shared:
    external: true
`;

test('Compose secrets, configs and named volumes: stack-scoped names, Docker default targets, relative paths from the file', () => {
  const { specs, warnings, files } = composeToSpecs(COMPOSE, 'app', { dir: '/srv/app', home: '/root' });
  assert.deepEqual(warnings, []);
  assert.deepEqual(files, [
    { kind: 'secret', name: 'app_db_password', file: '/srv/app/db_password.txt' },
    { kind: 'config', name: 'app_redis_conf', file: '/etc/redis.conf' },
  ]);
  const [db] = specs;
  assert.deepEqual(db.secrets, [
    { source: 'app_db_password', target: 'db_password' },
    { source: 'prod_tls_key', target: '/etc/tls/key.pem', uid: '999', mode: 0o400 },
  ]);
  assert.deepEqual(db.configs, [{ source: 'app_redis_conf', target: '/redis_conf' }]);
  assert.deepEqual(db.mounts, [
    { type: 'volume', source: 'app_data', target: '/data' },
    { type: 'bind', source: '/srv/app/conf', target: '/conf', readOnly: true },
    { type: 'volume', source: 'shared', target: '/shared' },
  ]);
});

test('a service secret missing from the top level, or a value inline in the file, is refused with the place named', () => {
  assert.throws(() => composeToSpecs('services:\n  a:\n    image: x\n    secrets: [nope]\n', 's'), /secrets.nope is used by a service but not defined/);
  assert.throws(() => composeToSpecs('services:\n  a:\n    image: x\nsecrets:\n  pw:\n    environment: PW\n', 's'), /secrets.pw: only file: and external: are supported/);
});
