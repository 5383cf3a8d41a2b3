/**
 * A wave of node returns at control-plane scale (issue 18): services with
 * `rebalance: auto` settle on N nodes, `leave` of them go down (their tasks
 * are replaced elsewhere), the same nodes come back empty, and the leader's
 * rebalance must even the spread out again. Checked as it runs: no more than
 * AUTO_MOVES_PER_MINUTE moves start in any 60 s window, no slot is moved
 * twice, a `rebalance: manual` service is never moved, no over-replication;
 * and at the end every auto service is within one task per node and the
 * cluster converged. Same loop as runControlPlaneSim: one ClusterState, the
 * leader's reconcile on every change and at its wake time, simulated agents.
 */
import { ClusterState, type Command, type NodeRegistration } from '@shoal/state';
import { AUTO_MOVES_PER_MINUTE, reconcile } from '@shoal/orchestrator';
import type { ServiceSpec } from '@shoal/types';
import { Rng } from '../rng.js';
import { checkConverged, checkNoOverReplication } from './invariants.js';
import { SimAgents } from './sim-agents.js';

const MiB = 1024 * 1024;
const MINUTE_MS = 60_000;

export interface RebalanceWaveOptions {
  seed: number;
  nodes?: number;
  /** Nodes that go down together and later come back together. */
  leave?: number;
  tickMs?: number;
  /** Give up on each phase after this much simulated time. */
  phaseLimitMs?: number;
}

/** Running tasks per ready, active node: the widest gap and the standard deviation, per service. */
export interface Spread {
  max: number;
  min: number;
  stddev: number;
}

export interface RebalanceWaveResult {
  seed: number;
  nodes: number;
  leave: number;
  tasks: number;
  /** Spread of each auto service once settled, after the nodes left, right after they returned, and at the end. */
  spread: { settled: Record<string, Spread>; afterLeave: Record<string, Spread>; onReturn: Record<string, Spread>; final: Record<string, Spread> };
  /** Rebalance moves started after the return, and the most started in any 60 s window. */
  moves: number;
  maxMovesPerMinute: number;
  /** From the return until the last move's old task stopped (the spread is even), and until nothing was left to do. */
  evenAfterMs: number;
  convergedAfterMs: number;
  /** The least time the cap allows for `moves` (moves / cap minutes, minus the first window). */
  capFloorMs: number;
  reconciles: number;
  rejectedCommands: number;
  violations: string[];
}

function simNode(i: number): NodeRegistration {
  const id = `node-${i}`;
  return {
    id,
    name: id,
    addresses: [`/ip4/10.${(i >> 8) & 255}.${i & 255}.1/tcp/4001`],
    labels: { zone: `z${(i % 4) + 1}` },
    resources: { cpuMillis: 8000, memoryBytes: 16384 * MiB },
    drivers: ['docker'],
    platform: { os: 'linux', arch: 'amd64' },
    version: '0.1.0',
  };
}

/** Two auto services of one task per node each (a service may have at most 1,000 replicas), and a manual one. */
function services(nodes: number): { id: string; spec: ServiceSpec }[] {
  const small = { reservations: { cpus: 0.1, memoryBytes: 64 * MiB } };
  const perService = Math.min(nodes, 1000);
  return [
    { id: 'svc-web', spec: { name: 'web', image: 'web:v1', replicas: perService, rebalance: 'auto', resources: small, update: { parallelism: 5 } } },
    {
      id: 'svc-api',
      spec: { name: 'api', image: 'api:v1', replicas: perService, rebalance: 'auto', resources: small, healthcheck: { test: ['CMD-SHELL', 'true'] }, update: { parallelism: 3 } },
    },
    // Manual: must stay where it is whatever the spread (a move of it is a violation).
    { id: 'svc-batch', spec: { name: 'batch', image: 'batch:v1', replicas: Math.max(1, Math.floor(nodes / 4)), resources: small } },
  ];
}

export function runRebalanceWave(opts: RebalanceWaveOptions): RebalanceWaveResult {
  const nodeCount = opts.nodes ?? 1000;
  const leave = Math.min(opts.leave ?? Math.floor(nodeCount / 10), nodeCount - 1);
  const tickMs = opts.tickMs ?? 100;
  const phaseLimit = opts.phaseLimitMs ?? 3_600_000;
  const rng = new Rng(opts.seed);
  const idRng = rng.fork();
  const state = new ClusterState();
  const agents = new SimAgents(state, rng.fork(), tickMs);
  const violations: string[] = [];
  const autoIds = ['svc-web', 'svc-api'];
  let index = 0;
  let changed = true;
  let reconciles = 0;
  let rejected = 0;
  let now = 0;
  let nextWake: number | null = null;
  // Every move: when it started, its slot, the task it replaces.
  const moves: { at: number; key: string; replaces: string; id: string }[] = [];
  const movedSlots = new Map<string, string>();
  const moverIds = new Set<string>();
  let lastMoveDone = -1;

  state.onChange((cmd) => {
    changed = true;
    if (cmd.type === 'task.create') {
      for (const t of cmd.tasks) {
        if (t.replaces === undefined) continue;
        const key = `${t.serviceName}.${t.slot}`;
        if (!autoIds.includes(t.serviceId)) violations.push(`t=${now}: ${key} of a rebalance: manual service was moved`);
        if (movedSlots.has(key)) violations.push(`t=${now}: ${key} moved twice (tasks ${movedSlots.get(key)} and ${t.id})`);
        if (moverIds.has(t.replaces)) violations.push(`t=${now}: task ${t.replaces}, itself a move, was moved again`);
        movedSlots.set(key, t.id);
        moverIds.add(t.id);
        moves.push({ at: now, key, replaces: t.replaces, id: t.id });
        const inWindow = moves.filter((m) => m.at > now - MINUTE_MS).length;
        if (inWindow > AUTO_MOVES_PER_MINUTE) violations.push(`t=${now}: ${inWindow} moves started within 60 s, cap ${AUTO_MOVES_PER_MINUTE}`);
      }
    }
    if (cmd.type === 'task.status') {
      for (const u of cmd.updates) if (u.status.state === 'shutdown' && moves.some((m) => m.replaces === u.taskId)) lastMoveDone = now;
    }
  });
  const apply = (cmd: Command) => {
    const r = state.apply(cmd, ++index);
    // A late agent report can be refused (the sim of runControlPlaneSim counts these too); the invariants decide.
    if (!r.ok) rejected++;
  };

  /** Runs the leader and agents until nothing is left to do; false when the phase limit passed first. */
  const settle = (): boolean => {
    const until = now + phaseLimit;
    let quiet = 0;
    for (; now <= until; now += tickMs) {
      const report = agents.tick(now);
      if (report) apply(report);
      let proposed = 0;
      if (changed || (nextWake !== null && now >= nextWake)) {
        changed = false;
        const res = reconcile(state, now, () => idRng.next());
        reconciles++;
        for (const c of res.commands) apply(c);
        proposed = res.commands.length;
        nextWake = res.plan.nextWakeAt;
        for (const v of checkNoOverReplication(state)) if (violations.length < 50) violations.push(`t=${now}: ${v}`);
      }
      quiet = proposed === 0 && !report && agents.pending === 0 && nextWake === null ? quiet + 1 : 0;
      if (quiet >= 3) return true;
    }
    return false;
  };
  const spreads = (): Record<string, Spread> => {
    const ready = state.nodes().filter((n) => n.status === 'ready' && n.availability === 'active');
    const out: Record<string, Spread> = {};
    for (const s of state.services()) {
      const count = new Map(ready.map((n) => [n.id, 0]));
      for (const t of state.tasksByService(s.id)) {
        if (t.desiredState === 'running' && t.status.state === 'running' && t.nodeId !== undefined && count.has(t.nodeId)) count.set(t.nodeId, count.get(t.nodeId)! + 1);
      }
      const v = [...count.values()];
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const stddev = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      out[s.spec.name] = { max: Math.max(...v), min: Math.min(...v), stddev: Math.round(stddev * 1000) / 1000 };
    }
    return out;
  };

  const nodeIds: string[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const n = simNode(i);
    nodeIds.push(n.id);
    apply({ type: 'node.register', at: 0, node: n });
  }
  for (const s of services(nodeCount)) {
    const r = state.apply({ type: 'service.create', at: 0, serviceId: s.id, spec: s.spec }, ++index);
    if (!r.ok) throw new Error(`rebalance wave: cannot create ${s.spec.name}: ${r.error.message}`);
  }
  if (!settle()) violations.push('the cluster did not settle before the wave');
  const settled = spreads();
  const before = moves.length;
  if (before > 0) violations.push(`${before} moves before any node left (the initial placement was uneven)`);

  const wave = rng.shuffle([...nodeIds]).slice(0, leave);
  for (const id of wave) apply({ type: 'node.down', at: now, nodeId: id, message: 'simulated failure (wave)' });
  if (!settle()) violations.push('the cluster did not settle after the nodes left');
  const afterLeave = spreads();
  const leaveMoves = moves.length;

  const returnedAt = now;
  for (const id of wave) apply({ type: 'node.up', at: now, nodeId: id });
  agents.touchAll();
  // The spread the returning nodes find: their old tasks are stopped, nothing new yet.
  const onReturn = spreads();
  const ok = settle();
  if (!ok) violations.push(`rebalance did not converge within ${phaseLimit} ms of the return`);
  const final = spreads();
  for (const id of autoIds) {
    const name = state.service(id)!.spec.name;
    const s = final[name]!;
    if (s.max - s.min > 1) violations.push(`${name}: spread ${s.min}..${s.max} after the rebalance, want within 1`);
  }
  violations.push(...checkConverged(state).slice(0, 50));

  const waveMoves = moves.slice(leaveMoves);
  let maxPerMinute = 0;
  for (const m of waveMoves) maxPerMinute = Math.max(maxPerMinute, waveMoves.filter((o) => o.at > m.at - MINUTE_MS && o.at <= m.at).length);
  return {
    seed: opts.seed,
    nodes: nodeCount,
    leave,
    tasks: state.tasks({ desiredState: 'running' }).length,
    spread: { settled, afterLeave, onReturn, final },
    moves: waveMoves.length,
    maxMovesPerMinute: maxPerMinute,
    evenAfterMs: lastMoveDone < 0 ? 0 : lastMoveDone - returnedAt,
    convergedAfterMs: now - returnedAt,
    capFloorMs: Math.max(0, Math.ceil(waveMoves.length / AUTO_MOVES_PER_MINUTE) - 1) * MINUTE_MS,
    reconciles,
    rejectedCommands: rejected,
    violations,
  };
}
