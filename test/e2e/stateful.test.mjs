// A stateful stack on five Docker-in-Docker nodes: Redis reads its password
// from a secret (a tmpfs file at /run/secrets/db_password) and keeps its data
// in the stack-scoped named volume `app_data`. The data survives a rolling
// update (the replica goes back to the node that holds its volume) and a
// kill -9 of that node's agent (adopted, or replaced on the same node if the
// node was declared down meanwhile);
// the password is then rotated with a rolling update to a new secret. After
// all that, the password appears in no node's data dir, no agent log, no API
// answer and no `docker inspect` of the task container.
// Image: scripts/redis-image.sh (Debian's redis-server in a small image),
// loaded into every node's engine. Skips without Docker/docker-compose.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ComposeCluster, REPO, SIZE, containerName, missingPrerequisite, waitFor } from './lib/compose-cluster.mjs';

const skip = missingPrerequisite();
if (skip) test(`stateful e2e on Docker-in-Docker (skipped: ${skip})`, { skip }, () => {});
const log = (...a) => console.log('#', ...a);

const PASSWORD = `redis-${randomBytes(18).toString('hex')}`;
const PASSWORD2 = `redis2-${randomBytes(18).toString('hex')}`;
const SHOAL = join(REPO, 'packages', 'bin', 'shoal.js');

const COMPOSE = `
services:
  db:
    image: shoal-test/redis:7
    command: ["sh", "-c", "exec redis-server --requirepass \\"$$(cat /run/secrets/db_password)\\" --appendonly yes --dir /data"]
    secrets: [db_password]
    volumes: ["data:/data"]
    deploy:
      replicas: 1
      update_config: { parallelism: 1, order: stop-first }
secrets:
  db_password:
    file: ./db_password.txt
volumes:
  data: {}
`;

describe('a database with a secret password and a named volume', { skip: skip ?? false }, () => {
  const cluster = new ComposeCluster({ log });
  const answers = [];
  let dir;

  /** Runs the shoal CLI on the host against node 1's API; stdin optional. */
  async function shoal(args, input) {
    const token = await cluster.token(0);
    const r = spawnSync(process.execPath, [SHOAL, '--host', 'http://127.0.0.1:17071', ...args], { input, encoding: 'utf8', env: { ...process.env, SHOAL_TOKEN: token }, cwd: dir, timeout: 300_000 });
    answers.push(r.stdout, r.stderr);
    if (r.status !== 0) throw new Error(`shoal ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  }

  async function dbTask() {
    const tasks = await cluster.client(0).listTasks({ service: 'app_db' });
    answers.push(JSON.stringify(tasks));
    return tasks.find((t) => t.desiredState === 'running' && t.status.state === 'running');
  }

  async function redis(task, password, ...cmd) {
    const i = cluster.indexOf(task.nodeId);
    // redis-cli may exit non-zero on an error reply: the reply is what the test reads.
    const r = spawnSync('docker', ['exec', containerName(i), 'docker', 'exec', task.status.containerId, 'redis-cli', '--no-auth-warning', ...(password ? ['-a', password] : []), ...cmd], { encoding: 'utf8', timeout: 30_000 });
    return `${r.stdout}${r.stderr}`.trim();
  }

  before(async () => {
    const ms = cluster.buildImage();
    log(`node image ${cluster.image} ready in ${ms} ms`);
    execFileSync(join(REPO, 'scripts', 'redis-image.sh'), { stdio: ['ignore', 'ignore', 'inherit'] });
    await cluster.up();
    const tar = execFileSync('docker', ['save', 'shoal-test/redis:7'], { maxBuffer: 1 << 30 });
    for (let i = 0; i < SIZE; i++) execFileSync('docker', ['exec', '-i', containerName(i), 'docker', 'load'], { input: tar, stdio: ['pipe', 'ignore', 'inherit'] });
    dir = mkdtempSync(join(tmpdir(), 'shoal-stateful-'));
    writeFileSync(join(dir, 'db_password.txt'), PASSWORD);
    writeFileSync(join(dir, 'compose.yml'), COMPOSE);
  });

  after(async () => {
    if (process.env.SHOAL_E2E_KEEP !== '1') await cluster.down_().catch((e) => log(`teardown: ${e.message}`));
  });

  test('stack deploy: the password comes from a secret file, the data goes to app_data', async () => {
    const out = await shoal(['stack', 'deploy', '-c', 'compose.yml', 'app', '--timeout', '180s']);
    assert.match(out, /created secret app_db_password/);
    const t = await waitFor('redis running', 180_000, dbTask, 1000);
    assert.match(await redis(t, null, 'PING'), /NOAUTH/);
    assert.equal(await redis(t, PASSWORD, 'SET', 'answer', '42'), 'OK');
    assert.equal(await redis(t, PASSWORD, 'GET', 'answer'), '42');
    const mode = await cluster.exec(cluster.indexOf(t.nodeId), ['docker', 'exec', t.status.containerId, 'stat', '-c', '%a', '/run/secrets/db_password']);
    assert.equal(mode.trim(), '400');
    const vols = JSON.parse(await shoal(['volume', 'ls', '--json']));
    assert.deepEqual(vols.map((v) => [v.name, v.nodeId]), [['app_data', t.nodeId]]);
    await assert.rejects(shoal(['secret', 'rm', 'app_db_password']), /in use by service\(s\) app_db/);
  });

  test('a rolling update puts the replica back on the node that holds its volume; the data is there', async () => {
    const before = await dbTask();
    await shoal(['service', 'update', 'app_db', '-e', 'ROLLED=1', '--timeout', '180s']);
    const after = await waitFor('the updated replica running', 180_000, async () => {
      const t = await dbTask();
      return t && t.id !== before.id && t.spec.env?.ROLLED === '1' && t;
    }, 1000);
    assert.equal(after.nodeId, before.nodeId, 'sticky: same node as its data');
    const explain = JSON.parse(await shoal(['task', 'explain', after.id, '--json']));
    assert.match(explain.summary, /sticky: slot 1 stays on node\d, which holds volume app_data/);
    await waitFor('redis loaded its data', 30_000, async () => (await redis(after, PASSWORD, 'GET', 'answer')) === '42', 1000);
  });

  test('restarting the agent of that node keeps the replica on that node with its data', async () => {
    const t = await dbTask();
    const i = cluster.indexOf(t.nodeId);
    // The node's supervisor (scripts/node-image-entrypoint.sh, as systemd would) restarts the agent; the task container keeps running.
    const pid = (await cluster.exec(i, ['cat', '/run/shoal-agent.pid'])).trim();
    assert.match(pid, /^\d+$/, 'the supervisor wrote the agent pid');
    await cluster.exec(i, ['node', '-e', `process.kill(${pid}, 'SIGKILL')`]);
    await waitFor(`node${i + 1} agent back`, 120_000, async () => {
      const now = (await cluster.exec(i, ['cat', '/run/shoal-agent.pid']).catch(() => '')).trim();
      return now !== pid && (await cluster.client(i, 3000).health()).ok;
    }, 1000);
    // A quick restart is adopted (same task, same container); if the old task ended meanwhile (e.g. the
    // failure detector declared the node down first), the slot's replacement is pinned to the node
    // that holds its volume and starts there on the same data. Either way the data is there.
    const again = await waitFor('the slot running again', 120_000, async () => {
      const now = await dbTask();
      return now && (await redis(now, PASSWORD, 'GET', 'answer')) === '42' && now;
    }, 1000).catch(async (err) => {
      const tasks = await cluster.client(0).listTasks({ service: 'app_db', all: true });
      log(JSON.stringify(tasks.map((x) => ({ id: x.id, node: x.nodeId, desired: x.desiredState, state: x.status.state, msg: x.status.message }))));
      throw err;
    });
    assert.equal(again.nodeId, t.nodeId, 'the replica stays on the node that holds its volume');
    if (again.id === t.id) log('the restarted agent adopted the running container');
    else {
      const old = (await cluster.client(0).listTasks({ service: 'app_db', all: true })).find((x) => x.id === t.id);
      log(`task ${again.id} replaced ${t.id} on the same node; the old one ended ${old?.status.state}: ${old?.status.message}`);
    }
  });

  test('rotation: a new secret from stdin and a rolling update; the old secret can then be removed', async () => {
    await shoal(['secret', 'create', 'db_password2', '-'], PASSWORD2);
    await shoal(['cluster', 'rotate-key']).catch(async (err) => {
      // rotate-key runs on the leader: ask node 1, and if it is not the leader, the leader's own API.
      if (!/against the leader/.test(err.message)) throw err;
      const st = await cluster.client(0).clusterStatus();
      const leader = cluster.indexOf(st.leader.id);
      const r = await cluster.localPost(leader, '/v1/cluster/rotate-key', {});
      assert.equal(r.status, 200, r.body);
    });
    const before = await dbTask();
    await shoal(['service', 'update', 'app_db', '--secret-rm', 'app_db_password', '--secret-add', 'source=db_password2,target=db_password', '--timeout', '180s']);
    const after = await waitFor('the replica on the new secret', 180_000, async () => {
      const t = await dbTask();
      return t && t.id !== before.id && t.spec.secrets?.[0]?.source === 'db_password2' && t;
    }, 1000);
    assert.equal(after.nodeId, before.nodeId);
    await waitFor('redis with the new password and the old data', 30_000, async () => (await redis(after, PASSWORD2, 'GET', 'answer')) === '42', 1000);
    assert.match(await redis(after, PASSWORD, 'PING'), /WRONGPASS|NOAUTH|invalid/i);
    await waitFor('the old secret removable', 60_000, async () => {
      await shoal(['secret', 'rm', 'app_db_password']);
      return true;
    }, 2000);
  });

  test('grep: no password in any data dir, agent log, API answer or container config', async () => {
    for (let i = 0; i < SIZE; i++) {
      const c = cluster.client(i);
      for (const p of [c.listServices(), c.listTasks({ all: true }), c.listNodes(), c.listSecrets('secret'), c.getSecret('secret', 'db_password2'), c.clusterStatus(), c.metrics()]) answers.push(JSON.stringify(await p));
    }
    const t = await dbTask();
    const inspect = await cluster.exec(cluster.indexOf(t.nodeId), ['docker', 'inspect', t.status.containerId]);
    for (const pw of [PASSWORD, PASSWORD2]) {
      const needles = [pw, Buffer.from(pw).toString('base64')];
      for (let i = 0; i < SIZE; i++) {
        for (const n of needles) {
          const r = spawnSync('docker', ['exec', containerName(i), 'grep', '-r', '-l', '-F', n, '/var/lib/shoal'], { encoding: 'utf8' });
          assert.equal(r.status, 1, `node${i + 1} data dir holds a password: ${r.stdout}`);
          assert.ok(!(await cluster.logs(i, 100000)).includes(n), `node${i + 1} agent log holds a password`);
        }
      }
      for (const n of needles) {
        assert.ok(!answers.join('\n').includes(n), 'an API answer or CLI output holds a password');
        assert.ok(!inspect.includes(n), 'docker inspect of the task holds a password');
      }
    }
  });
});
