/**
 * `npm run sim -- membership [--nodes 1000,5000] [--kills K] [--seed S] [--out FILE]`
 *
 * Runs the SWIM simulation for each cluster size (plus 50 nodes as the
 * per-node load baseline), prints a table and writes
 * bench/results/membership-sim.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { runSwimSim, type SwimSimResult } from './swim-sim.js';

export function membershipMain(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: 'string' },
      kills: { type: 'string' },
      seed: { type: 'string' },
      slow: { type: 'string' },
      loss: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('usage: npm run sim -- membership [--nodes 50,1000,5000] [--kills 20 (10 at 5000)] [--seed 1] [--slow 5] [--loss 0.01] [--out bench/results/membership-sim.json]');
    return 0;
  }
  const sizes = (values.nodes ?? '50,1000,5000').split(',').map((s) => Number(s));
  if (sizes.some((s) => !Number.isInteger(s) || s < 3)) throw new Error('--nodes takes a comma-separated list of integers >= 3');
  const results: SwimSimResult[] = [];
  for (const nodes of sizes) {
    const r = runSwimSim({
      nodes,
      seed: Number(values.seed ?? 1),
      // Kills cost simulated time at N nodes each; 5,000 nodes get 10 to stay within minutes on 2 cores.
      kills: Number(values.kills ?? (nodes >= 5000 ? 10 : 20)),
      slowNodes: Number(values.slow ?? 5),
      lossRate: Number(values.loss ?? 0.01),
    });
    results.push(r);
    console.log(
      `${String(nodes).padStart(5)} nodes: ${r.msgsPerNodePerSec} msgs/node/s (max ${r.msgsPerNodePerSecMax}), detect p50 ${r.detectP50Ms} ms p99 ${r.detectP99Ms} ms, ` +
        `dissemination p50 ${r.disseminationP50Ms} ms p99 ${r.disseminationP99Ms} ms, false positives ${r.falsePositives} (dead-declared live ${r.deadDeclaredAlive}, suspicions of live ${r.suspicionsOfLive}, refutations ${r.refutations}), undetected ${r.undetected}, ${r.wallSec} s wall`,
    );
  }
  const out = values.out ?? 'bench/results/membership-sim.json';
  const cases = results.map((r) => ({
    nodes: r.nodes,
    msgsPerNodePerSec: r.msgsPerNodePerSec,
    detectP50Ms: r.detectP50Ms,
    detectP99Ms: r.detectP99Ms,
    disseminationP99Ms: r.disseminationP99Ms,
    falsePositives: r.falsePositives,
    detail: r,
  }));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ command: `npm run sim -- membership ${argv.join(' ')}`.trim(), latency: '0.2-2 ms', loss: values.loss ?? 0.01, slowNodes: `${values.slow ?? 5} (+10-120 ms per message)`, cases }, null, 2) + '\n');
  console.log(`wrote ${out}`);
  return results.some((r) => r.falsePositives > 0 || r.undetected > 0) ? 1 : 0;
}
