// Service networking on five Docker-in-Docker machines: the Docker docs'
// Compose "get started" app (Flask page counter reaching `redis` by name),
// deployed with `shoal stack deploy` from a Compose file unmodified apart
// from image names (images built from Debian packages by
// scripts/app-images.sh). The published port answers on every node, including
// nodes that run no task (routing mesh); the app answers again after the node
// running redis, then one running web, then the leader's node are killed; a
// second stack with the same service names stays isolated; a rolling update
// of web under steady load drops no request.
// Skips when Docker or docker-compose is missing (scripts/e2e-prereqs.sh).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ComposeCluster, REPO, SIZE, missingPrerequisite, nodeIp, apiPort, waitFor } from './lib/compose-cluster.mjs';
import { runningTasks, waitReplicas } from './lib/invariants.mjs';
import { get, steadyLoad } from './lib/http-load.mjs';

const run = promisify(execFile);
const skip = missingPrerequisite();
if (skip) test(`networking e2e (skipped: ${skip})`, { skip }, () => {});
const log = (...a) => console.log('#', ...a);
const APP_DIR = join(REPO, 'test', 'e2e', 'compose-app');
const HELLO = /^Hello World! I have been seen (\d+) times\.\n$/;

describe('service networking: the Compose get-started app on 5 Docker-in-Docker nodes', { skip: skip ?? false }, () => {
  const cluster = new ComposeCluster({ log });

  /** The shoal CLI on the host, against node i's API. */
  async function shoal(args, i = 0) {
    const env = { ...process.env, SHOAL_HOST: `http://127.0.0.1:${apiPort(i)}`, SHOAL_TOKEN: await cluster.token(i) };
    const { stdout } = await run(process.execPath, [join(REPO, 'packages', 'bin', 'shoal.js'), ...args], { env, timeout: 240_000, maxBuffer: 16 << 20 });
    return stdout;
  }

  const up = () => cluster.reachable();
  const client = () => cluster.client(up()[0]);

  async function hits(i, port = 8000) {
    const r = await get(nodeIp(i), port);
    const m = r.ok ? HELLO.exec(r.body) : null;
    return m ? Number(m[1]) : null;
  }

  async function answersEverywhere(port, what) {
    for (const i of up()) await waitFor(`${what} answering on node${i + 1}:${port}`, 60_000, () => hits(i, port), 500);
  }

  async function nodesOf(service) {
    return runningTasks(await client().listTasks({ service })).map((t) => cluster.indexOf(t.nodeId));
  }

  async function dumpOnFailure(what, fn) {
    try {
      await fn();
    } catch (err) {
      for (const i of up()) log(`node${i + 1} after ${what} failed:\n${(await cluster.logs(i, 30)).replace(/^/gm, '#   ')}`);
      throw err;
    }
  }

  before(async () => {
    const ms = cluster.buildImage();
    log(`node image ${cluster.image} ready in ${ms} ms`);
    await cluster.up();
  });

  after(async () => {
    if (process.env.SHOAL_E2E_KEEP !== '1') await cluster.down_().catch((e) => log(`teardown: ${e.message}`));
  });

  test('stack deploy of the unmodified Compose app; the published port answers on every node, with or without a task', async () => {
    await dumpOnFailure('deploy', async () => {
      const out = await shoal(['stack', 'deploy', '--timeout', '5m', '-c', join(APP_DIR, 'compose.yaml'), 'app']);
      log(out.trim().replace(/\n/g, ' | '));
      await waitReplicas(cluster, 'app_web', 1, { timeoutMs: 120_000 });
      await waitReplicas(cluster, 'app_redis', 1, { timeoutMs: 120_000 });
      const busy = new Set([...(await nodesOf('app_web')), ...(await nodesOf('app_redis'))]);
      const idle = up().filter((i) => !busy.has(i));
      assert.ok(idle.length >= 3, 'most nodes run no task of the app');
      await answersEverywhere(8000, 'the app');
      const counts = [];
      for (const i of up()) counts.push(await hits(i));
      log(`counts from node1..5: ${counts.join(', ')} (tasks on nodes ${[...busy].map((i) => i + 1).join(', ')})`);
      for (let k = 1; k < counts.length; k++) assert.ok(counts[k] > counts[k - 1], 'one counter, shared through redis, from every node');
      const inspect = JSON.parse(await shoal(['service', 'inspect', 'app_redis']))[0];
      assert.match(inspect.vip, /^10\.210\.\d+\.\d+$/, 'service inspect shows the VIP');
      assert.equal(inspect.endpoints.length, 1, 'and the endpoint');
      const nets = JSON.parse(await shoal(['network', 'ls', '--json']));
      assert.ok(nets.some((n) => n.name === 'app_default' && n.services.length === 2));
    });
  });

  test('a second stack with the same service names is isolated from the first', async () => {
    await dumpOnFailure('isolation', async () => {
      await shoal(['stack', 'deploy', '--timeout', '5m', '-c', join(APP_DIR, 'compose-other.yaml'), 'other']);
      await waitReplicas(cluster, 'other_web', 1, { timeoutMs: 120_000 });
      await answersEverywhere(8001, 'the other stack');
      // answersEverywhere made one successful request per node: a redis of its own counts just those.
      const first = await hits(up()[0], 8001);
      assert.ok(first !== null && first <= up().length + 3, `the other stack counts with its own redis (got ${first} after ${up().length} requests)`);
      const appRedisVip = (await client().getService('app_redis')).vip;
      const otherRedisVip = (await client().getService('other_redis')).vip;
      const node = (await nodesOf('other_web'))[0];
      const ids = (await cluster.exec(node, ['docker', 'ps', '-q', '--filter', 'label=shoal.service=other_web'])).trim().split('\n');
      const py = (code) => cluster.exec(node, ['docker', 'exec', ids[0], 'python3', '-c', code]).then((o) => o.trim(), (e) => `error: ${e.message.split('\n').slice(-2).join(' ')}`);
      assert.equal(await py("import socket; print(socket.gethostbyname('redis'))"), otherRedisVip, 'redis is this stack\'s redis');
      assert.match(await py("import socket; print(socket.gethostbyname('app_redis'))"), /error/, 'the other stack\'s names do not resolve');
      const reach = await py(`import socket; s=socket.socket(); s.settimeout(2)\ntry:\n  s.connect(('${appRedisVip}', 6379)); print('connected')\nexcept Exception as e:\n  print('refused', type(e).__name__)`);
      assert.match(reach, /refused/, `the other stack's VIP is unreachable (${reach})`);
    });
  });

  test('the app answers again after the node running redis, one running web, then the leader\'s node are killed', async () => {
    await dumpOnFailure('failover', async () => {
      const killAndRecover = async (what, i) => {
        const t0 = Date.now();
        await cluster.kill(i);
        const survivors = up();
        await waitFor(`the app answering again after killing node${i + 1} (${what})`, 90_000, async () => {
          for (const j of survivors) if ((await hits(j)) === null) return false;
          return true;
        }, 500);
        log(`${what}: node${i + 1} killed; the app answered on all ${survivors.length} survivors after ${Date.now() - t0} ms`);
        await cluster.start(i);
        await waitFor(`node${i + 1} ready again`, 120_000, async () => (await client().listNodes()).filter((n) => n.status === 'ready').length === SIZE, 1000);
      };
      await killAndRecover('redis', (await nodesOf('app_redis'))[0]);
      await killAndRecover('web', (await nodesOf('app_web'))[0]);
      // Right after a node returns the cluster may be between leaders: wait for one.
      const st = await waitFor('a leader', 60_000, async () => {
        const s = await client().clusterStatus();
        return s.leader ? s : false;
      }, 500);
      await killAndRecover('leader', cluster.indexOf(st.leader.id));
      await answersEverywhere(8000, 'the app after the node kills');
    });
  });

  test('a rolling update of web under steady load drops no request', async () => {
    await dumpOnFailure('rolling update', async () => {
      await shoal(['service', 'scale', 'app_web=2']);
      await waitReplicas(cluster, 'app_web', 2, { timeoutMs: 90_000 });
      const spec = (await client().getService('app_web')).spec;
      // The update adds a health check, so a new task takes traffic only once Flask answers.
      const next = {
        ...spec,
        env: { ...(spec.env ?? {}), GREETING_VERSION: '2' },
        healthcheck: { test: ['CMD', 'python3', '-c', "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/', timeout=2)"], intervalMs: 1000, timeoutMs: 3000, retries: 3 },
      };
      await answersEverywhere(8000, 'the app before the update');
      // The replica just scaled up counts as running once its container starts, before Flask listens
      // (the old spec has no health check): both must answer before the load starts. 20 answers in a
      // row through the ingress, balanced at random over 2 endpoints, miss one with odds of 2^-20.
      await waitFor('both replicas answering', 60_000, async () => {
        for (let k = 0; k < 20; k++) if ((await hits(up()[k % up().length], 8000)) === null) return false;
        return true;
      }, 500);
      const load = steadyLoad(up().map((i) => [nodeIp(i), 8000]), 20);
      const t0 = Date.now();
      await client().updateService('app_web', next);
      await waitFor('the update to complete', 180_000, async () => (await client().getService('app_web')).updateStatus?.state === 'completed', 1000);
      await waitReplicas(cluster, 'app_web', 2, { timeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, 2000));
      const results = await load.stop();
      const failed = results.filter((r) => !r.ok);
      log(`rolling update: ${results.length} requests in ${Date.now() - t0} ms, ${failed.length} failed${failed.length ? `: ${JSON.stringify(failed.slice(0, 5))}` : ''}`);
      assert.ok(results.length > 100);
      assert.equal(failed.length, 0, 'no request failed during the rolling update');
    });
  });
});
