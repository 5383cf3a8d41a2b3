// Scheduler throughput: placements per second of placeTasks on synthetic
// clusters with labels (zone, disk), resources, constraints, preferences,
// ports and 10-100 services, next to a naive nodes x tasks loop.
// `npm run bench -- scheduler [--quick]`
import { performance } from 'node:perf_hooks';
import type { NodeInfo, ServiceSpec, Task } from '@shoal/types';
import { placeTasks, type PlacementInput, type PlacementStrategy } from '@shoal/scheduler';
import { GiB, MiB, seededRandom } from '@shoal/testkit';
import { printTable, round, writeResult } from './util.js';



const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

function makeNode(r: () => number, k: number): NodeInfo {
  return {
    id: `node-${String(k).padStart(5, '0')}`,
    name: `host-${k}`,
    addresses: [],
    labels: { zone: `z${k % 5}`, disk: r() < 0.3 ? 'ssd' : 'hdd', rack: `r${k % 40}` },
    resources: { cpuMillis: pick(r, [4000, 8000, 16000]), memoryBytes: pick(r, [16, 32, 64]) * GiB },
    drivers: ['docker', 'exec'],
    platform: { os: 'linux', arch: r() < 0.9 ? 'amd64' : 'arm64' },
    availability: r() < 0.01 ? 'drain' : 'active',
    status: r() < 0.01 ? 'down' : 'ready',
    role: 'learner',
    version: '0.1.0',
    createdAt: 0,
    updatedAt: 0,
  };
}

/** A mix of the specs people write: plain, constrained, spread over zones, with a host port, capped per node. */
function makeSpec(r: () => number, k: number): ServiceSpec {
  const constraints = [];
  if (k % 3 === 1) constraints.push(`node.labels.zone != z${k % 5}`);
  if (k % 7 === 2) constraints.push('node.labels.disk == ssd');
  if (k % 11 === 3) constraints.push('node.platform.arch == amd64');
  return {
    name: `svc${k}`,
    image: 'app:1',
    resources: { reservations: { cpus: pick(r, [0.05, 0.1, 0.25]), memoryBytes: pick(r, [64, 128, 256]) * MiB } },
    ports: k % 10 === 5 ? [{ published: 9000 + k, target: 80 }] : undefined,
    placement: {
      constraints,
      preferences: k % 4 === 0 ? [{ spread: 'node.labels.zone' }] : undefined,
      maxReplicasPerNode: k % 6 === 5 ? 4 : undefined,
    },
  };
}

function makeTask(id: string, k: number, spec: ServiceSpec, slot: number, nodeId?: string): Task {
  return {
    id,
    serviceId: `svc-${k}`,
    serviceName: spec.name,
    serviceVersion: 1,
    slot,
    nodeId,
    desiredState: 'running',
    status: { state: nodeId ? 'running' : 'pending', timestamp: 0, message: '' },
    spec,
    createdAt: 0,
    updatedAt: 0,
  };
}

export function workload(nodeCount: number, taskCount: number, serviceCount: number): PlacementInput {
  const r = seededRandom(nodeCount * 31 + taskCount);
  const nodes = Array.from({ length: nodeCount }, (_, k) => makeNode(r, k));
  const specs = Array.from({ length: serviceCount }, (_, k) => makeSpec(r, k));
  // Some load already running: one background task per node.
  const live = nodes.map((n, k) => makeTask(`live-${k}`, serviceCount + 1, { name: 'bg', image: 'bg', resources: { reservations: { cpus: 0.5, memoryBytes: GiB } } }, k + 1, n.id));
  const pending: Task[] = [];
  for (let t = 0; t < taskCount; t++) {
    const k = t % serviceCount;
    pending.push(makeTask(`t-${t}`, k, specs[k], Math.floor(t / serviceCount) + 1));
  }
  return { nodes, tasks: live, pending };
}

/**
 * The baseline: for each task, check every node and keep the best, with the
 * same rules and spread ranking (no preferences). nodes x tasks work.
 */
function naivePlace(input: PlacementInput): number {
  const n = input.nodes.length;
  const cpu = new Float64Array(n);
  const mem = new Float64Array(n);
  const count = new Int32Array(n);
  const ports = input.nodes.map(() => new Set<number>());
  const perService = new Map<string, Int32Array>();
  const index = new Map(input.nodes.map((node, i) => [node.id, i]));
  input.nodes.forEach((node, i) => {
    cpu[i] = node.resources.cpuMillis;
    mem[i] = node.resources.memoryBytes;
  });
  const use = (i: number, t: Task) => {
    cpu[i] -= Math.round((t.spec.resources?.reservations?.cpus ?? 0) * 1000);
    mem[i] -= t.spec.resources?.reservations?.memoryBytes ?? 0;
    count[i]++;
    for (const p of t.spec.ports ?? []) ports[i].add(p.published);
    const svc = perService.get(t.serviceId) ?? perService.set(t.serviceId, new Int32Array(n)).get(t.serviceId)!;
    svc[i]++;
  };
  for (const t of input.tasks) use(index.get(t.nodeId!)!, t);
  let placed = 0;
  for (const t of input.pending) {
    const needCpu = Math.round((t.spec.resources?.reservations?.cpus ?? 0) * 1000);
    const needMem = t.spec.resources?.reservations?.memoryBytes ?? 0;
    const constraints = (t.spec.placement?.constraints ?? []).map((c) => c.split(/\s*(==|!=)\s*/));
    const svc = perService.get(t.serviceId) ?? perService.set(t.serviceId, new Int32Array(n)).get(t.serviceId)!;
    const max = t.spec.placement?.maxReplicasPerNode ?? 0;
    let best = -1;
    for (let i = 0; i < n; i++) {
      const node = input.nodes[i];
      if (node.status !== 'ready' || node.availability !== 'active' || cpu[i] < needCpu || mem[i] < needMem) continue;
      if (max > 0 && svc[i] >= max) continue;
      if ((t.spec.ports ?? []).some((p) => ports[i].has(p.published))) continue;
      const ok = constraints.every(([key, op, value]) => {
        const actual = key.startsWith('node.labels.') ? node.labels[key.slice(12)] : key === 'node.platform.arch' ? node.platform.arch : undefined;
        return op === '==' ? actual === value : actual !== value;
      });
      if (!ok) continue;
      if (best < 0 || svc[i] < svc[best] || (svc[i] === svc[best] && count[i] < count[best])) best = i;
    }
    if (best >= 0) {
      use(best, t);
      placed++;
    }
  }
  return placed;
}

interface Timing {
  placed: number;
  ms: number;
  /** CPU time of this (single-threaded) process: steadier than wall time on a shared, busy machine. */
  cpuMs: number;
}

function timed(fn: () => number): Timing {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const placed = fn();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { placed, ms, cpuMs: (used.user + used.system) / 1000 };
}

/** Median of `runs` timed runs after one warm-up. */
function measure(fn: () => number, runs: number): Timing {
  fn();
  const results = Array.from({ length: runs }, () => timed(fn)).sort((a, b) => a.ms - b.ms);
  return results[Math.floor(results.length / 2)];
}

interface Size {
  nodes: number;
  tasks: number;
  services: number;
}

const perSec = (placed: number, ms: number) => Math.round(placed / (ms / 1000));

function row(impl: string, strategy: string, size: Size, m: Timing): Record<string, unknown> {
  return {
    impl,
    strategy,
    nodes: size.nodes,
    tasks: size.tasks,
    services: size.services,
    placed: m.placed,
    'wall ms': round(m.ms),
    'cpu ms': round(m.cpuMs),
    'placements/s': perSec(m.placed, m.ms),
    'per cpu-s': perSec(m.placed, m.cpuMs),
  };
}

function record(strategy: string, size: Size, m: Timing): Record<string, unknown> {
  return {
    nodes: size.nodes,
    tasks: size.tasks,
    services: size.services,
    strategy,
    placed: m.placed,
    ms: round(m.ms),
    cpuMs: round(m.cpuMs),
    placementsPerSec: perSec(m.placed, m.ms),
    placementsPerCpuSec: perSec(m.placed, m.cpuMs),
  };
}

export async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const sizes = [
    { nodes: 1000, tasks: 10_000, services: 20, runs: quick ? 3 : 7, naive: true },
    { nodes: 5000, tasks: 100_000, services: 100, runs: quick ? 1 : 3, naive: !quick },
  ];
  const rows: Record<string, unknown>[] = [];
  const cases: Record<string, unknown>[] = [];
  for (const size of sizes) {
    const input = workload(size.nodes, size.tasks, size.services);
    for (const strategy of ['spread', 'binpack'] as PlacementStrategy[]) {
      const m = measure(() => placeTasks(input, { strategy }).assignments.length, size.runs);
      rows.push(row('placeTasks', strategy, size, m));
      cases.push(record(strategy, size, m));
    }
    if (size.naive) {
      const m = measure(() => naivePlace(input), 1);
      rows.push(row('naive n x t', 'spread', size, m));
      cases.push({ ...record('spread', size, m), impl: 'naive' });
    }
  }
  printTable(rows);
  console.log('anchors: Nomad C1M ~3,750 placements/s; goal >= 20,000/s at 1,000 nodes x 10,000 tasks');
  writeResult('scheduler', { cases: cases.filter((c) => c.impl === undefined), baseline: cases.filter((c) => c.impl === 'naive') });
}
