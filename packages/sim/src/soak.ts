import { parseArgs } from 'node:util';
import { failureLine } from './run-seeds.js';
import { runSimulation } from './simulation.js';

/**
 * Long-running search for failing seeds: `node packages/sim/dist/src/soak.js --minutes M [--start S] [--steps K]`.
 * Runs consecutive seeds (all mixes, longer fault phases by default) until
 * the time is up, printing each failure with its replay command, a progress
 * line every 30 s, and at the end exactly `seeds: N, violations: V`.
 */
function main(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { minutes: { type: 'string' }, start: { type: 'string' }, steps: { type: 'string' } } });
  const minutes = Number(values.minutes ?? '10');
  if (!(minutes > 0)) throw new Error(`--minutes must be a positive number, got "${values.minutes}"`);
  // Wall-clock start seed by default, so successive soaks explore new seeds; printed so any run is reproducible.
  const start = values.start !== undefined ? Number(values.start) : (Date.now() % 1_000_000_000) * 10;
  const steps = values.steps !== undefined ? Number(values.steps) : 500;
  console.log(`soak: ${minutes} min from seed ${start}, ${steps} steps per seed`);
  const until = Date.now() + minutes * 60_000;
  let lastReport = Date.now();
  let seeds = 0;
  let violations = 0;
  for (let seed = start; Date.now() < until; seed++) {
    const r = runSimulation({ seed, steps });
    seeds++;
    if (r.violation) {
      violations++;
      console.log(failureLine(r));
    }
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      console.log(`... ${seeds} seeds, ${violations} violations, at seed ${seed}`);
    }
  }
  console.log(`seeds: ${seeds}, violations: ${violations}`);
  return violations > 0 ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(`soak: ${(err as Error).message}`);
  process.exitCode = 2;
}
