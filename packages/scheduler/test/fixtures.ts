// Builders for scheduler tests: small, explicit nodes and tasks.
import type { NodeInfo, ServiceSpec, Task } from '@shoal/types';
import { nodeInfo, taskFixture } from '@shoal/testkit';

export { GiB, MiB } from '@shoal/testkit';

export function node(id: string, over: Partial<NodeInfo> = {}): NodeInfo {
  return nodeInfo(id, { name: `host-${id}`, ...over });
}

export function spec(name: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return { name, image: 'busybox', ...over };
}

/** A pending task `${service}.${slot}` of service `service`. */
export function task(service: string, slot: number, s: ServiceSpec = spec(service), over: Partial<Task> = {}): Task {
  return taskFixture(`${service}.${slot}`, s, slot, { serviceId: `svc-${service}`, serviceName: service, status: { state: 'pending', timestamp: 0, message: '' }, ...over });
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

