/**
 * A cluster that lost quorum answers writes with NO_QUORUM (503) after
 * retrying, never a 500 carrying a libp2p dial error, whether the surviving
 * node still believes in its dead leader or already knows there is none.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { apiCluster, leaderIndex } from './helpers.js';

const c = apiCluster({ size: 3, voters: 3 });
after(() => c.stop());

async function write(i: number, name: string): Promise<{ status: number; body: { error?: { code: string; message: string } }; ms: number }> {
  const { baseUrl, token } = c.connection(i);
  const t0 = Date.now();
  const res = await fetch(`${baseUrl}/v1/services`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, driver: 'exec', command: ['sleep', '100'], replicas: 1 }),
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } }, ms: Date.now() - t0 };
}

test('writes to a cluster without quorum end in NO_QUORUM 503, with the reason', async () => {
  await c.start();
  const leader = await leaderIndex(c);
  const follower = [0, 1, 2].find((i) => i !== leader)!;
  const survivor = [0, 1, 2].find((i) => i !== leader && i !== follower)!;
  // Both at once, then write at once: the survivor still points at its dead leader and must dial it.
  await Promise.all([c.kill(leader), c.kill(follower)]);
  const first = await write(survivor, 'first');
  assert.equal(first.status, 503, JSON.stringify(first.body));
  assert.equal(first.body.error?.code, 'NO_QUORUM');
  assert.match(first.body.error!.message, /no leader could commit the change .* voters are reachable/);
  // Later, once it knows there is no leader: the same answer.
  const later = await write(survivor, 'later');
  assert.equal(later.status, 503, JSON.stringify(later.body));
  assert.equal(later.body.error?.code, 'NO_QUORUM');
  // Reads keep working from the survivor's replica.
  const { baseUrl, token } = c.connection(survivor);
  const list = await fetch(`${baseUrl}/v1/services`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(list.status, 200);
});
