// `shoal stack` against the in-memory cluster: all-or-nothing deploys, undo, redeploys, prune, ls/ps/services/rm.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, cli } from './helpers.js';

const server = await startServer();
after(() => server.app.close());
const { env, backend } = server;
const dir = mkdtempSync(join(tmpdir(), 'shoal-stack-test-'));

function composeFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const APP = `
services:
  db:
    image: postgres:16
    healthcheck: { test: ["CMD", "pg_isready"], interval: 1s }
  api:
    image: api:1
    depends_on: { db: { condition: service_healthy } }
  web:
    image: nginx:1
    depends_on: [api]
    ports: ["8080:80"]
`;

test('deploy creates services in dependency order, waiting for a healthy db', async () => {
  const res = await cli(['stack', 'deploy', '-c', composeFile('app.yml', APP), 'app'], env);
  assert.equal(res.code, 0, res.err);
  const lines = res.out.split('\n');
  const at = (l: string) => lines.indexOf(l);
  assert.ok(at('created app_db') >= 0 && at('created app_db') < at('app_api: waiting for app_db to be healthy'));
  assert.ok(at('app_api: waiting for app_db to be healthy') < at('created app_api'));
  assert.ok(at('created app_api') < at('created app_web'));
  assert.match(res.out, /^app_web: 1\/1 tasks running$/m);
});

test('a redeploy updates only what changed and removes what the file dropped', async () => {
  const versions = () => Object.fromEntries([...backend.services.values()].filter((s) => s.spec.labels?.['shoal.stack'] === 'app').map((s) => [s.spec.name, s.version]));
  const before = versions();
  const same = await cli(['stack', 'deploy', '-c', composeFile('app.yml', APP), 'app', '--detach'], env);
  assert.equal(same.code, 0, same.err);
  assert.deepEqual(same.out.split('\n').sort(), ['unchanged app_api', 'unchanged app_db', 'unchanged app_web']);
  assert.deepEqual(versions(), before);

  const changed = APP.replace('api:1', 'api:2').replace(/ {2}web:\n[\s\S]*$/, '');
  const res = await cli(['stack', 'deploy', '-c', composeFile('app.yml', changed), 'app', '--detach'], env);
  assert.equal(res.code, 0, res.err);
  assert.deepEqual(res.out.split('\n'), ['app_api: waiting for app_db to be healthy', 'updated app_api', 'unchanged app_db', 'removed app_web (no longer in the file)']);
  assert.equal(backend.services.get('app_api')!.spec.image, 'api:2');
  assert.equal(backend.services.get('app_db')!.version, before.app_db);
  assert.equal(backend.services.has('app_web'), false);

  const kept = await cli(['stack', 'deploy', '-c', composeFile('db-only.yml', 'services:\n  db:\n    image: postgres:16\n    healthcheck: { test: ["CMD", "pg_isready"], interval: 1s }\n'), 'app', '--detach', '--no-prune'], env);
  assert.equal(kept.out, 'unchanged app_db');
  assert.equal(backend.services.has('app_api'), true);
});

test('a file with one refused service creates nothing and lists every refusal', async () => {
  const before = backend.mutations;
  const bad = 'services:\n  ok:\n    image: nginx\n  root:\n    image: x\n    privileged: true\n  noimage:\n    command: ["sleep", "1"]\n';
  const res = await cli(['stack', 'deploy', '-c', composeFile('bad.yml', bad), 'bad'], env);
  assert.equal(res.code, 1);
  assert.match(res.err, /^Error: nothing was deployed: 2 services refused:$/m);
  assert.match(res.err, /^ {2}bad_root: service "bad_root" asks for host access/m);
  assert.match(res.err, /^ {2}bad_noimage: invalid service spec/m);
  assert.equal(backend.mutations, before);
  assert.equal([...backend.services.keys()].some((n) => n.startsWith('bad_')), false);
});

test('a create that fails midway removes what this deploy created and rolls back what it updated', async () => {
  await cli(['stack', 'deploy', '-c', composeFile('mid.yml', 'services:\n  a:\n    image: nginx:1\n'), 'mid', '--detach'], env);
  const file = composeFile('mid.yml', 'services:\n  a:\n    image: nginx:2\n  b:\n    image: redis\n    depends_on: [a]\n  c:\n    image: refuse-me\n    depends_on: [b]\n');
  const res = await cli(['stack', 'deploy', '-c', file, 'mid', '--detach'], env);
  assert.equal(res.code, 1);
  assert.match(res.err, /^Error: stack mid not deployed: mid_c: test backend refuses to create mid_c; undone: removed mid_b, rolled back mid_a$/m);
  assert.equal(backend.services.has('mid_b'), false);
  assert.equal(backend.services.get('mid_a')!.spec.image, 'nginx:1');
});

test('a dependency that never turns healthy fails the deploy at --timeout, saying why, and undoes it', async () => {
  const file = composeFile('sick.yml', 'services:\n  db:\n    image: sick-db\n    healthcheck: { test: "exit 1" }\n  api:\n    image: api\n    depends_on: { db: { condition: service_healthy } }\n');
  const res = await cli(['stack', 'deploy', '-c', file, 'sick', '--timeout', '1s'], env);
  assert.equal(res.code, 1);
  assert.match(res.err, /sick_api depends on sick_db being healthy, and it was not within 1s: 0\/1 tasks healthy, 1 running; undone: removed sick_db/);
  assert.equal(backend.services.has('sick_db'), false);
});

test('a service of the same name outside the stack is not taken over', async () => {
  await backend.createService({ name: 'own_web', image: 'nginx' });
  const res = await cli(['stack', 'deploy', '-c', composeFile('own.yml', 'services:\n  web:\n    image: nginx:2\n'), 'own'], env);
  assert.equal(res.code, 1);
  assert.match(res.err, /service own_web already exists and is not part of stack own/);
  assert.equal(backend.services.get('own_web')!.spec.image, 'nginx');
});

test('build without image is refused with the image to build and how to name it', async () => {
  const res = await cli(['stack', 'deploy', '-c', composeFile('build.yml', 'services:\n  web:\n    build: ./web\n'), 'b'], env);
  assert.equal(res.code, 1);
  assert.match(res.err, /services\.web: "build" without "image" cannot run on a cluster .*docker build -t REGISTRY\/b_web:TAG .*\/web`.*set services\.web\.image to REGISTRY\/b_web:TAG/);
});

test('stack ls, services, ps and rm', async () => {
  const ls = await cli(['stack', 'ls'], env);
  assert.match(ls.out, /^NAME +SERVICES +TASKS RUNNING$/m);
  assert.match(ls.out, /^app +2 +2$/m);
  const services = await cli(['stack', 'services', 'app'], env);
  assert.match(services.out, /app_api +replicated +1\/1 +api:2/);
  assert.doesNotMatch(services.out, /mid_a/);
  const ps = await cli(['stack', 'ps', 'app', '--json'], env);
  assert.deepEqual(JSON.parse(ps.out).map((t: { serviceName: string }) => t.serviceName).sort(), ['app_api', 'app_db']);
  const rm = await cli(['stack', 'rm', 'app'], env);
  assert.equal(rm.out, 'removed app_api\nremoved app_db');
  assert.equal([...backend.services.keys()].some((n) => n.startsWith('app_')), false);
  const gone = await cli(['stack', 'ps', 'app'], env);
  assert.equal(gone.code, 1);
  assert.match(gone.err, /stack app has no services/);
});
