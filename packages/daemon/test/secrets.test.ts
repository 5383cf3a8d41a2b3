/**
 * Secrets end to end on four real agents (3 voters, 1 learner), exec driver:
 * a secret and a config reach a task as files, the value appears in no data
 * dir, log or API answer, removal is refused while in use, and a key
 * rotation followed by a rolling update to a new secret works.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ShoalClient, type ClusterEvent } from '@shoal/api';
import { waitFor } from '@shoal/testkit';
import { taskFilesDir } from '../src/node-secrets.js';
import { apiCluster, leaderIndex, running, type ApiCluster } from './helpers.js';

const VALUE = `pw-${randomBytes(24).toString('hex')}`;
const VALUE2 = `pw2-${randomBytes(24).toString('hex')}`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
/** The task proves it read the file without printing it: the hash, the mode, the config's text. */
const SCRIPT = 'f=$SHOAL_SECRETS_DIR/dbpass; echo "hash=$(sha256sum $f | cut -c1-64) mode=$(stat -c %a $f) cfg=$(cat $SHOAL_CONFIGS_DIR/app.conf)"; exec sleep 100000';

let c: ApiCluster;
let cl: ShoalClient;
const events: ClusterEvent[] = [];
const stopEvents = new AbortController();
const responses: string[] = [];

/** Every API answer the test sees is kept for the grep at the end. */
async function seen<T>(p: Promise<T>): Promise<T> {
  const v = await p;
  responses.push(JSON.stringify(v ?? null));
  return v;
}

async function logLines(service: string): Promise<string[]> {
  const got: string[] = [];
  for await (const l of cl.serviceLogs(service, { follow: false })) got.push(l.line);
  responses.push(got.join('\n'));
  return got;
}

before(async () => {
  c = apiCluster({ size: 4, driver: 'exec' });
  await c.start();
  // Writes go through the learner (node4), which seals values too; a learner's own token is not an admin's beyond its node, so use a cluster token.
  const admin = await c.client(0).createApiToken('secrets-test', 'admin');
  cl = new ShoalClient({ baseUrl: c.connection(3).baseUrl, token: admin.token });
  void (async () => {
    for await (const e of c.client(0).events(stopEvents.signal)) events.push(e);
  })().catch(() => undefined);
});

after(async () => {
  stopEvents.abort();
  await c?.stop();
});

test('a secret and a config reach an exec task as private files', async () => {
  await waitFor('the store key', async () => {
    try {
      return await seen(cl.createSecret('secret', { name: 'dbpass', data: Buffer.from(VALUE).toString('base64') }));
    } catch (err) {
      if ((err as Error).message.includes('no secret store key yet')) return false;
      throw err;
    }
  }, { timeoutMs: 20_000 });
  await seen(cl.createSecret('config', { name: 'app.conf', data: Buffer.from('port=6379').toString('base64') }));
  await seen(cl.createService({ name: 'db', driver: 'exec', command: ['sh', '-c', SCRIPT], replicas: 2, secrets: [{ source: 'dbpass' }], configs: [{ source: 'app.conf' }] }));
  const line = await waitFor('the task read its secret', async () => (await logLines('db')).filter((l) => l.startsWith('hash=')).length === 2 && (await logLines('db'))[0], { timeoutMs: 120_000, everyMs: 500 });
  assert.equal(line, `hash=${sha(VALUE)} mode=400 cfg=port=6379`);
  const meta = await seen(cl.getSecret('secret', 'dbpass'));
  assert.deepEqual([meta.name, meta.size, meta.usedBy, meta.data], ['dbpass', VALUE.length, ['db'], undefined]);
  const tasks = running(await seen(cl.listTasks({ service: 'db' })));
  for (const t of tasks) {
    const dir = join(taskFilesDir(c.nodes.find((n) => n.id === t.nodeId)!.id!), t.id);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  }
});

test('removing a secret in use is refused, naming the service', async () => {
  // Only the refusal counts; a busy machine may briefly lose its leader, which is retried.
  const refusal = await waitFor('the refusal', async () => {
    try {
      await cl.removeSecret('secret', 'dbpass');
      return 'removed';
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.code === 'CONFLICT') return e.message;
      throw err;
    }
  }, { timeoutMs: 60_000, everyMs: 500 });
  assert.match(refusal, /in use by service\(s\) db/);
  await assert.rejects(cl.createSecret('secret', { name: 'dbpass', data: Buffer.from('other').toString('base64') }), /already exists/);
});

test('rotate-key re-seals the store; a rolling update switches the service to a new secret; the old one can then go', async () => {
  const leader = await leaderIndex(c);
  const r = await seen(c.client(leader).rotateStoreKey());
  assert.equal(r.resealed, 1);
  await seen(cl.createSecret('secret', { name: 'dbpass2', data: Buffer.from(VALUE2).toString('base64') }));
  const svc = await seen(cl.getService('db'));
  await seen(cl.updateService('db', { ...svc.spec, secrets: [{ source: 'dbpass2', target: 'dbpass' }], update: { parallelism: 1 } }));
  await waitFor('both tasks on the new secret', async () => {
    const r = running(await cl.listTasks({ service: 'db' }));
    const lines = await logLines('db');
    return r.length === 2 && r.every((t) => t.spec.secrets?.[0].source === 'dbpass2') && lines.filter((l) => l.includes(sha(VALUE2))).length >= 2;
  }, { timeoutMs: 60_000 });
  await waitFor('the old secret unused', async () => {
    await cl.removeSecret('secret', 'dbpass');
    return true;
  }, { timeoutMs: 30_000 });
  assert.deepEqual((await seen(cl.listSecrets('secret'))).map((s) => s.name), ['dbpass2']);
});

test('the task files go when the service goes', async () => {
  const ids = (await cl.listTasks({ service: 'db' })).map((t) => ({ id: t.id, node: t.nodeId! }));
  await cl.removeService('db');
  await waitFor('task file dirs removed', async () => ids.every((t) => !existsSync(join(taskFilesDir(t.node), t.id))), { timeoutMs: 30_000 });
});

test('no secret value in any data dir, log, API answer or event', async () => {
  for (const i of c.nodes.keys()) {
    const cc = c.client(i);
    await Promise.all([seen(cc.listNodes()), seen(cc.listServices()), seen(cc.listTasks({ all: true })), seen(cc.clusterStatus()), seen(cc.listSecrets('secret')), seen(cc.listSecrets('config')), seen(cc.metrics())]);
  }
  const needles = [VALUE, VALUE2].flatMap((v) => [v, Buffer.from(v).toString('base64'), Buffer.from(v).toString('hex')]);
  const hay: { where: string; text: Buffer }[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) hay.push({ where: p, text: readFileSync(p) });
    }
  };
  walk(c.root); // every node's data dir (Raft log, snapshots, LevelDB, keys, exec task logs) and every agent log
  assert.ok(hay.some((h) => h.where.endsWith('.log')) && hay.some((h) => h.where.includes('raft')), 'expected agent logs and Raft data');
  hay.push({ where: 'API answers', text: Buffer.from(responses.join('\n')) });
  hay.push({ where: 'events', text: Buffer.from(JSON.stringify(events)) });
  assert.ok(events.some((e) => e.type === 'secret.create'), 'the event stream was recorded');
  for (const { where, text } of hay) for (const n of needles) assert.ok(!text.includes(n), `found a secret value in ${where}`);
});
