/**
 * A deterministic control-plane simulation: one ClusterState driven by
 * commands (no Raft: the log is the apply order), the orchestrator loop run
 * the way the leader runs it (on every change and at its wake time), a
 * thousand simulated agents, and seeded faults: node failures and returns,
 * drains, joins, scale changes, and rolling updates of which some fail and
 * must roll back. The same seed replays the same run.
 */
import { ClusterState, type Command, type NodeRegistration } from '@shoal/state';
import { reconcile } from '@shoal/orchestrator';
import { Rng } from '../rng.js';
import { checkConverged, checkNoOverReplication } from './invariants.js';
import { SimAgents } from './sim-agents.js';
import { DEFAULT_FAULTS, faultSchedule, initialServices, type Fault, type FaultCounts } from './workload.js';

export interface ControlPlaneSimOptions {
  seed: number;
  nodes?: number;
  /** Faults happen in [0, horizonMs); then the cluster must converge within settleMs. */
  horizonMs?: number;
  settleMs?: number;
  tickMs?: number;
  faults?: Partial<FaultCounts>;
}

export interface ControlPlaneSimResult {
  seed: number;
  converged: boolean;
  /** Empty when every invariant held. */
  violations: string[];
  simulatedMs: number;
  reconciles: number;
  commands: number;
  rejectedCommands: number;
  tasks: number;
  faults: number;
  /** Rolling updates that ended rolled back. */
  rollbacks: number;
  /** Changes with the run; equal for equal seeds. */
  fingerprint: string;
}

const MiB = 1024 * 1024;

function simNode(i: number, id = `node-${i}`): NodeRegistration {
  return {
    id,
    name: id,
    addresses: [`/ip4/10.${(i >> 8) & 255}.${i & 255}.1/tcp/4001`],
    labels: { zone: `z${(i % 4) + 1}` },
    resources: { cpuMillis: 4000, memoryBytes: 8192 * MiB },
    drivers: ['docker', 'exec'],
    platform: { os: 'linux', arch: 'amd64' },
    version: '0.1.0',
  };
}

function fnv(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function runControlPlaneSim(opts: ControlPlaneSimOptions): ControlPlaneSimResult {
  const nodeCount = opts.nodes ?? 1000;
  const horizon = opts.horizonMs ?? 60_000;
  const settle = opts.settleMs ?? 120_000;
  const tickMs = opts.tickMs ?? 100;
  const rng = new Rng(opts.seed);
  const faultRng = rng.fork();
  const idRng = rng.fork();
  const state = new ClusterState();
  const agents = new SimAgents(state, rng.fork(), tickMs);
  const violations: string[] = [];
  let index = 0;
  let changed = true;
  let commands = 0;
  let rejected = 0;
  let reconciles = 0;
  let rollbacks = 0;
  let fingerprint = 0;
  state.onChange(() => (changed = true));

  const apply = (cmd: Command) => {
    const r = state.apply(cmd, ++index);
    commands++;
    fingerprint = fnv(`${cmd.type}:${r.ok}`, fingerprint);
    if (!r.ok) rejected++;
  };

  const nodeIds: string[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const n = simNode(i);
    nodeIds.push(n.id);
    apply({ type: 'node.register', at: 0, node: n });
  }
  for (const s of initialServices()) apply({ type: 'service.create', at: 0, serviceId: s.id, spec: s.spec });
  const faults = faultSchedule(faultRng, nodeIds, horizon, { ...DEFAULT_FAULTS, ...opts.faults }, tickMs);
  let nextFault = 0;
  let nextWake: number | null = null;
  let quiet = 0;
  let now = 0;
  let converged = false;

  for (; now <= horizon + settle; now += tickMs) {
    while (nextFault < faults.length && faults[nextFault].at <= now) applyFault(faults[nextFault++], now);
    const report = agents.tick(now);
    if (report) apply(report);
    let proposed = 0;
    if (changed || (nextWake !== null && now >= nextWake)) {
      changed = false;
      const res = reconcile(state, now, () => idRng.next());
      reconciles++;
      for (const c of res.commands) apply(c);
      proposed = res.commands.length;
      rollbacks += res.commands.filter((c) => c.type === 'service.rollback').length;
      nextWake = res.plan.nextWakeAt;
      for (const v of checkNoOverReplication(state)) if (violations.length < 50) violations.push(`t=${now}: ${v}`);
    }
    const idle = proposed === 0 && !report && agents.pending === 0 && nextWake === null;
    quiet = idle && nextFault >= faults.length ? quiet + 1 : 0;
    if (quiet >= 3) {
      converged = true;
      break;
    }
  }
  if (!converged) violations.push(`did not converge within ${settle} ms after the last fault`);
  violations.push(...checkConverged(state).slice(0, 50));
  fingerprint = fnv(new TextDecoder().decode(state.snapshot()), fingerprint);

  return {
    seed: opts.seed,
    converged,
    violations,
    simulatedMs: now,
    reconciles,
    commands,
    rejectedCommands: rejected,
    tasks: state.tasks().length,
    faults: faults.length,
    rollbacks,
    fingerprint: fingerprint.toString(16),
  };

  function applyFault(f: Fault, at: number): void {
    switch (f.kind) {
      case 'down':
        apply({ type: 'node.down', at, nodeId: f.nodeId, message: 'simulated failure' });
        break;
      case 'up':
        apply({ type: 'node.up', at, nodeId: f.nodeId });
        break;
      case 'drain':
      case 'activate':
        apply({ type: 'node.availability', at, nodeId: f.nodeId, availability: f.kind === 'drain' ? 'drain' : 'active' });
        break;
      case 'join':
        apply({ type: 'node.register', at, node: simNode(nodeCount + nodeIds.length, f.nodeId) });
        break;
      case 'scale':
        apply({ type: 'service.scale', at, serviceId: f.serviceId, replicas: f.replicas });
        break;
      case 'update': {
        const svc = state.service(f.serviceId)!;
        const image = `${svc.spec.name}:${f.image}`;
        apply({ type: 'service.update', at, serviceId: f.serviceId, spec: { ...svc.spec, image } });
        break;
      }
    }
  }
}
