import { FaultInjector } from './faults.js';
import { checkLinearizable } from './linearizability.js';
import { mixByName, mixForSeed } from './mixes.js';
import { CALM_NETWORK } from './network.js';
import { SimCluster } from './sim-cluster.js';
import { SimViolation } from './violation.js';
import { checkLogMatching, checkNoLostWrites, checkReplicasAgree } from './final-checks.js';
import type { SimNode } from './sim-node.js';
import type { HistoryOp } from './history.js';

export interface SimOptions {
  seed: number;
  /** Initial voters; default 1 to 9, chosen by the seed. */
  nodes?: number;
  /** Fault mix name; default chosen by the seed. */
  mix?: string;
  /** Length of the fault phase in 10 ms steps. */
  steps?: number;
  /** Keep a trace of faults and print the failing key's history. */
  verbose?: boolean;
}

export interface SimResult {
  seed: number;
  nodes: number;
  mix: string;
  violation: { kind: string; message: string } | null;
  /** The command that replays this run exactly. */
  replay: string;
  stats: { simMs: number; ops: number; completed: number; abandoned: number; committed: number; messages: number; dropped: number; linearizability: string };
  /** How often each interesting path ran: elections, snapshotsInstalled, crashes, addLearner, ... */
  coverage: Record<string, number>;
  trace: string[];
  /** The client history (verbose runs only), for offline analysis. */
  history?: HistoryOp[];
}

export const DEFAULT_STEPS = 200;
/** Sim time the cluster gets to converge once faults stop. */
const CONVERGE_DEADLINE_MS = 30_000;

/** Runs one seeded simulation: a fault phase, then heal and converge, then the end-of-run checks. */
export function runSimulation(opts: SimOptions): SimResult {
  const mix = opts.mix ? mixByName(opts.mix) : mixForSeed(opts.seed);
  const nodes = opts.nodes ?? 1 + ((opts.seed >>> 3) % 9);
  const steps = opts.steps ?? DEFAULT_STEPS;
  // Client count varies with the seed: a few clients keep histories easy to read, many push batching and pipelining.
  const clients = [2, 4, 4, 8][(opts.seed >>> 4) % 4];
  const c = new SimCluster({ seed: opts.seed, nodes, mix, clients, keys: 3, verbose: opts.verbose ?? false });
  const replay = `npm run sim -- --seed ${opts.seed} --nodes ${nodes} --mix ${mix.name}${opts.steps !== undefined ? ` --steps ${steps}` : ''}`;
  let violation: SimResult['violation'] = null;
  let linearizability = 'not checked';
  try {
    const faults = new FaultInjector(c, mix);
    for (const client of c.clients) client.begin();
    const faultEnd = steps * 10;
    const faultTick = (): void => {
      if (c.queue.now >= faultEnd) return;
      faults.tick();
      c.queue.after(50, faultTick);
    };
    c.queue.after(50, faultTick);
    c.runUntil(faultEnd);
    heal(c);
    faults.settle();
    // Clients keep going on the healed cluster for a while, then drain.
    c.runUntil(c.queue.now + 1000);
    for (const client of c.clients) client.active = false;
    const deadline = c.queue.now + CONVERGE_DEADLINE_MS;
    while (!converged(c)) {
      if (c.queue.now >= deadline) throw new SimViolation('liveness', `no convergence ${CONVERGE_DEADLINE_MS} ms after faults stopped: ${describe(c)}`);
      faults.confirmRemovals();
      c.runUntil(c.queue.now + 50);
    }
    finalChecks(c);
    const lin = checkLinearizable(resolveAbandoned(c.history.ops, members(c)![0]));
    if (lin.ok === false) {
      if (opts.verbose) for (const op of lin.ops) c.traceLines.push(JSON.stringify(op));
      throw new SimViolation('linearizability', `history of key ${lin.key} (${lin.ops.length} ops) is not linearizable`);
    }
    linearizability = lin.ok === true ? 'ok' : `inconclusive (${lin.reason})`;
  } catch (thrown) {
    // The first violation recorded wins: RaftHost may have caught it and failed differently since.
    const err = c.failure ?? thrown;
    if (err instanceof SimViolation) violation = { kind: err.kind, message: err.message };
    else violation = { kind: 'sim-error', message: (err as Error).stack ?? String(err) };
  }
  const completed = c.clients.reduce((s, x) => s + x.completed, 0);
  return {
    seed: opts.seed,
    nodes,
    mix: mix.name,
    violation,
    replay,
    stats: {
      simMs: c.queue.now,
      ops: c.history.ops.length,
      completed,
      abandoned: c.clients.reduce((s, x) => s + x.abandoned, 0),
      committed: c.monitor.maxApplied,
      messages: c.network.stats.sent,
      dropped: c.network.stats.dropped,
      linearizability,
    },
    coverage: { ...c.coverage },
    trace: c.traceLines,
    history: opts.verbose ? c.history.ops : undefined,
  };
}

function heal(c: SimCluster): void {
  c.network.heal();
  c.network.faults = CALM_NETWORK;
  c.hostEnv.crashBeforeSync = 0;
  c.trace('faults stop: heal, calm network, restart every node');
  for (const [id, node] of c.nodes) {
    node.resume();
    c.restart(id);
  }
}

/**
 * Writes whose client gave up and that the converged state machine never
 * applied had no effect: drop them, so the checker's search only places the
 * abandoned writes that did take effect. (If the state machine lied about
 * it, the write's unique value would show up unexplained in some read.)
 */
function resolveAbandoned(ops: readonly HistoryOp[], replica: SimNode): HistoryOp[] {
  return ops.filter((op) => op.output !== null || op.input.kind === 'get' || op.tag === undefined || replica.kv.hasApplied(op.tag));
}

/** Members of the cluster as the current leader sees it, or null without a leader. */
function members(c: SimCluster): SimNode[] | null {
  const st = c.leader()?.status();
  if (!st) return null;
  return [...st.conf.voters, ...st.conf.learners].map((id) => c.nodes.get(id)).filter((n): n is SimNode => n !== undefined);
}

function converged(c: SimCluster): boolean {
  if (c.clients.some((x) => x.busy)) return false;
  const leader = c.leader();
  const st = leader?.status();
  const ms = members(c);
  if (!st || !ms || st.commit < st.lastIndex) return false;
  return ms.every((n) => {
    const s = n.status();
    return s !== null && n.kv.applied === st.commit && s.commit === st.commit;
  });
}

function describe(c: SimCluster): string {
  return [...c.nodes.values()]
    .map((n) => {
      const s = n.status();
      if (!s) return `${n.id}:${c.retired.has(n.id) ? 'retired' : 'down'}`;
      return `${n.id}:${s.role}/t${s.term}/c${s.commit}/a${n.kv.applied}/l${s.lastIndex}/v[${s.conf.voters.join(',')}]/L[${s.conf.learners.join(',')}]`;
    })
    .join(' ');
}

/** After convergence: no acknowledged write lost, identical replicas, matching logs. */
function finalChecks(c: SimCluster): void {
  const ms = members(c)!;
  for (const n of ms) n.disk.sync();
  const replicas = ms.map((n) => ({ id: n.id, kv: n.kv, log: n.disk.durableEntries() }));
  checkNoLostWrites(c.acknowledged, replicas);
  checkReplicasAgree(replicas);
  checkLogMatching(replicas);
}
