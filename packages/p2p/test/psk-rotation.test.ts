/**
 * The key ring behind PSK rotation, over real libp2p connections: each
 * direction is encrypted under its sender's key and the receiver detects it,
 * so nodes in different phases of a rotation keep talking, and a node
 * holding no accepted key is shut out.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createP2PNode, PskRing, type P2PNode } from '../src/index.js';

const OLD = new Uint8Array(randomBytes(32));
const NEW = new Uint8Array(randomBytes(32));
const nodes: P2PNode[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.allSettled(nodes.map((n) => n.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function node(ring: PskRing): Promise<P2PNode> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-psk-'));
  dirs.push(dir);
  const n = await createP2PNode({ dataDir: dir, listen: ['/ip4/127.0.0.1/tcp/0'], psk: ring.dial(), pskRing: ring, allow: () => true });
  n.handle('echo', async (from, body) => ({ from, body }));
  await n.start();
  nodes.push(n);
  return n;
}

async function talks(a: P2PNode, b: P2PNode): Promise<boolean> {
  try {
    await a.dial(b.addresses()[0], AbortSignal.timeout(3000));
    const res = (await a.request(b.peerId, 'echo', 'hi', { timeoutMs: 3000 })) as { from: string };
    return res.from === a.peerId;
  } catch {
    return false;
  }
}

test('nodes in every phase of a rotation talk to each other; only a node without an accepted key is shut out', async () => {
  const staged = await node(new PskRing(OLD, [OLD, NEW])); // accepts both, dials with the old key
  const switched = await node(new PskRing(NEW, [OLD, NEW])); // accepts both, dials with the new key
  const finished = await node(new PskRing(NEW, [NEW])); // the new key only
  const stale = await node(new PskRing(OLD, [OLD])); // never heard of the rotation

  // Negative cases first: an open connection (either way) would be reused.
  assert.equal(await talks(staged, finished), false, 'staged dials with the old key, which finished no longer accepts');
  assert.ok(await talks(staged, switched), 'staged -> switched');
  assert.ok(await talks(switched, staged), 'switched -> staged');
  assert.ok(await talks(switched, finished), 'switched -> finished');
  assert.ok(await talks(finished, staged), 'finished -> staged');
  // A stale node reaches nodes that still accept the old key, and they answer it under that key...
  assert.ok(await talks(stale, switched), 'stale -> switched, answered under the old key');
  // ... but nobody reaches it with the new key, and the finished node refuses it.
  assert.equal(await talks(finished, stale), false);
  assert.equal(await talks(stale, finished), false);
});

test('a ring change applies to the next connections', async () => {
  const ring = new PskRing(OLD, [OLD]);
  const a = await node(ring);
  const b = await node(new PskRing(NEW, [NEW]));
  assert.equal(await talks(b, a), false);
  ring.set(NEW, [OLD, NEW]);
  assert.ok(await talks(b, a));
});
