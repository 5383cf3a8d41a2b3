// Builders for scheduler tests: small, explicit nodes and tasks.
import type { NodeInfo, ServiceSpec, Task } from '@shoal/types';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export function node(id: string, over: Partial<NodeInfo> = {}): NodeInfo {
  return {
    id,
    name: `host-${id}`,
    addresses: [],
    labels: {},
    resources: { cpuMillis: 4000, memoryBytes: 8 * GiB },
    drivers: ['docker', 'exec'],
    platform: { os: 'linux', arch: 'amd64' },
    availability: 'active',
    status: 'ready',
    role: 'learner',
    version: '0.1.0',
    createdAt: 0,
    updatedAt: 0,
    ...over,
  };
}

export function spec(name: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return { name, image: 'busybox', ...over };
}

/** A pending task `${service}.${slot}` of service `service`. */
export function task(service: string, slot: number, s: ServiceSpec = spec(service), over: Partial<Task> = {}): Task {
  return {
    id: `${service}.${slot}`,
    serviceId: `svc-${service}`,
    serviceName: service,
    serviceVersion: 1,
    slot,
    desiredState: 'running',
    status: { state: 'pending', timestamp: 0, message: '' },
    spec: s,
    createdAt: 0,
    updatedAt: 0,
    ...over,
  };
}

export function tasks(service: string, count: number, s: ServiceSpec = spec(service)): Task[] {
  return Array.from({ length: count }, (_, k) => task(service, k + 1, s));
}

/** A task already running on a node. */
export function running(service: string, slot: number, nodeId: string, s: ServiceSpec = spec(service)): Task {
  return task(service, slot, s, { nodeId, status: { state: 'running', timestamp: 0, message: '' } });
}

/** Tasks per node id for a placement. */
export function perNode(assignments: { nodeId: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of assignments) out[a.nodeId] = (out[a.nodeId] ?? 0) + 1;
  return out;
}

/** mulberry32: a tiny seeded PRNG so property tests replay exactly. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
