// Property: for random clusters and batches (seeded, so any failure replays),
// no assignment ever breaks a filter given everything placed before it, and
// a task is left unplaced only when, after the batch, no node could take it.
// The oracle below re-implements the rules plainly, without the scheduler's code.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeInfo, ServiceSpec, Task } from '@shoal/types';
import { placeTasks } from '../src/index.js';
import { GiB, MiB, node, running, spec, task } from './fixtures.js';
import { seededRandom } from '@shoal/testkit';

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

interface OracleConstraint {
  text: string;
  holds: (n: NodeInfo) => boolean;
}
const CONSTRAINTS: OracleConstraint[] = [
  { text: 'node.labels.zone == z0', holds: (n) => n.labels.zone === 'z0' },
  { text: 'node.labels.zone != z1', holds: (n) => n.labels.zone !== 'z1' },
  { text: 'node.labels.disk == ssd', holds: (n) => n.labels.disk === 'ssd' },
  { text: 'node.platform.arch == arm64', holds: (n) => n.platform.arch === 'arm64' },
  { text: 'node.id != n3', holds: (n) => n.id !== 'n3' },
];

interface Service {
  spec: ServiceSpec;
  constraints: OracleConstraint[];
}

function randomNode(r: Rand, k: number): NodeInfo {
  const labels: Record<string, string> = {};
  if (r() < 0.8) labels.zone = pick(r, ['z0', 'z1', 'z2']);
  if (r() < 0.5) labels.disk = pick(r, ['ssd', 'hdd']);
  return node(`n${k}`, {
    labels,
    status: r() < 0.9 ? 'ready' : pick(r, ['down', 'unknown'] as const),
    availability: r() < 0.85 ? 'active' : pick(r, ['drain', 'pause'] as const),
    drivers: pick(r, [['docker'], ['docker', 'exec'], ['exec']] as NodeInfo['drivers'][]),
    platform: { os: 'linux', arch: pick(r, ['amd64', 'arm64']) },
    resources: { cpuMillis: pick(r, [0, 1000, 2000, 4000]), memoryBytes: pick(r, [0, 1, 2, 4].map((g) => g * GiB)) },
  });
}

function randomService(r: Rand, name: string): Service {
  const constraints = CONSTRAINTS.filter(() => r() < 0.15);
  const ports = [
    { published: 80, target: 80, mode: 'host' as const },
    { published: 80, target: 80, mode: 'host' as const, protocol: 'udp' as const },
    { published: 8080, target: 80, mode: 'host' as const },
  ].filter(() => r() < 0.15);
  return {
    constraints,
    spec: spec(name, {
      driver: r() < 0.2 ? 'exec' : undefined,
      resources: { reservations: { cpus: pick(r, [undefined, 0.25, 0.5, 1]), memoryBytes: pick(r, [undefined, 256 * MiB, 512 * MiB, GiB]) } },
      ports,
      placement: {
        constraints: constraints.map((c) => c.text),
        maxReplicasPerNode: pick(r, [0, 0, 1, 2]),
        platforms: r() < 0.1 ? [{ os: 'linux', arch: 'amd64' }] : undefined,
        preferences: r() < 0.3 ? [{ spread: 'node.labels.zone' }] : undefined,
      },
    }),
  };
}

/** Plain per-node bookkeeping the oracle checks assignments against. */
class Oracle {
  cpu = new Map<string, number>();
  mem = new Map<string, number>();
  ports = new Map<string, Set<string>>();
  count = new Map<string, number>();

  constructor(private readonly nodes: Map<string, NodeInfo>) {
    for (const n of nodes.values()) {
      this.cpu.set(n.id, n.resources.cpuMillis);
      this.mem.set(n.id, n.resources.memoryBytes);
      this.ports.set(n.id, new Set());
    }
  }

  add(t: Task, nodeId: string): void {
    const res = t.spec.resources?.reservations;
    this.cpu.set(nodeId, this.cpu.get(nodeId)! - Math.round((res?.cpus ?? 0) * 1000));
    this.mem.set(nodeId, this.mem.get(nodeId)! - (res?.memoryBytes ?? 0));
    for (const p of t.spec.ports ?? []) this.ports.get(nodeId)!.add(`${p.published}/${p.protocol ?? 'tcp'}`);
    const key = `${t.serviceId}@${nodeId}`;
    this.count.set(key, (this.count.get(key) ?? 0) + 1);
  }

  /** Why node cannot take t now, or undefined when it can. */
  violation(t: Task, service: Service, nodeId: string): string | undefined {
    const n = this.nodes.get(nodeId)!;
    const s = t.spec;
    const res = s.resources?.reservations;
    if (n.status !== 'ready' || n.availability !== 'active') return 'not ready/active';
    if (!n.drivers.includes(s.driver ?? 'docker')) return 'driver';
    if (s.placement?.platforms && !s.placement.platforms.some((p) => p.os === n.platform.os && p.arch === n.platform.arch)) return 'platform';
    const failed = service.constraints.find((c) => !c.holds(n));
    if (failed) return `constraint ${failed.text}`;
    // A task without a reservation is never refused for an over-committed node.
    const cpu = Math.round((res?.cpus ?? 0) * 1000);
    if (cpu > 0 && this.cpu.get(nodeId)! < cpu) return 'cpu';
    const mem = res?.memoryBytes ?? 0;
    if (mem > 0 && this.mem.get(nodeId)! < mem) return 'memory';
    if ((s.ports ?? []).some((p) => this.ports.get(nodeId)!.has(`${p.published}/${p.protocol ?? 'tcp'}`))) return 'port';
    const max = s.placement?.maxReplicasPerNode ?? 0;
    if (max > 0 && (this.count.get(`${t.serviceId}@${nodeId}`) ?? 0) >= max) return 'maxReplicasPerNode';
    return undefined;
  }
}

function scenario(seed: number) {
  const r = seededRandom(seed);
  const nodes = Array.from({ length: 1 + Math.floor(r() * 25) }, (_, k) => randomNode(r, k));
  const services = new Map<string, Service>();
  for (let k = 0; k < 1 + Math.floor(r() * 6); k++) services.set(`svc-s${k}`, randomService(r, `s${k}`));
  const names = [...services.keys()].map((id) => id.slice(4));
  const live: Task[] = [];
  for (let k = 0; k < Math.floor(r() * 30); k++) {
    const name = pick(r, names);
    live.push(running(name, 1000 + k, pick(r, nodes).id, services.get(`svc-${name}`)!.spec));
  }
  const pending: Task[] = [];
  for (const name of names) {
    for (let k = 1; k <= Math.floor(r() * 20); k++) pending.push(task(name, k, services.get(`svc-${name}`)!.spec));
  }
  return { nodes, services, live, pending };
}

describe('placement properties', () => {
  for (const strategy of ['spread', 'binpack'] as const) {
    it(`${strategy}: never breaks a filter, leaves a task unplaced only when nothing fits (300 seeds)`, () => {
      for (let seed = 1; seed <= 300; seed++) {
        const { nodes, services, live, pending } = scenario(seed);
        const result = placeTasks({ nodes, tasks: live, pending }, { strategy });
        const oracle = new Oracle(new Map(nodes.map((n) => [n.id, n])));
        for (const t of live) oracle.add(t, t.nodeId!);
        const byId = new Map(pending.map((t) => [t.id, t]));
        const seen = new Set<string>();
        for (const a of result.assignments) {
          const t = byId.get(a.taskId)!;
          const why = oracle.violation(t, services.get(t.serviceId)!, a.nodeId);
          assert.equal(why, undefined, `seed ${seed}: ${a.taskId} on ${a.nodeId} breaks ${why}`);
          oracle.add(t, a.nodeId);
          seen.add(a.taskId);
        }
        for (const u of result.unplaced) {
          const t = byId.get(u.taskId)!;
          const fits = nodes.find((n) => oracle.violation(t, services.get(t.serviceId)!, n.id) === undefined);
          assert.equal(fits, undefined, `seed ${seed}: ${u.taskId} unplaced (${u.reason}) but ${fits?.id} fits`);
          assert.match(u.reason, /^no suitable node \(\d+ nodes?: .+\)$/, `seed ${seed}`);
          seen.add(u.taskId);
        }
        assert.equal(seen.size, pending.length, `seed ${seed}: every pending task is either assigned or explained, once`);
        assert.equal(result.assignments.length + result.unplaced.length, pending.length, `seed ${seed}`);
      }
    });
  }
});
