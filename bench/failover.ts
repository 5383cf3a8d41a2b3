// `npm run bench -- failover [--runs 20]`: kill -9 a node running tasks (its
// agent and its task processes: a lost machine) and time until all of its
// tasks run elsewhere. Half of the runs kill the leader's own node.
import { ShoalClient } from '@shoal/api';
import { LocalCluster, waitFor } from '@shoal/testkit';
import { percentile, printTable, round, writeResult } from './util.js';

const REPLICAS = 10;

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

export async function main(args: string[]): Promise<void> {
  const runs = arg(args, '--runs', 20);
  const c = new LocalCluster({ size: 5, driver: 'exec', client: (conn) => new ShoalClient(conn) });
  const worker: number[] = [];
  const leader: number[] = [];
  try {
    await c.start();
    await c.client(0).createService({ name: 'bench', driver: 'exec', command: ['sleep', '1000000'], replicas: REPLICAS });
    await waitConverged(c, []);
    for (let run = 0; run < runs; run++) {
      const killLeader = run % 2 === 1;
      const st = await c.anyClient().clusterStatus();
      const leaderIdx = c.nodes.findIndex((n) => n.id === st.leader?.id);
      const tasks = await c.client(leaderIdx).listTasks({ service: 'bench' });
      const victim = killLeader ? leaderIdx : c.nodes.findIndex((n, i) => i !== leaderIdx && tasks.some((t) => t.nodeId === n.id));
      const victimId = c.nodes[victim].id!;
      const t0 = performance.now();
      await c.kill(victim);
      await waitConverged(c, [victim], victimId);
      const ms = performance.now() - t0;
      (killLeader ? leader : worker).push(ms);
      console.log(`run ${run + 1}/${runs}: killed ${c.nodes[victim].name}${killLeader ? ' (leader)' : ''}: its tasks running elsewhere after ${Math.round(ms)} ms`);
      await c.restart(victim);
      await waitFor('node ready', async () => (await c.anyClient().getNode(victimId)).status === 'ready', { timeoutMs: 60_000 });
      await c.waitHealthyVoters(3);
    }
  } finally {
    await c.stop();
  }
  const all = [...worker, ...leader];
  const result = {
    p50Ms: round(percentile(all, 50)),
    p99Ms: round(percentile(all, 99)),
    runs: all.length,
    workerNode: { p50Ms: round(percentile(worker, 50)), p99Ms: round(percentile(worker, 99)), runs: worker.length },
    leaderNode: { p50Ms: round(percentile(leader, 50)), p99Ms: round(percentile(leader, 99)), runs: leader.length },
  };
  printTable([
    { kill: 'worker node', runs: worker.length, p50Ms: result.workerNode.p50Ms, p99Ms: result.workerNode.p99Ms },
    { kill: "leader's node", runs: leader.length, p50Ms: result.leaderNode.p50Ms, p99Ms: result.leaderNode.p99Ms },
    { kill: 'all', runs: all.length, p50Ms: result.p50Ms, p99Ms: result.p99Ms },
  ]);
  writeResult('failover', result);
}

/** All replicas running, none on the excluded node, polled through a surviving node. */
async function waitConverged(c: LocalCluster<ShoalClient>, except: number[], excludedId?: string): Promise<void> {
  await waitFor('service converged', async () => {
    const tasks = await c.anyClient(except).listTasks({ service: 'bench' });
    const running = tasks.filter((t) => t.desiredState === 'running' && t.status.state === 'running' && t.nodeId !== excludedId);
    return running.length === REPLICAS;
  }, { timeoutMs: 60_000, everyMs: 20 });
}
