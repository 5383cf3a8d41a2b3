// Host pressure on simulated time: 5 nodes of 8 GiB with 30 ordinary tasks
// (250 MiB each, priority 10) and one memory hog on node1 (priority 0) that
// grows to 7.5 GiB. Each node's PSI is a function of its available memory
// plus seeded noise, sampled every second into the leader's PressureTracker;
// the real ClusterState, reconcile (pressure moves, scheduler filter) and
// obedient agents run each second. Reports moves per minute (max), pressure
// declarations, flaps (a node declared again within 5 min of recovering)
// and how long node1 stayed under pressure.
// `npm run bench -- pressure [--minutes N] [--seed S]`
// A real hog cannot be isolated here: every agent on this machine (loopback
// or Docker-in-Docker) shares one kernel and one /proc/pressure.
import { ClusterState, type Command } from '@shoal/state';
import { reconcile } from '@shoal/orchestrator';
import { PressureTracker, describeSample, type PressureSample } from '@shoal/membership';
import { GiB, MiB, nodeRegistration, seededRandom } from '@shoal/testkit';
import { isTerminalTaskState, type Task } from '@shoal/types';
import { printTable, round, writeResult } from './util.js';

const NODES = 5;
const NODE_MEM = 8 * GiB;
const TASK_MEM = 250 * MiB;
const HOG_MAX = 7.5 * GiB;

export async function main(args: string[]): Promise<void> {
  const minutes = Number(args[args.indexOf('--minutes') + 1] ?? 30) || 30;
  const seed = Number(args[args.indexOf('--seed') + 1] ?? 1) || 1;
  const rnd = seededRandom(seed);
  const state = new ClusterState();
  let now = 1_000_000;
  let index = 0;
  const apply = (cmd: Command) => state.apply(cmd, ++index);
  for (let i = 1; i <= NODES; i++) apply({ type: 'node.register', at: now, node: nodeRegistration(`node${i}`, { name: `node${i}`, resources: { cpuMillis: 4000, memoryBytes: NODE_MEM } }) });
  apply({ type: 'service.create', at: now, serviceId: 'web', spec: { name: 'web', image: 'x', replicas: 30, priority: 10 } });
  apply({ type: 'service.create', at: now, serviceId: 'hog', spec: { name: 'hog', image: 'x', replicas: 1, priority: 0, placement: { constraints: ['node.id == node1'] } } });
  const hogStart = new Map<string, number>();
  const usage = (t: Task) => (t.serviceName === 'hog' ? Math.min(HOG_MAX, (now - (hogStart.get(t.id) ?? now)) * 8 * MiB / 1000) : TASK_MEM);
  const tracker = new PressureTracker();
  const moves: number[] = [];
  const declared: { node: string; at: number }[] = [];
  const recovered = new Map<string, number>();
  let flaps = 0;
  let node1UnderMs = 0;
  const step = () => {
    const { commands } = reconcile(state, now, rnd);
    for (const c of commands) {
      apply(c);
      if (c.type === 'task.create') moves.push(...c.tasks.filter((t) => t.replaces !== undefined).map(() => now));
    }
    const updates = [];
    for (const t of state.tasks()) {
      if (!t.nodeId || t.status.state === 'new' || t.status.state === 'pending' || isTerminalTaskState(t.status.state)) continue;
      if (t.desiredState === 'running' && t.status.state !== 'running') {
        updates.push({ taskId: t.id, status: { state: 'running' as const, timestamp: now, message: 'started' } });
        if (t.serviceName === 'hog') hogStart.set(t.id, now);
      } else if (t.desiredState !== 'running') updates.push({ taskId: t.id, status: { state: 'shutdown' as const, timestamp: now, message: 'stopped' } });
    }
    if (updates.length > 0) apply({ type: 'task.status', at: now, updates });
  };
  // Once placed, the hog may run anywhere (as if its constraint were lifted after start): it is the task to move.
  for (let s = 0; s < 5; s++, now += 1000) step();
  const hogSvc = state.service('hog')!;
  apply({ type: 'service.update', at: now, serviceId: 'hog', spec: { ...hogSvc.spec, placement: {} }, expectVersion: hogSvc.version });
  for (let s = 0; s < minutes * 60; s++, now += 1000) {
    step();
    for (const n of state.nodes()) {
      const used = state.tasksByNode(n.id).filter((t) => t.desiredState === 'running' || !isTerminalTaskState(t.status.state)).filter((t) => t.status.state === 'running').reduce((a, t) => a + usage(t), 0);
      const avail = Math.max(0, 100 - (used / NODE_MEM) * 100);
      const sample: PressureSample = { memorySome10: Math.min(100, Math.max(0, (15 - avail) * 4 + (rnd() - 0.5) * 6)), cpuSome10: 3 + rnd() * 4, memoryAvailablePercent: avail };
      const committed = n.pressure?.level ?? 'normal';
      tracker.seed(n.id, committed, now);
      const level = tracker.observe(n.id, sample, now) ?? tracker.level(n.id);
      if (n.id === 'node1' && committed !== 'normal') node1UnderMs += 1000;
      if (level === committed) continue;
      if (level !== 'normal') {
        declared.push({ node: n.name, at: now });
        if (now - (recovered.get(n.id) ?? -Infinity) < 5 * 60_000) flaps++;
      } else recovered.set(n.id, now);
      apply({ type: 'node.pressure', at: now, nodeId: n.id, pressure: level === 'normal' ? null : { level, since: now, detail: describeSample(sample) } });
    }
  }
  const perMinute = new Map<number, number>();
  for (const t of moves) perMinute.set(Math.floor(t / 60_000), (perMinute.get(Math.floor(t / 60_000)) ?? 0) + 1);
  const result = {
    minutes,
    seed,
    moves: moves.length,
    maxMovesPerMinute: Math.max(0, ...perMinute.values()),
    declarations: declared.length,
    declaredOn: [...new Set(declared.map((d) => d.node))],
    flaps,
    node1UnderPressureSec: round(node1UnderMs / 1000, 0),
    stillUnderPressure: state.nodes().filter((n) => n.pressure).map((n) => n.name),
    timeline: [...declared.map((d) => `${Math.round((d.at - 1_005_000) / 1000)}s declared ${d.node}`), ...[...recovered].map(([id, at]) => `${Math.round((at - 1_005_000) / 1000)}s last recovery ${id}`), ...state.tasks().filter((t) => t.moveReason).map((t) => `${Math.round((t.createdAt - 1_005_000) / 1000)}s ${t.moveReason}`)].sort((a, b) => parseInt(a) - parseInt(b)),
  };
  printTable([result as unknown as Record<string, unknown>]);
  writeResult('pressure', result);
}
