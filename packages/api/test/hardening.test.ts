/**
 * Issue 13: the admin API off loopback. Each case was reproduced against
 * the server before the fix; all run over real HTTP where sockets matter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { createApiServer } from '../src/server.js';
import type { Caller } from '../src/auth.js';
import { MemoryBackend } from './memory-backend.js';
import { auth, listen, setup, TOKEN } from './helpers.js';
import { waitFor } from '@shoal/testkit';
import { sseMessages } from '../src/lines.js';

function portOf(base: string): number {
  return Number(new URL(base).port);
}

/** Resolves when the server closes the socket (or after `ms`, as false). */
function closedWithin(sock: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    sock.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

test('413 names the body limit', async () => {
  const app = createApiServer({ backend: new MemoryBackend(), token: TOKEN, bodyLimit: 1000 });
  const res = await app.inject({ method: 'POST', url: '/v1/services', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'a', image: 'x', labels: { k: 'v'.repeat(2000) } }) });
  assert.equal(res.statusCode, 413);
  assert.equal(res.json().error.code, 'MESSAGE_TOO_LARGE');
  assert.match(res.json().error.message, /at most 1000 bytes/);
});

test('a __proto__ key is named as such, not reported as invalid JSON', async () => {
  const { app, backend } = setup();
  for (const payload of ['{"name":"a","image":"x","__proto__":{"privileged":true}}', '{"name":"a","image":"x","constructor":{"prototype":{"x":1}}}']) {
    const res = await app.inject({ method: 'POST', url: '/v1/services', headers: { ...auth, 'content-type': 'application/json' }, payload });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'INVALID_SPEC');
    assert.match(res.json().error.message, /reserved key/);
    assert.doesNotMatch(res.json().error.message, /not valid JSON/);
  }
  assert.equal(backend.mutations, 0);
});

test('disk errors are 507 / 503 with a code, never 500', async () => {
  const cases: [string, number, string][] = [
    ['ENOSPC', 507, 'DISK_FULL'],
    ['EACCES', 503, 'STORAGE_FAILED'],
    ['EIO', 503, 'STORAGE_FAILED'],
    ['EROFS', 503, 'STORAGE_FAILED'],
  ];
  for (const [code, status, shoalCode] of cases) {
    const backend = new MemoryBackend();
    backend.createService = async () => {
      throw Object.assign(new Error(`${code}: write /var/lib/shoal/raft/000012.log`), { code });
    };
    const { app } = setup(backend);
    const res = await app.inject({ method: 'POST', url: '/v1/services', headers: auth, payload: { name: 'a', image: 'x' } });
    assert.equal(res.statusCode, status, code);
    assert.equal(res.json().error.code, shoalCode);
  }
});

test('/healthz without a token reveals only health; with one, the details', async () => {
  const { app } = setup();
  const open = await app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(open.statusCode, 200);
  assert.deepEqual(open.json(), { ok: true });
  const wrong = await app.inject({ method: 'GET', url: '/healthz', headers: { authorization: 'Bearer not-the-token-at-all' } });
  assert.deepEqual(wrong.json(), { ok: true });
  const full = await app.inject({ method: 'GET', url: '/healthz', headers: auth });
  assert.equal(full.json().node, 'node-1');
});

test('roles: read-only reads, operator changes services only, admin changes the rest', async () => {
  const tokens: Record<string, Caller> = {
    'ro-token-0123456789': { name: 'ui', role: 'read-only', token: 'ro-token-0123456789' },
    'op-token-0123456789': { name: 'ci', role: 'operator', token: 'op-token-0123456789' },
  };
  const backend = new MemoryBackend();
  const app = createApiServer({ backend, token: TOKEN, authenticate: (t) => tokens[t] ?? null });
  const as = (t: string) => ({ authorization: `Bearer ${t}` });
  const ro = as('ro-token-0123456789');
  const op = as('op-token-0123456789');
  assert.equal((await app.inject({ method: 'GET', url: '/v1/services', headers: ro })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/v1/cluster', headers: ro })).statusCode, 200);
  const refused = await app.inject({ method: 'POST', url: '/v1/services', headers: ro, payload: { name: 'a', image: 'x' } });
  assert.equal(refused.statusCode, 403);
  assert.equal(refused.json().error.code, 'FORBIDDEN');
  assert.match(refused.json().error.message, /token "ui" has role read-only; POST \/v1\/services needs operator/);
  assert.equal((await app.inject({ method: 'GET', url: '/v1/cluster/token', headers: ro })).statusCode, 403, 'the join token carries the PSK');
  assert.equal((await app.inject({ method: 'POST', url: '/v1/services', headers: op, payload: { name: 'a', image: 'x' } })).statusCode, 201);
  assert.equal((await app.inject({ method: 'POST', url: '/v1/services/a/scale', headers: op, payload: { replicas: 2 } })).statusCode, 200);
  assert.equal((await app.inject({ method: 'POST', url: '/v1/nodes/node-1/availability', headers: op, payload: { availability: 'drain' } })).statusCode, 403);
  assert.equal((await app.inject({ method: 'POST', url: '/v1/cluster/token/rotate', headers: op })).statusCode, 403);
  assert.equal((await app.inject({ method: 'POST', url: '/v1/cluster/token/rotate', headers: auth })).statusCode, 200);
  assert.equal(backend.services.size, 1);
});

test('a client trickling a body is cut off after the request timeout, even after a 401', async (t) => {
  const app = createApiServer({ backend: new MemoryBackend(), token: TOKEN, requestTimeoutMs: 500 });
  const base = await listen(app);
  t.after(() => app.close());
  for (const authorization of [`Bearer ${TOKEN}`, 'Bearer wrong-token']) {
    const sock = connect(portOf(base), '127.0.0.1');
    sock.on('error', () => undefined); // EPIPE/ECONNRESET once the server hangs up: that is the point
    await new Promise((r) => sock.once('connect', r));
    sock.write(`POST /v1/services HTTP/1.1\r\nhost: x\r\nauthorization: ${authorization}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{`);
    const trickle = setInterval(() => sock.writable && sock.write(' '), 50);
    const closed = await closedWithin(sock, 5000);
    clearInterval(trickle);
    sock.destroy();
    assert.equal(closed, true, `${authorization}: connection still open after 5 s`);
  }
});

test('one client may not hold more than its share of connections', async (t) => {
  const app = createApiServer({ backend: new MemoryBackend(), token: TOKEN, maxConnectionsPerClient: 4 });
  const base = await listen(app);
  t.after(() => app.close());
  const socks: Socket[] = [];
  t.after(() => socks.forEach((s) => s.destroy()));
  for (let i = 0; i < 4; i++) {
    const s = connect(portOf(base), '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    socks.push(s);
  }
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(socks.every((s) => !s.destroyed), true);
  const fifth = connect(portOf(base), '127.0.0.1');
  socks.push(fifth);
  assert.equal(await closedWithin(fifth, 3000), true, 'the fifth connection is closed');
  socks[0].destroy();
  await new Promise((r) => setTimeout(r, 100));
  const again = connect(portOf(base), '127.0.0.1');
  socks.push(again);
  assert.equal(await closedWithin(again, 300), false, 'a freed slot can be used again');
});

test('event streams outlive the request timeout', async (t) => {
  const backend = new MemoryBackend();
  const app = createApiServer({ backend, token: TOKEN, requestTimeoutMs: 300 });
  const base = await listen(app);
  t.after(() => app.close());
  const abort = new AbortController();
  const res = await fetch(`${base}/v1/events`, { headers: auth, signal: abort.signal });
  await waitFor('the subscription', () => backend.eventSubscribers === 1);
  await new Promise((r) => setTimeout(r, 1200));
  await backend.createService({ name: 'web', image: 'nginx', replicas: 1 });
  for await (const msg of sseMessages(res.body!)) {
    assert.equal(JSON.parse(msg.data).type, 'service.create');
    break;
  }
  abort.abort();
});
