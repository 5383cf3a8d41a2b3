#!/usr/bin/env node
// Soak: random chaos on the 5-node Docker-in-Docker cluster for N minutes
// (not in CI). Each round applies one fault (kill, pause, cut a minority, cut
// the leader, or kill a random minority of 2) for a random 3-15 s, heals, and
// checks the invariants of test/e2e: no acked write lost, at most one leader
// per term, services at exactly their replica counts, engines running exactly
// the desired containers. A breach prints the rounds so far (the steps to
// reproduce, with the seed) and the nodes' log tails; exit code 1.
// Usage: node scripts/soak-e2e.mjs --minutes N [--seed S] [--keep]
import { ComposeCluster, SIZE, sleep, waitFor } from '../test/e2e/lib/compose-cluster.mjs';
import { AckedWrites, LeaderWatch, waitContainersMatch, waitReplicas, webAnswers } from '../test/e2e/lib/invariants.mjs';

const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const minutes = Number(arg('--minutes', '10'));
const seed = Number(arg('--seed', String(Date.now() % 1_000_000)));
const keep = process.argv.includes('--keep');

// mulberry32: a seeded random so a run's fault sequence replays from its seed.
let s = seed >>> 0;
const rand = () => {
  s = (s + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const shuffled = (xs) => [...xs].sort(() => rand() - 0.5);

const c = new ComposeCluster();
const leaders = new LeaderWatch(c);
const writes = new AckedWrites(c);
const steps = [];
const step = (msg) => {
  const line = `[${new Date().toISOString()}] ${msg}`;
  steps.push(line);
  console.log(line);
};

async function leaderIndex() {
  return waitFor('a leader', 60_000, async () => {
    const st = await c.anyClient(3000).clusterStatus();
    return st.leader && st.hasQuorum ? c.indexOf(st.leader.id) + 1 : false;
  }).then((i) => i - 1);
}

const FAULTS = {
  async kill() {
    const i = pick([...Array(SIZE).keys()]);
    step(`docker kill node${i + 1}`);
    await c.kill(i);
  },
  async pause() {
    const i = pick([...Array(SIZE).keys()]);
    step(`docker pause node${i + 1}`);
    await c.pause(i);
  },
  async cutMinority() {
    const [a, b] = shuffled([...Array(SIZE).keys()]);
    step(`docker network disconnect node${a + 1} node${b + 1}`);
    await c.disconnect(a);
    await c.disconnect(b);
  },
  async cutLeader() {
    const l = await leaderIndex();
    step(`docker network disconnect leader node${l + 1}`);
    await c.disconnect(l);
  },
  async killTwo() {
    const [a, b] = shuffled([...Array(SIZE).keys()]);
    step(`docker kill node${a + 1} node${b + 1}`);
    await c.kill(a);
    await c.kill(b);
  },
};

async function check(round) {
  await waitFor('every node ready', 120_000, async () => (await c.anyClient().listNodes()).filter((n) => n.status === 'ready').length === SIZE, 1000);
  await waitReplicas(c, 'web', SIZE, { timeoutMs: 90_000 });
  await waitReplicas(c, 'sleep', 6, { timeoutMs: 90_000 });
  await waitContainersMatch(c, 'web');
  await waitContainersMatch(c, 'sleep');
  for (let i = 0; i < SIZE; i++) await waitFor(`web on node${i + 1}`, 30_000, () => webAnswers(c, i), 1000);
  const l = await leaderIndex();
  const lost = await writes.lost(c.client(l));
  if (lost.length) throw new Error(`acked writes lost: ${lost.join(', ')}`);
  const v = leaders.violations();
  if (v.length) throw new Error(`several leaders in one term: ${JSON.stringify(v)}`);
  step(`round ${round} ok: ${writes.created.length} acked creates, counter v${writes.counter.version}, ${leaders.claims.size} terms`);
}

let failed = false;
try {
  console.log(`soak: seed ${seed}, ${minutes} min (replay: node scripts/soak-e2e.mjs --minutes ${minutes} --seed ${seed})`);
  c.buildImage();
  await c.up();
  const cl = c.client(0);
  await cl.createService({ name: 'web', image: 'shoal-test/busybox:1', replicas: SIZE, args: ['httpd', '-f', '-h', '/www'], ports: [{ published: 8080, target: 80 }], healthcheck: { test: ['CMD-SHELL', 'wget -q -O- localhost/'], intervalMs: 1000, retries: 3 } });
  await cl.createService({ name: 'sleep', image: 'shoal-test/busybox:1', replicas: 6, args: ['sleep', '1000000'] });
  await cl.createService(AckedWrites.counterSpec(0));
  leaders.start();
  writes.start();
  await check(0);
  const end = Date.now() + minutes * 60_000;
  for (let round = 1; Date.now() < end; round++) {
    const name = pick(Object.keys(FAULTS));
    await FAULTS[name]();
    const hold = 3000 + Math.floor(rand() * 12_000);
    step(`hold ${hold} ms`);
    await sleep(hold);
    step('heal all');
    await c.healAll();
    await check(round);
  }
  console.log(`soak: no invariant breached in ${minutes} min (seed ${seed})`);
} catch (err) {
  failed = true;
  console.error(`\nsoak: INVARIANT BREACH or failure: ${err.message}\nsteps to reproduce (seed ${seed}):\n${steps.join('\n')}`);
  for (let i = 0; i < SIZE; i++) console.error(`--- node${i + 1} log tail ---\n${await c.logs(i, 30)}`);
} finally {
  await writes.stop().catch(() => undefined);
  await leaders.stop().catch(() => undefined);
  if (!keep) await c.down_().catch(() => undefined);
}
process.exit(failed ? 1 : 0);
