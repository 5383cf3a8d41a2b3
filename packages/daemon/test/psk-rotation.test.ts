/**
 * `shoal cluster rotate-psk` on a real 3-node cluster: writes through a
 * follower keep succeeding while the key changes, every node ends on the
 * new key only, a restarted node comes back on it, new join tokens carry it
 * and open the resealed join secret, and the old key no longer connects.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createP2PNode, decodeJoinToken } from '@shoal/p2p';
import { waitFor } from '@shoal/testkit';
import { apiCluster, leaderIndex } from './helpers.js';

const c = apiCluster({ size: 3, voters: 3 });
const scratch = mkdtempSync(join(tmpdir(), 'shoal-psk-'));
after(async () => {
  await c.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const identityOf = (i: number) => JSON.parse(readFileSync(join(c.nodes[i].dataDir, 'cluster.json'), 'utf8')) as { psk: string; pskAccept?: string[]; rotation?: unknown };

test('rotate-psk changes the cluster key with writes succeeding throughout; the old key is shut out', async () => {
  await c.start();
  const oldPsk = identityOf(0).psk;
  const leader = await leaderIndex(c);
  const follower = [0, 1, 2].find((i) => i !== leader)!;
  await c.client(follower).createService({ name: 'w', driver: 'exec', command: ['sleep', '1000'], replicas: 0 });

  // A write every ~100 ms through a follower (forwarded to the leader over libp2p) while the key changes.
  let writes = 0;
  const failures: string[] = [];
  let stop = false;
  const writer = (async () => {
    while (!stop) {
      try {
        await c.client(follower).scaleService('w', writes % 2);
        writes++;
      } catch (err) {
        failures.push((err as Error).message);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const before = writes;
  const result = await c.client(leader).rotatePsk();
  // Keep writing a little after the finish: connections made from now on use the new key only.
  const after = writes;
  await waitFor('writes after the rotation', () => writes >= after + 5, { timeoutMs: 30_000 });
  stop = true;
  await writer;
  assert.deepEqual(failures, []);
  assert.ok(after > before, `writes went on during the rotation (${after - before})`);
  assert.equal(result.members, 3);
  assert.deepEqual(result.unreached, []);

  const newPsk = identityOf(0).psk;
  assert.notEqual(newPsk, oldPsk);
  for (const i of [0, 1, 2]) {
    const id = identityOf(i);
    assert.equal(id.psk, newPsk, `node${i + 1} dials with the new key`);
    assert.equal(id.pskAccept, undefined, `node${i + 1} accepts only the new key`);
    assert.equal(id.rotation, undefined);
  }

  // Join tokens carry the new key and open the resealed secret on every node.
  for (const i of [0, 1, 2]) {
    const t = decodeJoinToken((await c.client(i).showToken()).token);
    assert.equal(Buffer.from(t.psk).toString('hex'), newPsk);
  }

  // A node restarted after the rotation comes back on the new key.
  await c.kill(follower, 'SIGTERM');
  await c.restart(follower);
  await c.waitHealthyVoters(3);

  // A peer holding only the old key cannot even finish a connection handshake.
  const outsider = await createP2PNode({ dataDir: join(scratch, 'outsider'), listen: ['/ip4/127.0.0.1/tcp/0'], psk: new Uint8Array(Buffer.from(oldPsk, 'hex')), allow: () => true });
  await outsider.start();
  try {
    await assert.rejects(outsider.dial(`/ip4/127.0.0.1/tcp/${c.nodes[leader].p2pPort}`, AbortSignal.timeout(3000)));
  } finally {
    await outsider.stop();
  }
});
