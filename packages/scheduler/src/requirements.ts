/**
 * What a task needs from a node, derived once per task group from its spec
 * so that filters and rankers compare plain numbers in the hot loop.
 */
import { bindSources, isShoalError, parseConstraint, type Constraint, type DriverName, type Platform, type Task } from '@shoal/types';
import { nodeField, type NodeField } from './node-field.js';
import { cpusToMillis } from './units.js';

export interface TaskRequirements {
  serviceId: string;
  serviceName: string;
  driver: DriverName;
  cpuMillis: number;
  memoryBytes: number;
  /** Published host ports as keys: port * 2 (+1 for udp), so tcp and udp never clash. */
  ports: number[];
  constraints: Constraint[];
  platforms: Platform[];
  /** 0 = unlimited. */
  maxPerNode: number;
  /** Node fields to spread over, outermost first. */
  preferences: { name: string; get: NodeField }[];
  /** Host paths the task binds: each must be in the node's reported hostPaths. */
  bindSources: string[];
  /** Set for tasks created for one node (global services). */
  pinnedNodeId?: string;
  /** Set when the spec cannot be placed anywhere as written (e.g. a malformed constraint). */
  invalid?: string;
}

export function portKey(port: number, protocol: string | undefined): number {
  return port * 2 + (protocol === 'udp' ? 1 : 0);
}

/**
 * Ports bound on the task's node: host mode only. An ingress port (the
 * default) is the routing mesh's on every node, so it is never a per-node
 * conflict and any number of replicas may share a node.
 */
export function hostPorts<P extends { mode?: 'ingress' | 'host' }>(ports: readonly P[] | undefined): P[] {
  return (ports ?? []).filter((p) => p.mode === 'host');
}

export function formatPortKey(key: number): string {
  return key % 2 === 1 ? `${key >> 1}/udp` : String(key >> 1);
}

export function taskRequirements(task: Task): TaskRequirements {
  const spec = task.spec ?? ({} as Task['spec']);
  const reservations = spec.resources?.reservations;
  const placement = spec.placement;
  const req: TaskRequirements = {
    serviceId: task.serviceId,
    serviceName: task.serviceName ?? spec.name ?? task.serviceId,
    driver: spec.driver ?? 'docker',
    cpuMillis: cpusToMillis(reservations?.cpus),
    memoryBytes: reservations?.memoryBytes ?? 0,
    ports: hostPorts(spec.ports).map((p) => portKey(p.published, p.protocol)),
    constraints: [],
    platforms: placement?.platforms ?? [],
    maxPerNode: placement?.maxReplicasPerNode ?? 0,
    preferences: [],
    bindSources: bindSources(spec),
  };
  if (task.nodeId !== undefined) req.pinnedNodeId = task.nodeId;
  try {
    req.constraints = (placement?.constraints ?? []).map((c) => parseConstraint(c));
  } catch (err) {
    req.invalid = isShoalError(err) ? err.message : String(err);
  }
  for (const pref of placement?.preferences ?? []) {
    const get = nodeField(pref.spread);
    if (!get) {
      req.invalid ??= `invalid placement preference "spread=${pref.spread}": spread over node.labels.<key> or a node field such as node.platform.os`;
      continue;
    }
    req.preferences.push({ name: pref.spread, get });
  }
  return req;
}
