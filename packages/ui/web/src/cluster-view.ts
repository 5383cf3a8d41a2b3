/** Pure readings of the snapshot, named after what an operator asks. */
import type { ClusterMember, ClusterStatus } from '@shoal/api/contract';
import type { NodeInfo, Service, Task } from '@shoal/types';

/** ready, suspect (registered ready but the leader cannot reach it), down, unknown. */
export type NodeLiveness = 'ready' | 'suspect' | 'down' | 'unknown';

export function memberOf(cluster: ClusterStatus | null, nodeId: string): ClusterMember | undefined {
  return cluster ? [...cluster.voters, ...cluster.learners].find((m) => m.id === nodeId) : undefined;
}

export function nodeLiveness(node: NodeInfo, cluster: ClusterStatus | null): NodeLiveness {
  if (node.status !== 'ready') return node.status;
  const member = memberOf(cluster, node.id);
  return member && !member.healthy ? 'suspect' : 'ready';
}

export function nodeRoleLabel(node: NodeInfo, cluster: ClusterStatus | null): 'leader' | 'voter' | 'learner' {
  if (cluster?.leader?.id === node.id) return 'leader';
  return node.role;
}

/** Tasks that hold a place on a node: desired running and not finished. */
export function isActive(t: Task): boolean {
  return t.desiredState === 'running' && !FINISHED.has(t.status.state);
}

const FINISHED = new Set(['complete', 'shutdown', 'failed', 'rejected', 'orphaned']);

export function isFinished(t: Task): boolean {
  return FINISHED.has(t.status.state);
}

export function tasksOn(tasks: Task[], nodeId: string): Task[] {
  return tasks.filter((t) => t.nodeId === nodeId && isActive(t));
}

export interface Reserved {
  cpus: number;
  memoryBytes: number;
}

export function reservedOn(tasks: Task[], nodeId: string): Reserved {
  let cpus = 0;
  let memoryBytes = 0;
  for (const t of tasksOn(tasks, nodeId)) {
    cpus += t.spec.resources?.reservations?.cpus ?? 0;
    memoryBytes += t.spec.resources?.reservations?.memoryBytes ?? 0;
  }
  return { cpus, memoryBytes };
}

export function serviceTasks(tasks: Task[], service: Service): Task[] {
  return tasks.filter((t) => t.serviceId === service.id);
}

export function desiredReplicas(service: Service, nodes: NodeInfo[]): number {
  if (service.spec.mode === 'global') return nodes.filter((n) => n.status === 'ready' && n.availability === 'active').length;
  return service.spec.replicas ?? 1;
}

export function runningReplicas(tasks: Task[], service: Service): number {
  return serviceTasks(tasks, service).filter((t) => t.desiredState === 'running' && t.status.state === 'running').length;
}

export function pendingTasks(tasks: Task[]): Task[] {
  return tasks.filter((t) => t.desiredState === 'running' && t.status.state === 'pending');
}

/** How far a rolling update has got: tasks running the current version out of the desired count. */
export function updateProgress(tasks: Task[], service: Service, desired: number): { done: number; of: number } {
  const done = serviceTasks(tasks, service).filter((t) => t.desiredState === 'running' && t.status.state === 'running' && t.serviceVersion === service.version).length;
  return { done, of: desired };
}

export function nodeName(nodes: NodeInfo[], id: string | undefined): string {
  if (!id) return '(unassigned)';
  return nodes.find((n) => n.id === id)?.name ?? id.slice(-8);
}

/** Fields other helpers add to a service (networking): shown when present, whatever their shape. */
export function extraServiceFields(service: Service): [string, unknown][] {
  const known = new Set(['id', 'spec', 'version', 'previousSpec', 'createdAt', 'updatedAt', 'updateStatus', 'vip']);
  return Object.entries(service).filter(([k, v]) => !known.has(k) && v !== undefined && v !== null);
}
