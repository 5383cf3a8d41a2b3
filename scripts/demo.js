// `npm run demo`: a 3-node shoal cluster on loopback deploys a service,
// loses a node, and heals, narrating each step. Uses the docker driver when
// an engine answers (with a locally built busybox image: no registry), else
// the exec driver. Everything lives in a temp dir that is removed at the end.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ShoalClient } from '@shoal/api';
import { LocalCluster, SHOAL_BIN, waitFor } from '@shoal/testkit';

const t0 = Date.now();
const say = (msg) => console.log(`\n[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}`);

function pickDriver() {
  if (process.env.SHOAL_DEMO_DRIVER) return process.env.SHOAL_DEMO_DRIVER;
  if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) return 'exec';
  return spawnSync('bash', ['scripts/test-images.sh'], { stdio: 'ignore' }).status === 0 ? 'docker' : 'exec';
}

const driver = pickDriver();
const cluster = new LocalCluster({ size: 3, driver, client: (conn) => new ShoalClient(conn) });
let shoalEnv = {};
function shoal(...args) {
  console.log(`$ shoal ${args.join(' ')}`);
  const res = spawnSync(process.execPath, [SHOAL_BIN, ...args], { stdio: 'inherit', env: { ...process.env, ...shoalEnv } });
  if (res.status !== 0) throw new Error(`shoal ${args.join(' ')} failed`);
}

// Gives a person time to watch in the web console: Enter on a terminal, or
// SHOAL_DEMO_PAUSE seconds when not interactive; no wait at all in CI.
async function pause(what) {
  if (process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    await new Promise((resolve) => rl.question(`\n   press Enter ${what} `, resolve));
    rl.close();
    return;
  }
  const seconds = Number(process.env.SHOAL_DEMO_PAUSE ?? 0);
  if (seconds > 0) {
    console.log(`   waiting ${seconds}s ${what} (SHOAL_DEMO_PAUSE)`);
    await new Promise((r) => setTimeout(r, seconds * 1000));
  }
}

async function main() {
  const why = process.env.SHOAL_DEMO_DRIVER ? 'chosen by SHOAL_DEMO_DRIVER' : driver === 'exec' ? 'no Docker engine answers' : 'Docker engine found';
  console.log(`shoal demo: 3 nodes on loopback, ${driver} driver (${why})`);
  say('starting node1 with --init, then node2 and node3 with --join and the join token ...');
  await cluster.start();
  const [n1, , n3] = cluster.nodes;
  shoalEnv = { SHOAL_HOST: `http://127.0.0.1:${n1.apiPort}`, SHOAL_DATA_DIR: n1.dataDir };
  say(`cluster formed (data in ${cluster.root}); every node runs the same \`shoal agent\``);
  shoal('cluster', 'status');
  const token = readFileSync(join(n1.dataDir, 'api.token'), 'utf8').trim();
  say('every node serves the web console on its API port; open it in a browser to watch the rest live:');
  console.log(`   URL:   http://127.0.0.1:${n1.apiPort}/ui/`);
  console.log(`   token: ${token}   (node1's API token; the console keeps it in the tab only)`);

  const create = driver === 'docker'
    ? ['service', 'create', 'web', '--replicas', '6', '--image', 'shoal-test/busybox:1', '--', 'sleep', '100000']
    : ['service', 'create', 'web', '--replicas', '6', '--driver', 'exec', '--', 'sleep', '100000'];
  say('deploying a 6-replica service; the CLI follows it until every task runs');
  shoal(...create);
  shoal('service', 'ps', 'web');

  await pause('to kill node3 (watch the Cluster page turn it down and the web tasks move)');
  const client = cluster.client(0);
  const before = (await client.listTasks({ service: 'web' })).filter((t) => t.nodeId === n3.id);
  say(`killing node3 like a lost machine: kill -9 of its agent and of its ${before.length} task(s)`);
  const killedAt = Date.now();
  await cluster.kill(2);
  const downAt = await waitFor('node3 declared down', async () => (await client.getNode(n3.id)).status === 'down' && Date.now(), { timeoutMs: 30_000 });
  say(`the failure detector declared node3 down after ${downAt - killedAt} ms (SWIM: a probe every 200 ms, direct then through 3 others, and the leader's own check)`);
  const healedAt = await waitFor('6 tasks running elsewhere', async () => {
    const running = (await client.listTasks({ service: 'web' })).filter((t) => t.status.state === 'running' && t.nodeId !== n3.id);
    return running.length === 6 && Date.now();
  }, { timeoutMs: 30_000 });
  say(`all 6 replicas running again on node1 and node2, ${healedAt - killedAt} ms after the kill`);
  shoal('service', 'ps', 'web');

  say('restarting node3 from its data dir: it rejoins, and its replaced tasks stay stopped');
  await cluster.restart(2);
  await waitFor('node3 ready', async () => (await client.getNode(n3.id)).status === 'ready', { timeoutMs: 30_000 });
  shoal('node', 'ls');
  const running = (await client.listTasks({ service: 'web' })).filter((t) => t.status.state === 'running');
  say(`web has exactly ${running.length} running tasks.`);
  await pause('to stop the cluster and clean up');
  say('Done: cleaning up.');
}

main()
  .catch((err) => {
    console.error(`\ndemo failed: ${err.message}\nnode logs: ${join(cluster.root, 'node*.log')}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    const keep = process.exitCode === 1;
    if (keep) process.env.SHOAL_KEEP_ROOT = '1';
    await cluster.stop().catch(() => undefined);
  });
