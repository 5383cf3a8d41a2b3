import { parseArgs } from 'node:util';
import { AUTO_MOVES_PER_MINUTE } from '@shoal/orchestrator';
import { runRebalanceWave, type Spread } from './rebalance-wave.js';

/**
 * `npm run sim -- rebalance [--nodes 1000] [--leave 100] [--seeds 1] [--first 1] [--json]`:
 * the wave of node returns of issue 18 (see rebalance-wave.ts), one line of
 * spreads per phase and the moves; exit 1 when an invariant broke.
 */
export function rebalanceMain(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: { nodes: { type: 'string' }, leave: { type: 'string' }, seeds: { type: 'string' }, first: { type: 'string' }, json: { type: 'boolean' } },
  });
  const nodes = num(values.nodes, 'nodes') ?? 1000;
  const leave = num(values.leave, 'leave') ?? Math.floor(nodes / 10);
  const first = num(values.first, 'first') ?? 1;
  const count = num(values.seeds, 'seeds') ?? 1;
  let failed = 0;
  for (let seed = first; seed < first + count; seed++) {
    const started = Date.now();
    const r = runRebalanceWave({ seed, nodes, leave });
    const wall = ((Date.now() - started) / 1000).toFixed(1);
    if (values.json) console.log(JSON.stringify({ ...r, wallSeconds: Number(wall) }));
    else {
      console.log(`seed ${seed}: ${r.nodes} nodes, ${r.tasks} tasks, ${r.leave} nodes leave and return (${wall} s wall, ${r.reconciles} reconciles)`);
      console.log('| phase | ' + Object.keys(r.spread.final).map((s) => `${s} min..max (stddev)`).join(' | ') + ' |');
      console.log('|---|' + Object.keys(r.spread.final).map(() => '---').join('|') + '|');
      for (const [phase, by] of Object.entries(r.spread)) console.log(`| ${phase} | ${Object.values(by).map(cell).join(' | ')} |`);
      console.log(`moves after the return: ${r.moves} (max ${r.maxMovesPerMinute} in any 60 s, cap ${AUTO_MOVES_PER_MINUTE}); spread even ${secs(r.evenAfterMs)} after the return (the cap allows no less than ${secs(r.capFloorMs)}), nothing left to do after ${secs(r.convergedAfterMs)}`);
    }
    for (const v of r.violations.slice(0, 20)) console.log(`  VIOLATION seed ${seed}: ${v}`);
    if (r.violations.length > 0) failed++;
  }
  console.log(`seeds: ${count}, violations: ${failed}`);
  return failed > 0 ? 1 : 0;
}

function cell(s: Spread): string {
  return `${s.min}..${s.max} (${s.stddev})`;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new TypeError(`--${name} must be a positive integer, got "${v}"`);
  return n;
}
