import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, cli } from './helpers.js';

const server = await startServer();
after(() => server.app.close());
const { env, backend } = server;

test('service history lists every version with what changed; rollback --to restores one', async () => {
  assert.equal((await cli(['service', 'create', 'api', '--image', 'app:1', '--replicas', '2', '--detach'], env)).code, 0);
  assert.equal((await cli(['service', 'update', 'api', '--image', 'app:2', '-e', 'MODE=fast', '--detach'], env)).code, 0);
  assert.equal((await cli(['service', 'scale', 'api=3', '--detach'], env)).code, 0);
  const h = await cli(['service', 'history', 'api'], env);
  assert.equal(h.code, 0, h.err);
  const lines = h.out.split('\n');
  assert.match(lines[0], /^VERSION\s+WHEN\s+BY\s+CHANGE\s+WHAT CHANGED$/);
  assert.match(lines[1], /^1\s.*created\s+-$/);
  assert.match(lines[2], /^2\s.*updated\s+image: "app:1" -> "app:2"; env: \(unset\) -> \{"MODE":"fast"\}$/);
  assert.match(lines[3], /^3\*\s.*scaled to 3\s+replicas: 2 -> 3$/);

  const back = await cli(['service', 'rollback', 'api', '--to', '1', '--detach'], env);
  assert.equal(back.code, 0, back.err);
  const svc = backend.services.get('api')!;
  assert.deepEqual([svc.version, svc.spec.image, svc.spec.replicas], [4, 'app:1', 2]);
  const json = JSON.parse((await cli(['service', 'history', 'api', '--json'], env)).out);
  assert.deepEqual(json.at(-1).change, 'rolled back to version 1');
  assert.equal(json.at(-1).current, true);
});

test('rollback --to refuses a version that is not kept or not a number', async () => {
  const missing = await cli(['service', 'rollback', 'api', '--to', '99', '--detach'], env);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no kept version 99/);
  const bad = await cli(['service', 'rollback', 'api', '--to', 'two', '--detach'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--to: "two" is not a whole number/);
});

test('task restart starts a copy of the task on the same node and stops the old one', async () => {
  const old = backend.tasks.find((t) => t.serviceName === 'api' && t.desiredState === 'running')!;
  const res = await cli(['task', 'restart', old.id.slice(0, 10)], env);
  assert.equal(res.code, 0, res.err);
  const copy = backend.tasks.at(-1)!;
  assert.equal(res.out, `api.${old.slot} restarting as ${copy.id}`);
  assert.deepEqual([copy.nodeId, copy.slot, copy.desiredState], [old.nodeId, old.slot, 'running']);
  assert.equal(old.desiredState, 'shutdown');
});

test('node drain --deadline sends the deadline; a bad duration is refused', async () => {
  const res = await cli(['node', 'drain', 'node-2', '--deadline', '5m'], env);
  assert.equal(res.code, 0, res.err);
  assert.match(res.out, /^node-2 drain \(tasks not moved by \d{4}-.* are stopped\)$/);
  assert.ok(backend.nodes[1]!.drainDeadline! > 0);
  const bad = await cli(['node', 'drain', 'node-2', '--deadline', 'soon'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--deadline/);
  assert.equal((await cli(['node', 'activate', 'node-2'], env)).code, 0);
  assert.equal(backend.nodes[1]!.drainDeadline, undefined);
});
