/**
 * Cluster API tokens with roles, the audit trail and `cluster update`, over
 * real HTTP and the real CLI, on four agents (three voters and a learner).
 * Tokens are valid on every node; writes made through a follower carry the
 * token to the leader, which checks it again; a learner's own api.token is
 * not an admin's beyond its node.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { ShoalClient } from '@shoal/api';
import { SHOAL_BIN, waitFor } from '@shoal/testkit';
import { apiCluster, type ApiCluster } from './helpers.js';

let c: ApiCluster;
let learner: number;
let voter: number;

/** The `shoal` CLI against node i, as `token` (default: that node's own api.token). */
function shoal(i: number, args: string[], token?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const conn = c.connection(i);
  return new Promise((resolve) => {
    execFile(process.execPath, [SHOAL_BIN, '--host', conn.baseUrl, ...args], { timeout: 60_000, env: { ...process.env, SHOAL_TOKEN: token ?? conn.token } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const as = (i: number, token: string) => new ShoalClient({ baseUrl: c.connection(i).baseUrl, token });
const exec = (name: string) => ({ name, driver: 'exec' as const, command: ['sleep', '100000'], replicas: 1 });

before(async () => {
  c = apiCluster({ size: 4, driver: 'exec', voters: 3 });
  await c.start();
  const st = await c.client(0).clusterStatus();
  await waitFor('one learner', async () => (await c.client(0).clusterStatus()).learners.length === 1, { timeoutMs: 30_000 });
  const learnerId = (await c.client(0).clusterStatus()).learners[0].id;
  learner = c.nodes.findIndex((n) => n.id === learnerId);
  voter = c.nodes.findIndex((n) => n.id !== learnerId && n.id !== st.leader?.id);
});

after(async () => {
  await c?.stop();
});

test('tokens by role: created once, valid on every node, checked by the leader for writes from any node', async () => {
  const created = await shoal(0, ['token', 'create', 'ci', '--role', 'operator']);
  assert.equal(created.code, 0, created.stderr);
  const ci = created.stdout.trim();
  assert.match(ci, /^shoal_[A-Za-z0-9_-]{43}$/);
  assert.match(created.stderr, /not shown again/);
  const viewer = (await c.client(0).createApiToken('viewer', 'read-only')).token;

  // A learner's own token reads its node, but the leader does not take it for a write.
  await assert.rejects(c.client(learner).createService(exec('mine')), { code: 'FORBIDDEN', message: /learner/ });
  // The operator's token works through the learner and through a voter alike.
  await waitFor('the token on the learner', async () => (await as(learner, ci).listServices()) !== null, { timeoutMs: 15_000 });
  await as(learner, ci).createService(exec('web'));
  await as(voter, ci).scaleService('web', 2);
  // Roles: an operator cannot change the cluster; a read-only token cannot write.
  await assert.rejects(as(voter, ci).updateClusterSettings({ allowDangerous: true }), { code: 'FORBIDDEN' });
  await waitFor('the viewer token on the voter', async () => (await as(voter, viewer).listServices()).length === 1, { timeoutMs: 15_000 });
  await assert.rejects(as(voter, viewer).scaleService('web', 3), { code: 'FORBIDDEN' });

  const ls = await shoal(0, ['token', 'ls', '--json']);
  const listed = JSON.parse(ls.stdout) as { name: string; role: string; createdBy?: string; token?: string }[];
  assert.deepEqual(listed.map((t) => [t.name, t.role, t.createdBy]), [['ci', 'operator', 'node:node1'], ['viewer', 'read-only', 'node:node1']]);
  assert.ok(!ls.stdout.includes(ci) && !listed.some((t) => 'token' in t || 'hash' in t));

  const revoked = await shoal(0, ['token', 'revoke', 'ci']);
  assert.equal(revoked.code, 0, revoked.stderr);
  for (const i of [0, voter, learner]) {
    await waitFor(`node${i + 1} to refuse the revoked token`, () => as(i, ci).listServices().then(() => false, (e: { code?: string }) => e.code === 'UNAUTHORIZED'), { timeoutMs: 15_000 });
  }
});

test('`cluster update --allow-dangerous[=false]` (admin) changes the setting, emits an event, and the audit trail names who did what', async () => {
  const svc = { ...exec('root'), privileged: true };
  await assert.rejects(c.client(voter).validateService(svc), { code: 'DANGEROUS_SPEC', message: /shoal cluster update --allow-dangerous/ });
  const events = (async () => {
    const abort = AbortSignal.timeout(30_000);
    for await (const e of c.client(voter).events(abort)) if (e.type === 'cluster.config') return e;
    return null;
  })();
  const on = await shoal(voter, ['cluster', 'update', '--allow-dangerous']);
  assert.equal(on.code, 0, on.stderr);
  assert.match(on.stdout, /allowDangerous: true/);
  assert.match((await events)?.summary ?? '', /allowDangerous=true \(by node:node\d\)/);
  await waitFor('the setting on the voter', async () => (await c.client(voter).clusterSettings()).allowDangerous, { timeoutMs: 15_000 });
  await c.client(voter).validateService(svc);
  const off = await shoal(0, ['cluster', 'update', '--allow-dangerous=false']);
  assert.equal(off.code, 0, off.stderr);
  assert.equal((await c.client(0).clusterSettings()).allowDangerous, false);

  const audit = await shoal(0, ['events', '--audit', '--json']);
  assert.equal(audit.code, 0, audit.stderr);
  const rows = audit.stdout.trim().split('\n').map((l) => JSON.parse(l) as { by: string; type: string; subject: string; ok: boolean });
  const seen = rows.map((r) => `${r.by} ${r.type} ${r.subject} ${r.ok}`);
  for (const want of ['node:node1 apitoken.create ci true', 'ci service.create web true', 'ci service.scale web true', 'node:node1 apitoken.revoke ci true', 'node:node1 cluster.config cluster true']) {
    assert.ok(seen.includes(want), `${want} in\n${seen.join('\n')}`);
  }
  const table = await shoal(0, ['events', '--audit']);
  assert.match(table.stdout, /BY\s+COMMAND/);
  // Reading the audit trail is an admin's.
  const viewer = (await c.client(0).createApiToken('auditor', 'read-only')).token;
  await waitFor('the auditor token', async () => (await as(0, viewer).listServices()).length >= 1, { timeoutMs: 15_000 });
  await assert.rejects(as(0, viewer).audit(), { code: 'FORBIDDEN' });
});
