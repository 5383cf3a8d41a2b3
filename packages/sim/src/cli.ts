import { parseArgs } from 'node:util';
import { MIXES } from './mixes.js';
import { coverageLine, failureLine, runSeeds } from './run-seeds.js';
import { runSimulation } from './simulation.js';
import { membershipMain } from './membership/membership-cli.js';
import { rebalanceMain } from './cluster/rebalance-cli.js';
import { caught, runMutations, tableRow } from './mutations/run.js';
import { MUTATIONS } from './mutations/catalog.js';

/**
 * `npm run sim -- --seeds N [--nodes M] [--seed S] [--mix name] [--steps K]`
 *
 * Runs seeds, prints each failing seed with the command that replays it,
 * and ends with exactly `seeds: N, violations: V` (exit 1 when V > 0).
 * `--seed S` replays one seed and prints its fault trace on failure.
 */
function main(argv: string[]): number {
  // `npm run sim -- membership ...`: the SWIM failure-detection simulation (its own command).
  if (argv[0] === 'membership') return membershipMain(argv.slice(1));
  if (argv[0] === 'mutations') return mutations(argv.slice(1));
  // `npm run sim -- rebalance ...`: the control-plane wave of node returns (issue 18).
  if (argv[0] === 'rebalance') return rebalanceMain(argv.slice(1));
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string' },
      first: { type: 'string' },
      seed: { type: 'string' },
      nodes: { type: 'string' },
      mix: { type: 'string' },
      steps: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(`usage: npm run sim -- --seeds N [--first F] [--nodes M] [--mix ${MIXES.map((m) => m.name).join('|')}] [--steps K]\n       npm run sim -- --seed S [--nodes M] [--mix X] [--steps K] [--verbose]`);
    return 0;
  }
  const nodes = int(values.nodes, 'nodes');
  const steps = int(values.steps, 'steps');
  const mix = values.mix;
  if (mix !== undefined && !MIXES.some((m) => m.name === mix)) throw new UsageError(`unknown mix "${mix}"; choose one of: ${MIXES.map((m) => m.name).join(', ')}`);
  if (values.seed !== undefined) {
    const r = runSimulation({ seed: int(values.seed, 'seed')!, nodes, mix, steps, verbose: true });
    const s = r.stats;
    console.log(`seed ${r.seed} mix ${r.mix} nodes ${r.nodes}: ${s.ops} ops (${s.completed} completed, ${s.abandoned} abandoned), ${s.committed} entries committed, ${s.messages} messages (${s.dropped} dropped), ${s.simMs} ms simulated, linearizability ${s.linearizability}`);
    console.log(coverageLine(r.coverage));
    if (r.violation) {
      if (values.verbose) for (const line of r.trace) console.log(line);
      console.log(failureLine(r));
      console.log(r.violation.message.split('\n').slice(1).join('\n'));
    }
    console.log(`seeds: 1, violations: ${r.violation ? 1 : 0}`);
    return r.violation ? 1 : 0;
  }
  const count = int(values.seeds, 'seeds') ?? 100;
  const first = int(values.first, 'first') ?? 1;
  const started = Date.now();
  const summary = runSeeds({ first, count, nodes, mix, steps, onResult: (r) => {
      if (r.violation) console.log(failureLine(r));
      else if (r.stats.linearizability !== 'ok') console.log(`INCONCLUSIVE seed ${r.seed} (mix ${r.mix}, ${r.nodes} nodes): linearizability ${r.stats.linearizability} -- replay: ${r.replay}`);
    },
  });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(coverageLine(summary.coverage));
  console.log(`${summary.ops} client ops (${summary.abandoned} with unknown outcome), ${summary.committed} entries committed, ${summary.inconclusive} inconclusive checks, ${secs} s`);
  console.log(`seeds: ${summary.seeds}, violations: ${summary.failures.length}`);
  return summary.failures.length > 0 ? 1 : 0;
}

/**
 * `npm run sim -- mutations [--seeds N] [--only NAME] [--no-unit]`: plants each bug of
 * mutations/catalog.ts in turn, runs the Raft unit tests and up to N seeds per mix, and prints
 * the table; exit 1 when a bug went unnoticed.
 */
function mutations(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { seeds: { type: 'string' }, only: { type: 'string' }, 'no-unit': { type: 'boolean' } } });
  const only = values.only;
  if (only !== undefined && !MUTATIONS.some((m) => m.name === only)) throw new UsageError(`unknown mutation "${only}"; choose one of: ${MUTATIONS.map((m) => m.name).join(', ')}`);
  const started = Date.now();
  console.log('| planted bug | unit tests (raft + sim scenarios) | simulator | caught |');
  console.log('|---|---|---|---|');
  const results = runMutations({ only, seedsPerMix: int(values.seeds, 'seeds') ?? 40, unit: !values['no-unit'], onResult: (r) => console.log(tableRow(r)) });
  const missed = results.filter((r) => !caught(r));
  console.log(`\nmutations: ${results.length}, caught: ${results.length - missed.length}, missed: ${missed.length} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  for (const r of results) console.log(`  ${r.name}: ${r.what}`);
  return missed.length > 0 ? 1 : 0;
}

class UsageError extends Error {}

function int(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got "${v}"`);
  return n;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof UsageError || (err as Error).name === 'TypeError' ? `sim: ${(err as Error).message}` : err);
  process.exitCode = 2;
}
