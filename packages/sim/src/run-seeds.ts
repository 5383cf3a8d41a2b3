import { runSimulation } from './simulation.js';
import type { SimResult } from './simulation.js';

export interface SeedRunOptions {
  /** First seed; seeds first .. first+count-1 run. */
  first: number;
  count: number;
  nodes?: number;
  mix?: string;
  steps?: number;
  onResult?: (r: SimResult) => void;
}

export interface SeedRunSummary {
  seeds: number;
  failures: SimResult[];
  ops: number;
  /** Operations whose client gave up: outcome unknown to the checker. */
  abandoned: number;
  committed: number;
  inconclusive: number;
  /** Coverage counters summed over all seeds. */
  coverage: Record<string, number>;
}

/** Runs a range of seeds and collects the failing ones. */
export function runSeeds(o: SeedRunOptions): SeedRunSummary {
  const summary: SeedRunSummary = { seeds: 0, failures: [], ops: 0, abandoned: 0, committed: 0, inconclusive: 0, coverage: {} };
  for (let seed = o.first; seed < o.first + o.count; seed++) {
    const r = runSimulation({ seed, nodes: o.nodes, mix: o.mix, steps: o.steps });
    summary.seeds++;
    summary.ops += r.stats.ops;
    summary.abandoned += r.stats.abandoned;
    summary.committed += r.stats.committed;
    if (r.stats.linearizability.startsWith('inconclusive')) summary.inconclusive++;
    for (const [k, v] of Object.entries(r.coverage)) summary.coverage[k] = (summary.coverage[k] ?? 0) + v;
    if (r.violation) summary.failures.push(r);
    o.onResult?.(r);
  }
  return summary;
}

export function failureLine(r: SimResult): string {
  return `FAIL seed ${r.seed} (mix ${r.mix}, ${r.nodes} nodes): ${r.violation!.message.split('\n')[0]} -- replay: ${r.replay}`;
}

export function coverageLine(coverage: Record<string, number>): string {
  return `coverage: ${Object.entries(coverage)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}`;
}
