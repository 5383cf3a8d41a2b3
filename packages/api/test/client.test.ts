import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShoalClient } from '../src/client.js';
import { freePort, waitFor } from '@shoal/testkit';
import { setup, listen, TOKEN } from './helpers.js';

test('the client round-trips every call against a listening server', async (t) => {
  const { app, backend } = setup();
  const baseUrl = await listen(app);
  t.after(() => app.close());
  const client = new ShoalClient({ baseUrl: baseUrl + '/', token: TOKEN });

  const created = await client.createService({ name: 'web', image: 'nginx:1', replicas: 2 });
  assert.equal(created.version, 1);
  assert.deepEqual((await client.listServices()).map((s) => s.spec.name), ['web']);
  assert.equal((await client.getService('web')).spec.replicas, 2);
  assert.equal((await client.scaleService('web', 3)).spec.replicas, 3);
  const plan = await client.planServiceUpdate('web', { name: 'web', image: 'nginx:2', replicas: 3 });
  assert.equal(plan.changes[0].path, 'image');
  assert.equal((await client.updateService('web', { name: 'web', image: 'nginx:2', replicas: 3 })).spec.image, 'nginx:2');
  assert.equal((await client.rollbackService('web')).spec.image, 'nginx:1');
  assert.equal((await client.listTasks({ service: 'web' })).length, 3);
  assert.ok((await client.listTasks({ service: 'web', all: true })).length > 3);
  const [task] = await client.listTasks({ service: 'web', node: 'node-1' });
  assert.match((await client.explainTask(task.id)).summary, /^running on node-1/);

  assert.equal((await client.listNodes()).length, 2);
  assert.equal((await client.getNode('node-1')).name, 'node-1');
  assert.equal((await client.setNodeAvailability('node-2', 'pause')).availability, 'pause');
  await client.removeNode('node-2', { force: true });
  assert.equal((await client.clusterStatus()).leader?.name, 'node-1');
  const token = await client.showToken();
  assert.notEqual((await client.rotateToken()).token, token.token);
  assert.match((await client.metrics()).body, /shoal_services 1/);
  assert.equal((await client.health()).ok, true);
  assert.ok('/v1/services' in ((await client.openapi()).paths as object));
  await client.removeService('web');
  assert.equal(backend.services.size, 0);
});

test('server errors come back as ShoalError with code and message', async (t) => {
  const { app } = setup();
  const baseUrl = await listen(app);
  t.after(() => app.close());
  const client = new ShoalClient({ baseUrl, token: TOKEN });
  await assert.rejects(client.getService('nope'), { name: 'ShoalError', code: 'NOT_FOUND', message: 'no service nope; see `shoal service ls`' });
  await assert.rejects(client.createService({ name: 'Bad' } as never), { code: 'INVALID_SPEC', message: /name: expected string to match/ });
  const anonymous = new ShoalClient({ baseUrl, token: 'wrong-token-wrong-token' });
  await assert.rejects(anonymous.listNodes(), { code: 'UNAUTHORIZED', message: /wrong API token/ });
});

test('an agent that is not listening is reported as unreachable', async () => {
  const port = await freePort();
  const client = new ShoalClient({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN });
  await assert.rejects(client.listServices(), {
    code: 'INTERNAL',
    message: `cannot reach the shoal agent at http://127.0.0.1:${port}: is \`shoal agent\` running? (ECONNREFUSED)`,
  });
});

test('events and logs stream as async iterables and stop on abort', async (t) => {
  const { app, backend } = setup();
  const baseUrl = await listen(app);
  t.after(() => app.close());
  const client = new ShoalClient({ baseUrl, token: TOKEN });

  const abort = new AbortController();
  const events: string[] = [];
  const reading = (async () => {
    for await (const e of client.events(abort.signal)) {
      events.push(e.type);
      if (events.length === 2) abort.abort();
    }
  })();
  await waitFor('the events subscription', () => backend.eventSubscribers === 1);
  await backend.createService({ name: 'web', image: 'nginx', replicas: 1 });
  await reading;
  assert.deepEqual(events, ['service.create', 'task.create']);

  const task = backend.tasks[0];
  backend.appendLog(task.id, 'before');
  const logAbort = new AbortController();
  const lines: string[] = [];
  const following = (async () => {
    for await (const l of client.serviceLogs('web', { follow: true, signal: logAbort.signal })) {
      lines.push(`${l.node}|${l.line}`);
      if (lines.length === 2) logAbort.abort();
    }
  })();
  await waitFor('the existing line', () => lines.length === 1);
  backend.appendLog(task.id, 'after', 'stderr');
  await following;
  assert.deepEqual(lines, ['node-1|before', 'node-1|after']);
  await assert.rejects(async () => {
    for await (const _ of client.serviceLogs('nope')) void _;
  }, { code: 'NOT_FOUND' });
});

