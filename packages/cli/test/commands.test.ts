import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@shoal/testkit';
import { startServer, cli, startCli } from './helpers.js';

const server = await startServer();
after(() => server.app.close());
const { env, backend } = server;

test('create follows the change until every task runs', async () => {
  const res = await cli(['service', 'create', 'web', '--image', 'nginx:1', '--replicas', '3'], env);
  assert.equal(res.code, 0);
  assert.equal(res.out, 'web created: 3/3 tasks running');
  assert.match(res.err, /^web: 3\/3 tasks running$/m);
});

test('a change that cannot converge fails at --timeout with the pending reason', async () => {
  const res = await cli(['service', 'create', 'stuck', '--image', 'x', '--replicas', '2', '--constraint', 'node.labels.zone==c', '--timeout', '1s'], env);
  assert.equal(res.code, 1);
  assert.match(res.err, /^Error: stuck did not converge within 1s: 0\/2 tasks running; pending: 2 nodes: constraint node.labels.zone==c not met; constraint node.labels.zone==c not met$/m);
});

test('a failed update that rolls back exits 1 with "update rolled back"', async () => {
  const res = await cli(['service', 'update', 'web', '--image', 'fail:2', '--update-failure-action', 'rollback'], env);
  assert.equal(res.code, 1);
  assert.match(res.err, /^Error: update rolled back: task task\w+ failed: image fail:2 not found$/m);
  assert.equal(backend.services.get('web')!.spec.image, 'nginx:1');
});

test('a failed update that pauses exits 1 with the task error', async () => {
  await cli(['service', 'create', 'api', '--image', 'api:1', '--detach'], env);
  const res = await cli(['service', 'update', 'api', '--image', 'failing:2', '--update-failure-action', 'pause', '--json'], env);
  assert.equal(res.code, 1);
  assert.deepEqual(JSON.parse(res.out).error.code, 'CONFLICT');
  assert.match(JSON.parse(res.out).error.message, /^update paused: task \w+ failed: image failing:2 not found$/);
  await cli(['service', 'rm', 'api'], env);
});

test('update --dry-run shows the plan and changes nothing', async () => {
  const version = backend.services.get('web')!.version;
  const res = await cli(['service', 'update', 'web', '--image', 'nginx:2', '-e', 'A=1', '--dry-run'], env);
  assert.equal(res.code, 0);
  assert.match(res.out, /^web: version \d+ -> \d+ \(dry run, nothing changed\)$/m);
  assert.match(res.out, /^ {2}image: "nginx:1" -> "nginx:2"$/m);
  assert.match(res.out, /^ {2}env: \(unset\) -> \{"A":"1"\}$/m);
  assert.equal(backend.services.get('web')!.version, version);
  const asJson = JSON.parse((await cli(['service', 'update', 'web', '--image', 'nginx:2', '--dry-run', '--json'], env)).out);
  assert.deepEqual(asJson.changes, [{ path: 'image', from: 'nginx:1', to: 'nginx:2' }]);
});

test('update, scale and rollback follow to convergence', async () => {
  assert.equal((await cli(['service', 'update', 'web', '--image', 'nginx:2'], env)).out, 'web updated: 3/3 tasks running');
  assert.equal((await cli(['service', 'scale', 'web=5'], env)).out, 'web scaled to 5: 5/5 tasks running');
  assert.equal((await cli(['service', 'rollback', 'web'], env)).out, 'web rolled back: 3/3 tasks running');
  assert.equal(backend.services.get('web')!.spec.image, 'nginx:1');
  const bad = await cli(['service', 'scale', 'web'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /"web" must be NAME=REPLICAS/);
});

test('read commands print tables, or JSON with --json', async () => {
  const ls = await cli(['service', 'ls'], env);
  assert.match(ls.out, /^ID +NAME +MODE +REPLICAS +IMAGE +PORTS$/m);
  assert.match(ls.out, /^\S+ +web +replicated +3\/3 +nginx:1$/m);
  assert.ok(Array.isArray(JSON.parse((await cli(['service', 'ls', '--json'], env)).out)));
  const ps = await cli(['service', 'ps', 'web'], env);
  assert.equal(ps.out.split('\n').length, 4);
  assert.match(ps.out, /^\S+ +web\.1 +nginx:1 +node-\d +running +running/m);
  assert.equal(JSON.parse((await cli(['service', 'ps', 'web', '--json'], env)).out).length, 3);
  assert.equal(JSON.parse((await cli(['service', 'inspect', 'web'], env)).out)[0].spec.name, 'web');
  assert.match((await cli(['node', 'ls'], env)).out, /^\S+ +node-1 +ready +active +leader/m);
  assert.equal(JSON.parse((await cli(['node', 'ls', '--json'], env)).out).length, 2);
  assert.equal(JSON.parse((await cli(['node', 'inspect', 'node-2'], env)).out)[0].name, 'node-2');
  assert.match((await cli(['cluster', 'status'], env)).out, /^leader: {3}node-1/m);
  assert.equal(JSON.parse((await cli(['cluster', 'status', '--json'], env)).out).leader.name, 'node-1');
  const token = (await cli(['cluster', 'token', 'show'], env)).out;
  const rotated = (await cli(['cluster', 'token', 'rotate'], env)).out;
  assert.notEqual(token, rotated);
  assert.equal(JSON.parse((await cli(['cluster', 'token', 'show', '--json'], env)).out).token, rotated);
});

test('node drain, activate and rm', async () => {
  assert.equal((await cli(['node', 'drain', 'node-2'], env)).out, 'node-2 drain');
  assert.ok(backend.tasks.filter((t) => t.desiredState === 'running').every((t) => t.nodeId !== backend.nodes[1].id));
  assert.equal((await cli(['node', 'activate', 'node-2'], env)).out, 'node-2 active');
  const refused = await cli(['node', 'rm', 'node-2'], env);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /^Error: node node-2 is up: drain it and stop its agent first, or use --force$/);
});

test('logs prefix each line with name.slot@node, --tail and -f', async () => {
  const tasks = backend.tasks.filter((t) => t.serviceName === 'web' && t.desiredState === 'running').sort((a, b) => a.slot - b.slot);
  backend.appendLog(tasks[0].id, 'hello');
  backend.appendLog(tasks[0].id, 'world');
  backend.appendLog(tasks[1].id, 'oops', 'stderr');
  const res = await cli(['service', 'logs', 'web', '--tail', '1'], env);
  const node = (i: number) => backend.nodes.find((n) => n.id === tasks[i].nodeId)!.name;
  assert.deepEqual(res.out.split('\n').sort(), [`web.1@${node(0)} | world`, `web.2@${node(1)} | oops`]);

  const following = startCli(['service', 'logs', 'web', '-f', '--tail', '0'], env);
  await waitFor('the log subscription', () => backend.logSubscribers === 1);
  backend.appendLog(tasks[2].id, 'live line');
  await waitFor('the followed line', () => following.out.length === 1);
  process.emit('SIGINT');
  const done = await following.done;
  assert.equal(done.code, 0);
  assert.deepEqual(done.out, `web.3@${node(2)} | live line`);
});

test('events print committed changes until interrupted', async () => {
  const watching = startCli(['events', '--json'], env);
  await waitFor('the events subscription', () => backend.eventSubscribers === 1);
  await cli(['service', 'scale', 'web=4', '--detach'], env);
  await waitFor('two events', () => watching.out.length >= 2);
  process.emit('SIGINT');
  const done = await watching.done;
  assert.equal(done.code, 0);
  const [first, second] = done.out.split('\n').map((l) => JSON.parse(l));
  assert.deepEqual([first.type, first.subject], ['service.scale', 'web']);
  assert.equal(second.type, 'task.create');
});

test('stack deploy creates then updates the compose services, with warnings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-stack-'));
  const file = join(dir, 'compose.yml');
  writeFileSync(file, 'services:\n  front:\n    image: nginx:1\n    deploy: {replicas: 2}\n    networks: [x]\n    logging: {driver: syslog}\n  back:\n    image: redis\nnetworks:\n  x: {}\n');
  const first = await cli(['stack', 'deploy', '-c', file, 'shop'], env);
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /^created shop_front$/m);
  assert.match(first.out, /^shop_front: 2\/2 tasks running$/m);
  assert.match(first.err, /^Warning: services\.front\.logging is not supported; ignored$/m);
  assert.deepEqual(backend.services.get('shop_front')!.spec.networks, [{ name: 'shop_x' }]);
  writeFileSync(file, 'services:\n  front:\n    image: nginx:2\n    deploy: {replicas: 2}\n  back:\n    image: redis\n');
  const second = await cli(['stack', 'deploy', '-c', file, 'shop', '--detach'], env);
  assert.match(second.out, /^updated shop_front$/m);
  assert.equal(backend.services.get('shop_front')!.spec.image, 'nginx:2');
  const missing = await cli(['stack', 'deploy', '-c', join(dir, 'nope.yml'), 'shop'], env);
  assert.match(missing.err, /^Error: cannot read .*nope\.yml/);
});

test('service rm removes, and unknown services are a clear error', async () => {
  assert.equal((await cli(['service', 'rm', 'stuck'], env)).out, 'stuck');
  const res = await cli(['service', 'inspect', 'stuck'], env);
  assert.equal(res.code, 1);
  assert.equal(res.err, 'Error: no service stuck; see `shoal service ls`');
});

test('completion scripts cover the command tree', async () => {
  const bash = (await cli(['completion', 'bash'], env)).out;
  assert.match(bash, /"service create"\) words="[^"]*--replicas/);
  assert.match(bash, /complete -F _shoal shoal/);
  assert.match((await cli(['completion', 'zsh'], env)).out, /bashcompinit/);
  assert.match((await cli(['completion', 'fish'], env)).err, /no completion for "fish"/);
});
