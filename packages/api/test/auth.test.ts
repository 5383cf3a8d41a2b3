import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, auth, TOKEN } from './helpers.js';
import { tokenMatches } from '../src/auth.js';
import { createApiServer } from '../src/server.js';
import { MemoryBackend } from './memory-backend.js';

const writes = [
  { method: 'POST', url: '/v1/services', payload: { name: 'web', image: 'nginx' } },
  { method: 'POST', url: '/v1/nodes/node-1/availability', payload: { availability: 'drain' } },
  { method: 'POST', url: '/v1/cluster/token/rotate' },
  { method: 'DELETE', url: '/v1/nodes/node-2?force=true' },
] as const;

test('every route but /healthz refuses a request without a token, and nothing changes', async () => {
  const { app, backend } = setup();
  for (const req of [...writes, { method: 'GET', url: '/v1/services' }, { method: 'GET', url: '/metrics' }, { method: 'GET', url: '/v1/openapi.json' }] as const) {
    const res = await app.inject(req);
    assert.equal(res.statusCode, 401, req.url);
    assert.equal(res.json().error.code, 'UNAUTHORIZED');
    assert.match(res.json().error.message, /missing API token/);
  }
  assert.equal(backend.mutations, 0);
  assert.equal(backend.services.size, 0);
  assert.equal(backend.nodes.length, 2);
});

test('a wrong token is refused with 401 and changes nothing', async () => {
  const { app, backend } = setup();
  for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, TOKEN, 'Basic abc', 'Bearer ']) {
    for (const req of writes) {
      const res = await app.inject({ ...req, headers: { authorization } });
      assert.equal(res.statusCode, 401, `${authorization} ${req.url}`);
    }
  }
  const wrong = await app.inject({ method: 'GET', url: '/v1/nodes', headers: { authorization: 'Bearer nope' } });
  assert.match(wrong.json().error.message, /wrong API token/);
  assert.equal(backend.mutations, 0);
});

test('/healthz answers without a token; the right token opens the rest', async () => {
  const { app } = setup();
  const health = await app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(health.statusCode, 200);
  assert.equal(health.json().ok, true);
  const nodes = await app.inject({ method: 'GET', url: '/v1/nodes', headers: auth });
  assert.equal(nodes.statusCode, 200);
});

test('/healthz?x does not open other routes and a path-trick is still checked', async () => {
  const { app } = setup();
  for (const url of ['/healthz/../v1/nodes', '/v1/nodes?/healthz', '/v1/nodes#/healthz']) {
    const res = await app.inject({ method: 'GET', url });
    assert.notEqual(res.statusCode, 200, url);
  }
});

test('tokenMatches compares whole tokens', () => {
  assert.equal(tokenMatches('abcdefghijklmnopq', 'abcdefghijklmnopq'), true);
  assert.equal(tokenMatches('abcdefghijklmnopq', 'abcdefghijklmnop'), false);
  assert.equal(tokenMatches('abcdefghijklmnopq', undefined), false);
});

test('a short server token is a configuration error', () => {
  assert.throws(() => createApiServer({ backend: new MemoryBackend(), token: 'short' }), { code: 'BAD_CONFIG' });
});
