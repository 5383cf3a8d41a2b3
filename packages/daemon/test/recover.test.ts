/**
 * Recovery from quorum loss with real agents: three voters, two lost for
 * good; the survivor is stopped, recovered from its data dir, and leads
 * alone with every acknowledged write; a second survivor started with its
 * old data dir rejoins on its own.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@shoal/testkit';
import { recoverDataDir } from '../src/recover.js';
import { apiCluster, type ApiCluster } from './helpers.js';

let c: ApiCluster | undefined;
after(async () => {
  await c?.stop();
});

test('a survivor recovered as a single voter keeps every acked write and takes the others back', async () => {
  c = apiCluster({ size: 3, driver: 'exec', voters: 3 });
  await c.start();
  const cl = c.client(0);
  const acked: string[] = [];
  for (let i = 0; i < 5; i++) {
    await cl.createService({ name: `keep-${i}`, driver: 'exec', command: ['sleep', '100000'], replicas: 0 });
    acked.push(`keep-${i}`);
  }
  // Every node has the writes (a survivor must hold them), then two machines are lost.
  await waitFor('writes on node2', async () => (await c!.client(1).listServices()).length === 5, { timeoutMs: 20_000 });
  await c.kill(2);
  await c.kill(0);
  const write = await c.client(1).createService({ name: 'no-quorum', driver: 'exec', command: ['sleep', '1'], replicas: 0 }).then(() => 'ok', (e: Error) => e.message);
  assert.notEqual(write, 'ok', 'without quorum a write fails');
  // Guided recovery on the stopped survivor.
  await c.kill(1, 'SIGTERM');
  const lines: string[] = [];
  const dry = await recoverDataDir({ dataDir: c.nodes[1].dataDir, peers: [], yes: false, out: (l) => lines.push(l), confirm: async () => false });
  assert.equal(dry.recovered, false, 'nothing changes without confirmation');
  assert.ok(lines.some((l) => /last index \d+/.test(l)), lines.join('\n'));
  const res = await recoverDataDir({ dataDir: c.nodes[1].dataDir, peers: [], yes: true, out: () => undefined, confirm: async () => false });
  assert.equal(res.recovered, true);
  const t0 = Date.now();
  await c.restart(1);
  const st = await c.client(1).clusterStatus();
  assert.equal(st.leader?.id, c.nodes[1].id);
  assert.deepEqual(st.voters.map((v) => v.id), [c.nodes[1].id]);
  const names = (await c.client(1).listServices()).map((s) => s.spec.name).sort();
  for (const n of acked) assert.ok(names.includes(n), `acked write ${n} survived recovery`);
  await c.client(1).createService({ name: 'after-recovery', driver: 'exec', command: ['sleep', '1'], replicas: 0 });
  console.log(`# recovered node led and took a write ${Date.now() - t0} ms after restart`);
  // Another survivor comes back with its old data dir and is taken back into the membership.
  await c.restart(0);
  await waitFor('node1 back in the membership', async () => {
    const s = await c!.client(1).clusterStatus();
    return [...s.voters, ...s.learners].some((m) => m.id === c!.nodes[0].id && m.healthy);
  }, { timeoutMs: 60_000 });
  await waitFor('node1 has the write made after recovery', async () => (await c!.client(0).listServices()).some((s) => s.spec.name === 'after-recovery'), { timeoutMs: 30_000 });
});
