/**
 * Runs each planted bug against the Raft unit tests (a child process with
 * the mutant preloaded) and the simulator (in this process, seeds until the
 * first violation), and reports which caught it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runSimulation } from '../simulation.js';
import { MUTATIONS, type Mutation } from './catalog.js';

export interface MutationResult {
  name: string;
  what: string;
  /** Raft unit tests that failed with the bug planted, of how many; null when not run. */
  unit: { failed: number; total: number; first: string | null } | null;
  /** The first seed whose run reported a violation, or null. */
  sim: { seed: number; mix: string; kind: string } | null;
  simSeeds: number;
}

const here = dirname(fileURLToPath(import.meta.url));
/** packages/sim/dist/src/mutations -> packages/raft/dist/test */
const RAFT_TESTS = join(here, '..', '..', '..', '..', 'raft', 'dist', 'test');

export function huntInSimulator(m: Mutation, seedsPerMix: number, steps = 150): { found: MutationResult['sim']; seeds: number } {
  const undo = m.plant();
  let seeds = 0;
  try {
    for (const mix of m.mixes) {
      for (let seed = 1; seed <= seedsPerMix; seed++) {
        seeds++;
        const r = runSimulation({ seed, mix, steps });
        if (r.violation) return { found: { seed, mix, kind: r.violation.kind }, seeds };
      }
    }
    return { found: null, seeds };
  } finally {
    undo();
  }
}

export function runUnitTests(m: Mutation): NonNullable<MutationResult['unit']> {
  // The codec tests (a 100k-buffer fuzz) take long and no mutation touches the codec.
  const files = readdirSync(RAFT_TESTS).filter((f) => f.endsWith('.test.js') && f !== 'codec.test.js').map((f) => join(RAFT_TESTS, f));
  // The scenarios the simulator once found, pinned message by message.
  files.push(join(here, '..', '..', 'test', 'raft-scenarios.test.js'));
  const preload = pathToFileURL(join(here, 'preload.js')).href;
  const res = spawnSync(process.execPath, ['--test', '--test-reporter=tap', '--test-concurrency=1', ...files], {
    env: { ...process.env, SHOAL_MUTATION: m.name, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`.trim() },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = res.stdout ?? '';
  const count = (label: string): number => Number(/^# (\w+) (\d+)$/m.exec(out.split('\n').filter((l) => l.startsWith(`# ${label} `)).pop() ?? '')?.[2] ?? 0);
  const first = /^\s*not ok \d+ - (.+)$/m.exec(out)?.[1] ?? null;
  return { failed: count('fail'), total: count('tests'), first };
}

export function runMutations(o: { only?: string; seedsPerMix: number; unit: boolean; onResult?: (r: MutationResult) => void }): MutationResult[] {
  const results: MutationResult[] = [];
  for (const m of MUTATIONS) {
    if (o.only !== undefined && m.name !== o.only) continue;
    const unit = o.unit ? runUnitTests(m) : null;
    const { found, seeds } = huntInSimulator(m, o.seedsPerMix);
    const r: MutationResult = { name: m.name, what: m.what, unit, sim: found, simSeeds: seeds };
    results.push(r);
    o.onResult?.(r);
  }
  return results;
}

export function caught(r: MutationResult): boolean {
  return r.sim !== null || (r.unit !== null && r.unit.failed > 0);
}

export function tableRow(r: MutationResult): string {
  const unit = r.unit === null ? 'not run' : r.unit.failed > 0 ? `${r.unit.failed}/${r.unit.total} fail` : `0/${r.unit.total} fail`;
  const sim = r.sim ? `seed ${r.sim.seed} ${r.sim.mix}: ${r.sim.kind}` : r.simSeeds === 0 ? 'no attacker in the sim' : `missed in ${r.simSeeds} seeds`;
  return `| ${r.name} | ${unit} | ${sim} | ${caught(r) ? 'yes' : 'NO'} |`;
}
