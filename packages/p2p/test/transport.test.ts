import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ShoalError } from '@shoal/types';
import { waitFor } from '@shoal/testkit';
import { startCluster } from './cluster.js';

const cluster = await startCluster(3);
after(() => cluster.close());
const [a, b, c] = cluster.nodes;
cluster.mesh();

test('members connect to every member they know', async () => {
  await waitFor('full mesh', () => cluster.nodes.every((n) => n.connectedPeers().length >= 2), { timeoutMs: 5000 });
});

test('raft frames arrive in order, batched over one stream', async () => {
  const got: string[] = [];
  b.onRaft((from, frame) => {
    assert.equal(from, a.peerId);
    got.push(new TextDecoder().decode(frame));
  });
  const sent: string[] = [];
  for (let i = 0; i < 2000; i++) {
    sent.push(`m${i}`);
    a.sendRaft(b.peerId, [new TextEncoder().encode(`m${i}`)]);
    if (i % 100 === 0) await new Promise((r) => setImmediate(r));
  }
  a.sendRaft(b.peerId, [new Uint8Array(0), new Uint8Array(1 << 20).fill(7)]);
  await waitFor('all frames', () => got.length === 2002, { timeoutMs: 5000 });
  assert.deepEqual(got.slice(0, 2000), sent);
  assert.equal(got[2000], '');
  assert.equal(got[2001].length, 1 << 20);
  assert.equal(a.stats().raft.framesDropped, 0);
});

test('rpc round-trips JSON and maps errors to ShoalError', async () => {
  b.handle('echo', async (from, body) => ({ from, body }));
  b.handle('fail', async () => {
    throw new ShoalError('NOT_LEADER', 'not the leader; the leader is X');
  });
  b.handle('crash', async () => {
    throw new TypeError('secret internals');
  });
  b.handle('slow', () => new Promise((r) => setTimeout(() => r('late'), 2000)));
  assert.deepEqual(await a.request(b.peerId, 'echo', { x: [1, 'two'] }), { from: a.peerId, body: { x: [1, 'two'] } });
  await assert.rejects(a.request(b.peerId, 'fail', null), (e: unknown) => e instanceof ShoalError && e.code === 'NOT_LEADER' && /leader is X/.test(e.message));
  await assert.rejects(a.request(b.peerId, 'crash', null), (e: unknown) => e instanceof ShoalError && e.code === 'INTERNAL' && !/secret/.test(e.message));
  await assert.rejects(a.request(b.peerId, 'nope', null), (e: unknown) => e instanceof ShoalError && e.code === 'NOT_FOUND');
  await assert.rejects(a.request(b.peerId, 'slow', null, { timeoutMs: 200 }), (e: unknown) => e instanceof ShoalError && e.code === 'TIMEOUT');
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(a.request(b.peerId, 'slow', null, { signal: ac.signal }), (e: unknown) => e instanceof ShoalError && e.code === 'ABORTED');
  await assert.rejects(a.request(b.peerId, 'echo', 'x'.repeat(5 * 1024 * 1024)), (e: unknown) => e instanceof ShoalError && e.code === 'MESSAGE_TOO_LARGE');
});

test('direct and indirect pings', async () => {
  assert.ok((await a.ping(c.peerId)) >= 0);
  assert.equal(await a.indirectPing(b.peerId, c.peerId), true);
  assert.equal(await a.indirectPing(b.peerId, '12D3KooWGzBmcJ7N4cumP5nSQnyWhmvw6ZZ2ruHFSxCt9A9jJ5Nu'), false);
});
