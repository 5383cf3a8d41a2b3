// `npm run bench -- election [--runs 20]`: kill -9 the leader and time until
// a surviving node accepts a write (committed by the new leader).
import { ShoalClient } from '@shoal/api';
import { LocalCluster, waitFor } from '@shoal/testkit';
import { percentile, printTable, round, writeResult } from './util.js';

export async function main(args: string[]): Promise<void> {
  const i = args.indexOf('--runs');
  const runs = i >= 0 ? Number(args[i + 1]) : 20;
  const c = new LocalCluster({ size: 3, driver: 'exec', client: (conn) => new ShoalClient(conn) });
  const samples: number[] = [];
  const elected: number[] = [];
  try {
    await c.start();
    for (let run = 0; run < runs; run++) {
      const st = await c.anyClient().clusterStatus();
      const leaderIdx = c.nodes.findIndex((n) => n.id === st.leader?.id);
      const survivor = c.nodes.findIndex((_, j) => j !== leaderIdx);
      const client = c.client(survivor);
      const self = c.nodes[survivor].id!;
      const t0 = performance.now();
      await c.kill(leaderIdx);
      // Apart from the write: when a survivor first reports itself the leader of a new term.
      let electedMs = NaN;
      const others = c.nodes.map((_, j) => j).filter((j) => j !== leaderIdx);
      const watch = waitFor('a new leader', async () => {
        const sts = await Promise.all(others.map((j) => c.client(j).clusterStatus().catch(() => null)));
        if (!sts.some((s) => s?.self.isLeader && s.term > st.term)) return false;
        electedMs = performance.now() - t0;
        return true;
      }, { timeoutMs: 30_000, everyMs: 5 });
      // A write through the survivor: it waits for (or forwards to) the new leader.
      await waitFor('a write accepted', async () => {
        await client.setNodeAvailability(self, 'active');
        return true;
      }, { timeoutMs: 30_000, everyMs: 5 });
      const ms = performance.now() - t0;
      await watch;
      samples.push(ms);
      elected.push(electedMs);
      console.log(`run ${run + 1}/${runs}: leader killed -> new leader after ${Math.round(electedMs)} ms, write accepted after ${Math.round(ms)} ms`);
      await c.restart(leaderIdx);
      await c.waitHealthyVoters(3);
    }
  } finally {
    await c.stop();
  }
  const result = {
    p50Ms: round(percentile(samples, 50)),
    p99Ms: round(percentile(samples, 99)),
    electedP50Ms: round(percentile(elected, 50)),
    electedP99Ms: round(percentile(elected, 99)),
    runs: samples.length,
  };
  printTable([
    { what: 'leader kill -9 -> write accepted', p50Ms: result.p50Ms, p99Ms: result.p99Ms, runs: result.runs },
    { what: 'leader kill -9 -> new leader', p50Ms: result.electedP50Ms, p99Ms: result.electedP99Ms, runs: result.runs },
  ]);
  writeResult('election', result);
}
