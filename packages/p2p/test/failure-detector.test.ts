import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LivenessEvent } from '@shoal/membership';
import { FailureDetector } from '../src/index.js';
import { waitFor } from '@shoal/testkit';
import { startCluster } from './cluster.js';

const cluster = await startCluster(5);
cluster.mesh();
const events: (LivenessEvent & { observer: string })[] = [];
const memberships = cluster.nodes.map((node) => {
  const m = new FailureDetector({
    node,
    heartbeatSource: () => ({
      resources: { total: { cpuMillis: 2000, memoryBytes: 2 ** 30 }, free: { cpuMillis: 2000, memoryBytes: 2 ** 30 } },
      drivers: ['exec'],
      tasks: { running: 0, failed: 0, total: 0 },
      version: 'test',
    }),
  });
  m.on('change', (ev) => events.push({ ...ev, observer: node.peerId }));
  m.start();
  return m;
});
after(async () => {
  for (const m of memberships) m.stop();
  await cluster.close();
});
const stateAt = (i: number, id: string) => memberships[i].liveness.state(id);

test('5 nodes see each other alive within seconds', async () => {
  await waitFor('all alive', () => memberships.every((m, i) => cluster.nodes.every((n, j) => i === j || m.liveness.state(n.peerId) === 'alive')), { timeoutMs: 8000 });
});

test('a node silent for ~1 s (GC pause, still answering pings) is never declared down', async () => {
  const quiet = cluster.nodes[3].peerId;
  memberships[3].stop();
  await new Promise((r) => setTimeout(r, 1000));
  memberships[3].start();
  await waitFor('quiet node alive everywhere', () => [0, 1, 2, 4].every((i) => stateAt(i, quiet) === 'alive'), { timeoutMs: 3000 });
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(events.filter((e) => e.to === 'down'), []);
});

test('a hard-stopped node is declared down by every other node', async () => {
  const victim = cluster.nodes[4];
  memberships[4].stop();
  await victim.stop();
  // How fast is `npm run bench -- detect`'s job; here only that it happens (a loaded CI machine is slow).
  await waitFor('victim down everywhere', () => [0, 1, 2, 3].every((i) => stateAt(i, victim.peerId) === 'down'), { timeoutMs: 30_000 });
  const wrong = events.filter((e) => e.to === 'down' && e.nodeId !== victim.peerId);
  assert.deepEqual(wrong, [], 'no other node was declared down');
  for (const i of [0, 1, 2, 3]) assert.equal(stateAt(i, cluster.nodes[(i + 1) % 4].peerId), 'alive');
});
