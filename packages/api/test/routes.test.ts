import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, NotLeaderError, ShoalError } from '@shoal/types';
import { setup, auth } from './helpers.js';
import { MemoryBackend } from './memory-backend.js';
import { httpStatusFor } from '../src/http-errors.js';

async function call(app: ReturnType<typeof setup>['app'], method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) {
  return app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
}

test('services: create, list, inspect, scale, update, dry run, rollback, remove', async () => {
  const { app, backend } = setup();
  const created = await call(app, 'POST', '/v1/services', { name: 'web', image: 'nginx:1', replicas: 3 });
  assert.equal(created.statusCode, 201);
  assert.equal(created.json().spec.name, 'web');
  assert.equal((await call(app, 'GET', '/v1/services')).json().length, 1);
  assert.equal((await call(app, 'GET', '/v1/services/web')).json().version, 1);

  const scaled = await call(app, 'POST', '/v1/services/web/scale', { replicas: 5 });
  assert.equal(scaled.json().spec.replicas, 5);
  assert.equal(backend.tasks.filter((t) => t.desiredState === 'running').length, 5);

  const plan = await call(app, 'POST', '/v1/services/web/update', { spec: { name: 'web', image: 'nginx:2', replicas: 5 }, dryRun: true });
  assert.equal(plan.statusCode, 200);
  assert.deepEqual(plan.json().changes, [{ path: 'image', from: 'nginx:1', to: 'nginx:2' }]);
  assert.equal(backend.services.get('web')!.spec.image, 'nginx:1', 'a dry run commits nothing');

  const updated = await call(app, 'POST', '/v1/services/web/update', { spec: { name: 'web', image: 'nginx:2', replicas: 5 } });
  assert.equal(updated.json().spec.image, 'nginx:2');
  const rolledBack = await call(app, 'POST', '/v1/services/web/rollback');
  assert.equal(rolledBack.json().spec.image, 'nginx:1');

  const removed = await call(app, 'DELETE', '/v1/services/web');
  assert.equal(removed.statusCode, 204);
  assert.equal((await call(app, 'GET', '/v1/services/web')).statusCode, 404);
});

test('tasks: list with filters and explain a pending task', async () => {
  const { app } = setup();
  await call(app, 'POST', '/v1/services', { name: 'web', image: 'nginx', replicas: 2 });
  await call(app, 'POST', '/v1/services', { name: 'db', image: 'pg', placement: { constraints: ['node.labels.zone==c'] } });
  assert.equal((await call(app, 'GET', '/v1/tasks')).json().length, 3);
  const web = (await call(app, 'GET', '/v1/tasks?service=web')).json();
  assert.equal(web.length, 2);
  assert.ok(web.every((t: { status: { state: string } }) => t.status.state === 'running'));
  assert.equal((await call(app, 'GET', '/v1/tasks?node=node-1')).json().length, 1);
  const [pending] = (await call(app, 'GET', '/v1/tasks?service=db')).json();
  const explained = await call(app, 'GET', `/v1/tasks/${pending.id}/explain`);
  assert.equal(explained.statusCode, 200);
  assert.match(explained.json().summary, /^pending: 2 nodes: constraint node.labels.zone==c not met/);
  assert.deepEqual(explained.json().nodes.map((n: { feasible: boolean }) => n.feasible), [false, false]);
  assert.equal((await call(app, 'GET', '/v1/tasks/nope/explain')).statusCode, 404);
});

test('nodes: list, inspect, drain, remove (refused while up unless forced)', async () => {
  const { app, backend } = setup();
  await call(app, 'POST', '/v1/services', { name: 'web', image: 'nginx', replicas: 2 });
  assert.equal((await call(app, 'GET', '/v1/nodes')).json().length, 2);
  assert.equal((await call(app, 'GET', '/v1/nodes/node-2')).json().name, 'node-2');
  const drained = await call(app, 'POST', '/v1/nodes/node-2/availability', { availability: 'drain' });
  assert.equal(drained.json().availability, 'drain');
  const node1 = backend.nodes[0].id;
  assert.ok(backend.tasks.filter((t) => t.desiredState === 'running').every((t) => t.nodeId === node1), 'tasks moved off the drained node');
  const refused = await call(app, 'DELETE', '/v1/nodes/node-2');
  assert.equal(refused.statusCode, 409);
  assert.match(refused.json().error.message, /--force/);
  assert.equal((await call(app, 'DELETE', '/v1/nodes/node-2?force=true')).statusCode, 204);
  assert.equal((await call(app, 'GET', '/v1/nodes')).json().length, 1);
});

test('cluster: status, token show and rotate, metrics', async () => {
  const { app } = setup();
  const status = (await call(app, 'GET', '/v1/cluster')).json();
  assert.equal(status.leader.name, 'node-1');
  assert.equal(status.voters.length, 2);
  const before = (await call(app, 'GET', '/v1/cluster/token')).json().token;
  const rotated = (await call(app, 'POST', '/v1/cluster/token/rotate')).json().token;
  assert.notEqual(before, rotated);
  assert.equal((await call(app, 'GET', '/v1/cluster/token')).json().token, rotated);
  const metrics = await call(app, 'GET', '/metrics');
  assert.match(metrics.headers['content-type'] as string, /^text\/plain; version=0.0.4/);
  assert.match(metrics.body, /^shoal_services 0$/m);
});

test('error codes map to HTTP statuses; unknown errors are 500 INTERNAL', async () => {
  const cases: [Error, number, string][] = [
    [new ShoalError(ErrorCode.NoQuorum, 'no quorum: 1 of 3 voters reachable'), 503, 'NO_QUORUM'],
    [new NotLeaderError(null), 503, 'NOT_LEADER'],
    [new ShoalError(ErrorCode.Timeout, 'timed out'), 504, 'TIMEOUT'],
    [new ShoalError(ErrorCode.DangerousSpec, 'privileged is not allowed'), 400, 'DANGEROUS_SPEC'],
    [new ShoalError(ErrorCode.Unauthorized, 'no'), 401, 'UNAUTHORIZED'],
    [new Error('boom'), 500, 'INTERNAL'],
  ];
  for (const [err, status, code] of cases) {
    const backend = new MemoryBackend();
    backend.listServices = async () => {
      throw err;
    };
    const { app } = setup(backend);
    const res = await call(app, 'GET', '/v1/services');
    assert.equal(res.statusCode, status, code);
    assert.equal(res.json().error.code, code);
  }
  // A broken or full disk is the node's condition, not a bug: 503 / 507, never 500.
  assert.equal(httpStatusFor('CORRUPT_STORE'), 503);
  assert.equal(httpStatusFor('DISK_FULL'), 507);
});

test('/healthz reports 503 when the node is unhealthy', async () => {
  const backend = new MemoryBackend();
  backend.health = async () => ({ ok: false, reason: 'no quorum' });
  const { app } = setup(backend);
  const res = await app.inject({ method: 'GET', url: '/healthz', headers: auth });
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().reason, 'no quorum');
  const open = await app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(open.statusCode, 503);
  assert.deepEqual(open.json(), { ok: false });
});

test('the OpenAPI document lists every route with its schemas', async () => {
  const { app } = setup();
  const res = await call(app, 'GET', '/v1/openapi.json');
  assert.equal(res.statusCode, 200);
  const doc = res.json();
  assert.equal(doc.openapi, '3.0.3');
  const expected: [string, string][] = [
    ['/v1/services', 'get'], ['/v1/services', 'post'], ['/v1/services/{name}', 'get'], ['/v1/services/{name}', 'delete'],
    ['/v1/services/{name}/update', 'post'], ['/v1/services/{name}/scale', 'post'], ['/v1/services/{name}/rollback', 'post'],
    ['/v1/services/{name}/logs', 'get'], ['/v1/tasks', 'get'], ['/v1/tasks/{id}/explain', 'get'], ['/v1/nodes', 'get'],
    ['/v1/nodes/{id}', 'get'], ['/v1/nodes/{id}', 'delete'], ['/v1/nodes/{id}/availability', 'post'], ['/v1/cluster', 'get'],
    ['/v1/cluster/token', 'get'], ['/v1/cluster/token/rotate', 'post'], ['/v1/events', 'get'], ['/metrics', 'get'], ['/healthz', 'get'],
  ];
  for (const [path, method] of expected) assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`);
  const createBody = doc.paths['/v1/services'].post.requestBody.content['application/json'].schema;
  assert.ok(createBody.properties.replicas, 'the create body is the ServiceSpec schema');
  assert.deepEqual(doc.paths['/healthz'].get.security, []);
});
