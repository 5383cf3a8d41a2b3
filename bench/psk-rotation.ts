// `npm run bench -- psk-rotation [--runs 5]`: on 3 real agents, rotate the
// cluster key RUNS times while a client writes through a follower back to
// back (10 ms apart); report how long a rotation takes and the write latency and
// failures during rotations against a quiet period of the same length.
import { ShoalClient } from '@shoal/api';
import { LocalCluster } from '@shoal/testkit';
import { percentile, printTable, round, writeResult } from './util.js';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

interface Window {
  latencies: number[];
  failures: number;
}

async function writeDuring(client: ShoalClient, body: () => Promise<void>): Promise<Window> {
  const w: Window = { latencies: [], failures: 0 };
  let stop = false;
  let n = 0;
  const writer = (async () => {
    while (!stop) {
      const t0 = performance.now();
      try {
        await client.scaleService('w', n++ % 2);
        w.latencies.push(performance.now() - t0);
      } catch (err) {
        w.failures++;
        console.log(`  write failed: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  await body();
  stop = true;
  await writer;
  return w;
}

export async function main(args: string[]): Promise<void> {
  const runs = arg(args, '--runs', 5);
  const c = new LocalCluster({ size: 3, voters: 3, driver: 'exec', client: (conn) => new ShoalClient(conn) });
  const rotations: number[] = [];
  const during: Window = { latencies: [], failures: 0 };
  const quiet: Window = { latencies: [], failures: 0 };
  try {
    await c.start();
    const st = await c.client(0).clusterStatus();
    const leader = c.nodes.findIndex((n) => n.id === st.leader?.id);
    const follower = [0, 1, 2].find((i) => i !== leader)!;
    // Through the follower: its replica has the service before the first write (read-your-writes).
    await c.client(follower).createService({ name: 'w', driver: 'exec', command: ['sleep', '1000000'], replicas: 0 });
    for (let run = 0; run < runs; run++) {
      let ms = 0;
      const w = await writeDuring(c.client(follower), async () => {
        const t0 = performance.now();
        await c.client(leader).rotatePsk();
        ms = performance.now() - t0;
      });
      rotations.push(ms);
      during.latencies.push(...w.latencies);
      during.failures += w.failures;
      const q = await writeDuring(c.client(follower), () => new Promise((r) => setTimeout(r, ms)));
      quiet.latencies.push(...q.latencies);
      quiet.failures += q.failures;
      console.log(`run ${run + 1}/${runs}: rotation ${Math.round(ms)} ms; ${w.latencies.length} writes during it, ${w.failures} failed`);
    }
  } finally {
    await c.stop();
  }
  const row = (what: string, w: Window) => ({ what, writes: w.latencies.length, failed: w.failures, p50Ms: round(percentile(w.latencies, 50)), p99Ms: round(percentile(w.latencies, 99)) });
  const result = {
    nodes: 3,
    runs,
    rotationMs: { p50: round(percentile(rotations, 50)), max: round(Math.max(...rotations)) },
    writesDuringRotation: row('during rotations', during),
    writesQuiet: row('quiet, same length', quiet),
  };
  printTable([{ what: 'rotate-psk (3 nodes)', runs, p50Ms: result.rotationMs.p50, maxMs: result.rotationMs.max }]);
  printTable([result.writesDuringRotation, result.writesQuiet]);
  writeResult('psk-rotation', result);
}
