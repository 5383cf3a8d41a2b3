/**
 * Operator flows against three real agents on loopback: logs from every
 * node, drain, a failing rolling update rolled back automatically, a good
 * update, and the event stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@shoal/testkit';
import { clusterPerFile, running } from './helpers.js';

const file = clusterPerFile({ size: 3, driver: 'exec' }, 1, async ({ cl }) => {
  await cl.createService({ name: 'app', driver: 'exec', command: ['sh', '-c', 'echo hello from $SHOAL_SLOT; sleep 100000'], replicas: 3 });
  await waitFor('3 running', async () => running(await cl.listTasks({ service: 'app' })).length === 3, { timeoutMs: 30_000 });
});

test('service logs gathers every task, local or on other nodes', async () => {
  const lines = await waitFor('a line from each task', async () => {
    const got: string[] = [];
    for await (const l of file.cl.serviceLogs('app', { follow: false })) got.push(`${l.slot}:${l.line}`);
    return got.length >= 3 && got;
  }, { timeoutMs: 10_000 });
  assert.deepEqual(lines.sort(), ['1:hello from 1', '2:hello from 2', '3:hello from 3']);
});

test('draining a node moves its tasks away; activating it makes it eligible again', async () => {
  const n2 = file.c.nodes[1].id!;
  await file.cl.setNodeAvailability(n2, 'drain');
  await waitFor('tasks off the drained node', async () => {
    const r = running(await file.cl.listTasks({ service: 'app' }));
    return r.length === 3 && r.every((t) => t.nodeId !== n2);
  }, { timeoutMs: 30_000 });
  assert.equal((await file.cl.getNode(n2)).availability, 'drain');
  await file.cl.setNodeAvailability(n2, 'active');
  assert.equal((await file.cl.getNode(n2)).availability, 'active');
});

test('an update whose tasks fail is rolled back automatically, then a good update completes', async () => {
  const before = await file.cl.getService('app');
  await file.cl.updateService('app', { ...before.spec, command: ['sh', '-c', 'exit 3'], update: { parallelism: 1, failureAction: 'rollback', monitorMs: 2000 } });
  const rolledBack = await waitFor('rollback completed', async () => {
    const s = await file.cl.getService('app');
    return s.updateStatus?.state === 'rollback_completed' && s;
  }, { timeoutMs: 90_000, everyMs: 250 });
  assert.deepEqual(rolledBack.spec.command, before.spec.command);
  await waitFor('3 running the old command', async () => {
    const r = running(await file.cl.listTasks({ service: 'app' }));
    return r.length === 3 && r.every((t) => t.spec.command?.[2] === before.spec.command?.[2]);
  }, { timeoutMs: 30_000 });

  const current = await file.cl.getService('app');
  await file.cl.updateService('app', { ...current.spec, command: ['sh', '-c', 'echo v2; sleep 100000'], update: { parallelism: 2 } });
  await waitFor('update completed', async () => (await file.cl.getService('app')).updateStatus?.state === 'completed', { timeoutMs: 90_000, everyMs: 250 });
  await waitFor('3 running v2', async () => {
    const r = running(await file.cl.listTasks({ service: 'app' }));
    return r.length === 3 && r.every((t) => t.spec.command?.[2] === 'echo v2; sleep 100000');
  }, { timeoutMs: 30_000 });
});

test('the event stream reports committed changes as they happen', async () => {
  const ac = new AbortController();
  const seen: string[] = [];
  const reading = (async () => {
    for await (const e of file.cl.events(ac.signal)) {
      seen.push(e.type);
      if (e.type === 'task.status') ac.abort();
    }
  })();
  await new Promise((r) => setTimeout(r, 200));
  await file.cl.scaleService('app', 4);
  await Promise.race([reading.catch(() => undefined), new Promise((r) => setTimeout(r, 20_000))]);
  ac.abort();
  assert.ok(seen.includes('service.scale'), `events seen: ${seen.join(', ')}`);
  assert.ok(seen.includes('task.create'));
});

test('a dry-run update returns the plan and changes nothing', async () => {
  const s = await file.cl.getService('app');
  const plan = await file.cl.planServiceUpdate('app', { ...s.spec, command: ['sh', '-c', 'sleep 5'] });
  assert.equal(plan.replace, (await file.cl.listTasks({ service: 'app' })).length);
  assert.ok(plan.changes.some((ch) => ch.path === 'command'));
  assert.equal((await file.cl.getService('app')).version, s.version);
});
