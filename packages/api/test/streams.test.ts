import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@shoal/testkit';
import { setup, auth, listen } from './helpers.js';
import { sseMessages } from '../src/lines.js';

test('GET /v1/events streams committed changes as server-sent events', async (t) => {
  const { app, backend } = setup();
  const base = await listen(app);
  t.after(() => app.close());
  const abort = new AbortController();
  const res = await fetch(`${base}/v1/events`, { headers: auth, signal: abort.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
  await waitFor('the subscription', () => backend.eventSubscribers === 1);
  await backend.createService({ name: 'web', image: 'nginx', replicas: 1 });
  const got: { id?: string; data: string }[] = [];
  for await (const msg of sseMessages(res.body!)) {
    got.push(msg);
    if (got.length === 2) break;
  }
  abort.abort();
  assert.equal(got[0].id, '1');
  assert.deepEqual(JSON.parse(got[0].data), { index: 1, type: 'service.create', at: JSON.parse(got[0].data).at, subject: 'web', summary: 'created web' });
  assert.equal(JSON.parse(got[1].data).type, 'task.create');
  await waitFor('the backend to see the client leave', () => backend.eventSubscribers === 0);
});

test('GET /v1/services/:name/logs returns NDJSON, honours tail, 404s an unknown service', async () => {
  const { app, backend } = setup();
  const svc = await backend.createService({ name: 'web', image: 'nginx', replicas: 1 });
  const task = backend.tasks.find((t) => t.serviceId === svc.id)!;
  for (const l of ['one', 'two', 'three']) backend.appendLog(task.id, l);
  const res = await app.inject({ method: 'GET', url: '/v1/services/web/logs?tail=2', headers: auth });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^application\/x-ndjson/);
  const lines = res.body.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.line), ['two', 'three']);
  assert.equal(lines[0].node, 'node-1');
  assert.equal(lines[0].slot, 1);
  const missing = await app.inject({ method: 'GET', url: '/v1/services/nope/logs', headers: auth });
  assert.equal(missing.statusCode, 404);
});
