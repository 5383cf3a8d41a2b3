/**
 * Real processes on loopback: five `shoal agent`s with the exec driver,
 * killed with SIGKILL and frozen with SIGSTOP. Polls with deadlines; no
 * timing is asserted beyond "converges within the deadline".
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ShoalClient } from '@shoal/api';
import { taskProcesses, waitFor } from '@shoal/testkit';
import { apiCluster, leaderIndex, waitRunning, type ApiCluster } from './helpers.js';

let c: ApiCluster;

before(async () => {
  // 5 voters, as a 5-machine production cluster would run: losing a worker and then the leader keeps a
  // quorum without waiting for the autopilot's grace period (its decisions are unit-tested in autopilot.test).
  c = apiCluster({ size: 5, driver: 'exec', voters: 5 });
  await c.start();
});

after(async () => {
  await c?.stop();
});

test('API refuses a missing or wrong token and changes nothing', async () => {
  const base = `http://127.0.0.1:${c.nodes[0].apiPort}`;
  const res = await fetch(`${base}/v1/services`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', driver: 'exec', command: ['true'] }) });
  assert.equal(res.status, 401);
  await assert.rejects(new ShoalClient({ baseUrl: base, token: 'wrong-token-wrong-token' }).listServices(), (err: Error & { code?: string }) => err.code === 'UNAUTHORIZED');
  assert.equal((await c.client(0).listServices()).length, 0);
});

test('a 6-replica service survives kill -9 of a worker and of the leader, and converges to exactly 6 after they return', async () => {
  const leader0 = await leaderIndex(c);
  const follower = c.nodes.findIndex((_, i) => i !== leader0);
  // A write through a follower is forwarded to the leader.
  await c.client(follower).createService({ name: 'web', driver: 'exec', command: ['sleep', '100000'], replicas: 6 });
  const tasks = await waitRunning(c, 'web', 6);

  // kill -9 a worker that runs tasks (and its task processes: a lost machine).
  const byNode = new Map<string, number>();
  for (const t of tasks) byNode.set(t.nodeId!, (byNode.get(t.nodeId!) ?? 0) + 1);
  const worker = c.nodes.findIndex((n, i) => i !== leader0 && byNode.has(n.id!));
  assert.ok(worker >= 0, 'some non-leader node runs tasks');
  await c.kill(worker);
  await waitRunning(c, 'web', 6, { exclude: [c.nodes[worker].id!], via: [worker] });
  const down = await c.client(leader0).getNode(c.nodes[worker].id!);
  assert.equal(down.status, 'down');

  // kill -9 the leader: a new leader is elected, writes continue, the service converges.
  await c.kill(leader0);
  const leader1 = await leaderIndex(c, [worker, leader0]);
  assert.notEqual(leader1, leader0);
  await c.client(leader1).createService({ name: 'after-failover', driver: 'exec', command: ['sleep', '100000'], replicas: 1 });
  await waitRunning(c, 'web', 6, { exclude: [c.nodes[worker].id!, c.nodes[leader0].id!], via: [worker, leader0] });
  await waitRunning(c, 'after-failover', 1, { via: [worker, leader0] });

  // The killed nodes return: they rejoin, and the service has exactly 6 tasks running.
  await c.restart(worker);
  await c.restart(leader0);
  await waitFor('both nodes ready again', async () => {
    const nodes = await c.client(leader1).listNodes();
    return nodes.every((n) => n.status === 'ready');
  }, { timeoutMs: 30_000 });
  await waitRunning(c, 'web', 6);
  await c.client(leader1).removeService('after-failover');
});

test('a frozen node (SIGSTOP) is declared down and replaced; after SIGCONT it rejoins and stops its stale tasks', async () => {
  await c.client(0).createService({ name: 'frozen', driver: 'exec', command: ['sleep', '100000'], replicas: 4 });
  const tasks = await waitRunning(c, 'frozen', 4);
  const leader = await leaderIndex(c);
  const victim = c.nodes.findIndex((n, i) => i !== leader && tasks.some((t) => t.nodeId === n.id));
  const victimId = c.nodes[victim].id!;
  c.pause(victim);
  try {
    await waitRunning(c, 'frozen', 4, { exclude: [victimId], via: [victim] });
    assert.equal((await c.client(leader).getNode(victimId)).status, 'down');
  } finally {
    c.resume(victim);
  }
  await waitFor(`${c.nodes[victim].name} ready again`, async () => (await c.client(leader).getNode(victimId)).status === 'ready', { timeoutMs: 30_000 });
  // Its old tasks of `frozen` were replaced: the agent stops them.
  await waitFor('stale task processes stopped', async () => {
    const frozenOnVictim = (await c.client(leader).listTasks({ service: 'frozen', node: victimId })).length;
    return frozenOnVictim === 0 && taskProcesses(victimId, 'frozen').length === 0;
  }, { timeoutMs: 30_000 });
  await waitRunning(c, 'frozen', 4);
});

