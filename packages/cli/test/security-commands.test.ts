/** `shoal token`, `shoal cluster update` and `shoal events --audit` against stand-ins for the daemon's routes. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createApiServer } from '@shoal/api';
import { MemoryBackend } from '@shoal/api/testing';
import { cli, TOKEN } from './helpers.js';

const seen: { method: string; url: string; body: unknown }[] = [];
const app = createApiServer({
  backend: new MemoryBackend(),
  token: TOKEN,
  routes: [
    (api) => {
      const record = async (req: { method: string; url: string; body?: unknown }) => void seen.push({ method: req.method, url: req.url, body: req.body ?? null });
      api.post('/v1/tokens', async (req) => {
        await record(req);
        return { id: 'k1', name: 'ci', role: 'operator', createdAt: 0, createdBy: 'node:n1', token: 'shoal_secret' };
      });
      api.get('/v1/tokens', async () => [{ id: 'k1', name: 'ci', role: 'operator', createdAt: 0, createdBy: 'node:n1' }]);
      api.delete('/v1/tokens/:name', async (req, reply) => {
        await record(req);
        return reply.status(204).send();
      });
      api.patch('/v1/cluster/settings', async (req) => {
        await record(req);
        return { allowDangerous: (req.body as { allowDangerous: boolean }).allowDangerous, voters: 3, maxReplicasPerService: 1000, maxTasksPerCluster: 10000 };
      });
      api.get('/v1/audit', async (req) => {
        await record(req);
        return [{ index: 7, at: 0, by: 'ci', type: 'service.create', subject: 'web', ok: true }, { index: 9, at: 0, by: 'viewer', type: 'service.scale', subject: 'web', ok: false, error: 'not found' }];
      });
    },
  ],
});
await app.listen({ host: '127.0.0.1', port: 0 });
after(() => app.close());
const env = { SHOAL_HOST: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, SHOAL_TOKEN: TOKEN };

test('token create prints only the secret on stdout (scripts capture it) and a note on stderr', async () => {
  const res = await cli(['token', 'create', 'ci', '--role', 'operator'], env);
  assert.equal(res.code, 0, res.err);
  assert.equal(res.out, 'shoal_secret');
  assert.match(res.err, /ci \(operator\) created; it is not shown again/);
  assert.deepEqual(seen.at(-1)?.body, { name: 'ci', role: 'operator' });
  const bad = await cli(['token', 'create', 'x', '--role', 'root'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /read-only, operator, admin/);
});

test('token ls shows names and roles, never secrets; revoke takes names', async () => {
  const ls = await cli(['token', 'ls'], env);
  assert.match(ls.out, /^NAME\s+ROLE\s+CREATED\s+BY\s+ID$/m);
  assert.match(ls.out, /^ci\s+operator\s+1970-01-01T00:00:00.000Z\s+node:n1\s+k1$/m);
  const rm = await cli(['token', 'revoke', 'ci'], env);
  assert.equal(rm.code, 0, rm.err);
  assert.deepEqual([seen.at(-1)?.method, seen.at(-1)?.url], ['DELETE', '/v1/tokens/ci']);
});

test('cluster update --allow-dangerous, =false, and refusals of anything else', async () => {
  assert.equal((await cli(['cluster', 'update', '--allow-dangerous'], env)).out, 'allowDangerous: true');
  assert.deepEqual(seen.at(-1)?.body, { allowDangerous: true });
  assert.equal((await cli(['cluster', 'update', '--allow-dangerous=false'], env)).out, 'allowDangerous: false');
  assert.deepEqual(seen.at(-1)?.body, { allowDangerous: false });
  const none = await cli(['cluster', 'update'], env);
  assert.equal(none.code, 1);
  assert.match(none.err, /nothing to change/);
  const maybe = await cli(['cluster', 'update', '--allow-dangerous=maybe'], env);
  assert.equal(maybe.code, 1);
  assert.match(maybe.err, /expected true or false, not maybe/);
});

test('events --audit prints the trail as a table, or JSON lines', async () => {
  const res = await cli(['events', '--audit', '--limit', '2'], env);
  assert.equal(res.code, 0, res.err);
  assert.equal(seen.at(-1)?.url, '/v1/audit?limit=2');
  assert.match(res.out, /^TIME\s+INDEX\s+BY\s+COMMAND\s+SUBJECT\s+RESULT$/m);
  assert.match(res.out, /\s9\s+viewer\s+service\.scale\s+web\s+refused: not found$/m);
  const json = await cli(['events', '--audit', '--json'], env);
  assert.deepEqual(json.out.split('\n').map((l) => (JSON.parse(l) as { index: number }).index), [7, 9]);
});
