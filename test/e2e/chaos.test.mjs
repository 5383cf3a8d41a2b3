// Jepsen-style e2e: five Docker-in-Docker machines (docker-compose.test.yml),
// one shoal cluster reused across scenarios, faults applied to the node
// containers. While faults run, a writer logs every acknowledged API write and
// a watcher records which node claimed leadership in which term. After each
// scenario the cluster is healed and we check: no acked write lost, at most
// one leader per term, every service at exactly its replica count, every
// engine running exactly the containers of its desired tasks (a replaced
// node stopped its stale ones), and the web service answering on every node.
// Skips when Docker or docker-compose is missing (scripts/e2e-prereqs.sh).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ComposeCluster, SIZE, missingPrerequisite, nodeIp, nodeName, sleep, waitFor } from './lib/compose-cluster.mjs';
import { AckedWrites, LeaderWatch, runningTasks, waitContainersMatch, waitReplicas, webAnswers } from './lib/invariants.mjs';

const skip = missingPrerequisite();
if (skip) test(`e2e on Docker-in-Docker (skipped: ${skip})`, { skip }, () => {});
const log = (...a) => console.log('#', ...a);

const WEB = {
  name: 'web',
  image: 'shoal-test/busybox:1',
  replicas: SIZE,
  args: ['httpd', '-f', '-h', '/www'],
  ports: [{ published: 8080, target: 80 }],
  healthcheck: { test: ['CMD-SHELL', 'wget -q -O- localhost/'], intervalMs: 1000, timeoutMs: 2000, retries: 3 },
};
const SLEEP = { name: 'sleep', image: 'shoal-test/busybox:1', replicas: 6, args: ['sleep', '1000000'] };

describe('shoal on 5 Docker-in-Docker nodes under chaos', { skip: skip ?? false }, () => {
  const cluster = new ComposeCluster({ log });
  const leaders = new LeaderWatch(cluster);
  const writes = new AckedWrites(cluster);

  before(async () => {
    const ms = cluster.buildImage();
    log(`node image ${cluster.image} ready in ${ms} ms`);
    const t0 = Date.now();
    await cluster.up();
    log(`cluster of ${SIZE} up in ${Date.now() - t0} ms`);
    leaders.start();
  });

  after(async () => {
    await writes.stop().catch(() => undefined);
    await leaders.stop().catch(() => undefined);
    if (process.env.SHOAL_E2E_KEEP !== '1') await cluster.down_().catch((e) => log(`teardown: ${e.message}`));
  });

  /** Heals every fault and checks every invariant. */
  async function healAndCheck(what) {
    try {
      await healAndCheckOnce(what);
    } catch (err) {
      for (let i = 0; i < SIZE; i++) log(`node${i + 1} log after ${what} failed:\n${(await cluster.logs(i, 25)).replace(/^/gm, '#   ')}`);
      throw err;
    }
  }

  async function healAndCheckOnce(what) {
    await cluster.healAll();
    const t0 = Date.now();
    await waitFor('every node ready', 120_000, async () => (await cluster.anyClient().listNodes()).filter((n) => n.status === 'ready').length === SIZE, 1000);
    await waitReplicas(cluster, 'web', SIZE, { timeoutMs: 90_000 });
    await waitReplicas(cluster, 'sleep', 6, { timeoutMs: 90_000 });
    await waitContainersMatch(cluster, 'web');
    await waitContainersMatch(cluster, 'sleep');
    for (let i = 0; i < SIZE; i++) await waitFor(`web answering on node${i + 1}:8080`, 30_000, () => webAnswers(cluster, i), 1000);
    log(`${what}: healed and converged in ${Date.now() - t0} ms`);
    const leader = await currentLeader();
    const lost = await waitFor('a leader answering the list of services', 30_000, () => cluster.client(leader).listServices().then(() => writes.lost(cluster.client(leader))));
    assert.deepEqual(lost, [], `acknowledged writes lost after ${what}`);
    assert.deepEqual(leaders.violations(), [], `more than one leader in a term after ${what}`);
    log(`${what}: ${writes.created.length} acked creates + counter v${writes.counter.version} all present; ${leaders.claims.size} terms seen, ${leaders.samples} metric samples`);
  }

  async function currentLeader(except = []) {
    return waitFor('a leader', 60_000, async () => {
      const st = await cluster.anyClient(3000).clusterStatus();
      const i = st.leader ? cluster.indexOf(st.leader.id) : undefined;
      return i !== undefined && !except.includes(i) && st.hasQuorum ? i + 1 : false;
    }).then((i) => i - 1);
  }

  /** A node that is not the leader and runs at least one `sleep` task. */
  async function workerWithTasks() {
    const leader = await currentLeader();
    const tasks = runningTasks(await cluster.anyClient().listTasks({ service: 'sleep' }));
    const counts = new Map();
    for (const t of tasks) counts.set(cluster.indexOf(t.nodeId), (counts.get(cluster.indexOf(t.nodeId)) ?? 0) + 1);
    const candidates = [...counts].filter(([i]) => i !== leader).sort((a, b) => b[1] - a[1]);
    assert.ok(candidates.length > 0, 'some worker runs sleep tasks');
    return candidates[0][0];
  }

  /** Time until `sleep` is back to 6 running tasks, none on the lost nodes. */
  async function timeFailover(lost, t0) {
    const ids = [...cluster.ids].filter(([, i]) => lost.includes(i)).map(([id]) => id);
    await waitReplicas(cluster, 'sleep', 6, { exclude: ids, timeoutMs: 60_000 });
    return Date.now() - t0;
  }

  test('a service with a published port and a health check answers on every node', async () => {
    const c = cluster.client(0);
    await c.createService(WEB);
    await c.createService(SLEEP);
    await c.createService(AckedWrites.counterSpec(0));
    await waitReplicas(cluster, 'web', SIZE, { timeoutMs: 120_000 });
    await waitReplicas(cluster, 'sleep', 6, { timeoutMs: 120_000 });
    await waitFor('web tasks healthy', 30_000, async () => runningTasks(await c.listTasks({ service: 'web' })).every((t) => t.status.health === 'healthy'));
    for (let i = 0; i < SIZE; i++) assert.ok(await waitFor(`node${i + 1}:8080`, 30_000, () => webAnswers(cluster, i)), `node${i + 1} answers`);
    await waitContainersMatch(cluster, 'web');
    writes.start();
    await healAndCheck('deploy');
  });

  test('docker kill of a worker: its tasks run elsewhere, it rejoins and the cluster converges', async () => {
    const victim = await workerWithTasks();
    const t0 = Date.now();
    await cluster.kill(victim);
    log(`killed node${victim + 1}; sleep back to 6 in ${await timeFailover([victim], t0)} ms`);
    await healAndCheck(`kill worker node${victim + 1}`);
    // The node came back empty: `service rebalance` moves work back to it, each new task up before the old one stops.
    const plan = await cluster.anyClient().rebalanceService('sleep', { dryRun: true });
    log(`rebalance of sleep: ${JSON.stringify(plan.before)} -> ${JSON.stringify(plan.after)}, ${plan.moves.length} move(s)`);
    assert.ok(plan.moves.length > 0, `a move is planned (${plan.skipped ?? 'no reason given'})`);
    assert.ok(plan.moves.every((m) => m.to === nodeName(victim)), 'every move goes to the returned node');
    const t1 = Date.now();
    await cluster.anyClient().rebalanceService('sleep');
    await waitFor('sleep evened out', 60_000, async () => {
      const run = runningTasks(await cluster.anyClient().listTasks({ service: 'sleep' }));
      const per = [...Array(SIZE).keys()].map((i) => run.filter((t) => cluster.indexOf(t.nodeId) === i).length);
      return run.length === 6 && Math.max(...per) - Math.min(...per) <= 1 && per[victim] > 0;
    }, 500);
    await waitContainersMatch(cluster, 'sleep');
    log(`rebalance of sleep done in ${Date.now() - t1} ms`);
  });

  test('docker kill of the leader: a new leader takes writes and tasks move', async () => {
    const victim = await currentLeader();
    const t0 = Date.now();
    await cluster.kill(victim);
    const next = await currentLeader([victim]);
    log(`killed leader node${victim + 1}; node${next + 1} leads after ${Date.now() - t0} ms`);
    await cluster.client(next).updateService('counter', AckedWrites.counterSpec(0)).catch(() => undefined);
    log(`sleep back to 6 in ${await timeFailover([victim], t0)} ms`);
    await healAndCheck(`kill leader node${victim + 1}`);
  });

  test('docker pause past the failure threshold: replaced, then on unpause its stale containers stop', async () => {
    const victim = await workerWithTasks();
    const victimId = [...cluster.ids].find(([, i]) => i === victim)[0];
    const staleBefore = await cluster.containerTasks(victim, 'sleep');
    const t0 = Date.now();
    await cluster.pause(victim);
    await waitFor(`node${victim + 1} declared down`, 60_000, async () => (await cluster.anyClient().getNode(victimId)).status === 'down');
    log(`paused node${victim + 1}: declared down after ${Date.now() - t0} ms; sleep back to 6 in ${await timeFailover([victim], t0)} ms`);
    await cluster.unpause(victim);
    await healAndCheck(`pause node${victim + 1}`);
    const after = await cluster.containerTasks(victim, 'sleep');
    assert.deepEqual(after.filter((id) => staleBefore.includes(id)), [], 'replaced tasks no longer run on the unpaused node');
  });


  test('network partition of a minority (2 nodes): the majority carries on, the minority converges on heal', async () => {
    const leader = await currentLeader();
    const minority = [...Array(SIZE).keys()].filter((i) => i !== leader).slice(0, 2);
    const t0 = Date.now();
    for (const i of minority) await cluster.disconnect(i);
    log(`cut node${minority[0] + 1}, node${minority[1] + 1}; sleep back to 6 on the majority in ${await timeFailover(minority, t0)} ms`);
    // The minority cannot commit: a write there fails (503 NO_QUORUM) instead of hanging or succeeding.
    const w0 = Date.now();
    const res = await cluster.localPost(minority[0], '/v1/services', { name: 'on-minority', image: 'shoal-test/busybox:1', replicas: 0 });
    log(`a write on the minority answered HTTP ${res.status} after ${Date.now() - w0} ms: ${res.body.slice(0, 160)}`);
    assert.equal(res.status, 503, 'a write on a cut minority is refused with 503');
    assert.equal(JSON.parse(res.body).error.code, 'NO_QUORUM');
    assert.ok(Date.now() - w0 < 8000, 'and fails fast');
    await healAndCheck(`partition of node${minority[0] + 1},node${minority[1] + 1}`);
    const names = (await cluster.anyClient().listServices()).map((s) => s.spec.name);
    assert.ok(!names.includes('on-minority'), 'a write refused on the minority did not apply after the heal');
  });

  test('network partition of the leader: a new leader is elected; the old one steps down on heal', async () => {
    const old = await currentLeader();
    const t0 = Date.now();
    await cluster.disconnect(old);
    const next = await currentLeader([old]);
    log(`cut leader node${old + 1}; node${next + 1} leads after ${Date.now() - t0} ms; sleep back to 6 in ${await timeFailover([old], t0)} ms`);
    await healAndCheck(`partition of leader node${old + 1}`);
  });

  test('quorum loss (3 of 5 voters stopped): containers keep running, writes fail fast; `cluster recover` on a survivor loses nothing', async () => {
    const leader = await currentLeader();
    const stopped = [leader, ...[...Array(SIZE).keys()].filter((i) => i !== leader).slice(0, 2)];
    const survivors = [...Array(SIZE).keys()].filter((i) => !stopped.includes(i));
    const before = new Map();
    for (const i of survivors) before.set(i, [...(await cluster.containerTasks(i, 'sleep')), ...(await cluster.containerTasks(i, 'web'))].sort());
    await writes.stop();
    // Recovery keeps what the survivors hold; a write committed only on the lost majority would be
    // lost (the report warns when a reachable survivor is ahead). Here the survivors are caught up.
    const commit = (await cluster.client(leader).clusterStatus()).commitIndex;
    await waitFor('survivors caught up with the leader', 15_000, async () => {
      for (const i of survivors) if ((await cluster.client(i).clusterStatus()).appliedIndex < commit) return false;
      return true;
    });
    // All at once: killed one by one, the first kills leave a quorum that may still reschedule.
    await Promise.all(stopped.map((i) => cluster.kill(i)));
    log(`stopped node${stopped.map((i) => i + 1).join(', node')}`);
    // Let the survivors notice, then time a write.
    await sleep(3000);
    const t0 = Date.now();
    const err = await cluster.client(survivors[0], 30_000).createService({ name: 'during-no-quorum', image: 'shoal-test/busybox:1', replicas: 0 }).then(() => null, (e) => e);
    const failMs = Date.now() - t0;
    log(`a write without quorum failed in ${failMs} ms with ${err?.code}: ${err?.message}`);
    assert.ok(err, 'a write without quorum must not be acknowledged');
    assert.equal(err.code, 'NO_QUORUM');
    assert.ok(failMs < 8000, `the write failed fast (${failMs} ms)`);
    await sleep(5000);
    for (const i of survivors) {
      const now = [...(await cluster.containerTasks(i, 'sleep')), ...(await cluster.containerTasks(i, 'web'))].sort();
      if (JSON.stringify(now) !== JSON.stringify(before.get(i))) {
        log(`node${i + 1} stopped containers without quorum; its log:\n${(await cluster.logs(i, 80)).replace(/^/gm, '#   ')}`);
        const engine = await cluster.exec(i, ['sh', '-c', 'docker ps -a --format "{{.Names}} {{.Status}}"; tail -40 /var/log/dockerd.log']).catch((e) => String(e));
        log(`node${i + 1}'s engine:\n${engine.replace(/^/gm, '#   ')}`);
      }
      assert.deepEqual(now, before.get(i), `node${i + 1}'s containers keep running without quorum`);
    }
    // The 3 machines are gone for good: recover from the 2 survivors, on the one with the longest log.
    const tr = Date.now();
    const lastIndex = new Map();
    for (const i of survivors) lastIndex.set(i, (await cluster.client(i).clusterStatus()).lastIndex ?? 0);
    const [best, other] = [...survivors].sort((a, b) => lastIndex.get(b) - lastIndex.get(a));
    await cluster.holdAgent(best);
    const report = await cluster.exec(best, ['env', `SHOAL_TOKEN=${await cluster.token(other)}`, 'shoal', 'cluster', 'recover', '--data-dir', '/var/lib/shoal', '--peer', `${nodeIp(other)}:7070`, '--yes'], 60_000);
    log(`recover on node${best + 1}:\n${report.replace(/^/gm, '#   ')}`);
    await cluster.releaseAgent(best);
    const newLeader = await currentLeader();
    assert.equal(newLeader, best, 'the recovered survivor leads');
    await waitFor('a write on the recovered cluster', 30_000, () => cluster.client(best).createService({ name: 'after-recovery', image: 'shoal-test/busybox:1', replicas: 0 }).then(() => true));
    log(`quorum loss: recovered from 2 of ${SIZE} survivors; writes accepted ${Date.now() - tr} ms after the recovery began`);
    assert.deepEqual(await writes.lost(cluster.client(best)), [], 'every acked write survived recovery');
    await waitFor(`node${other + 1} back in the membership`, 60_000, async () => {
      const st = await cluster.client(best).clusterStatus();
      return [...st.voters, ...st.learners].some((m) => cluster.indexOf(m.id) === other && m.healthy);
    }, 1000);
    await waitReplicas(cluster, 'sleep', 6, { timeoutMs: 90_000 });
    await waitReplicas(cluster, 'web', SIZE, { timeoutMs: 90_000 });
    log(`quorum loss: services converged on the 2 survivors ${Date.now() - tr} ms after the recovery began`);
    // The lost machines come back with their old data dirs and are taken back in.
    for (const i of stopped) await cluster.start(i);
    writes.start();
    await sleep(3000);
    await writes.stop();
    await healAndCheck('quorum loss, recovery and return');
    const names = (await cluster.anyClient().listServices()).map((s) => s.spec.name);
    assert.ok(!names.includes('during-no-quorum'), 'a write that failed for lack of quorum did not apply later');
    assert.ok(names.includes('after-recovery'));
  });
});
