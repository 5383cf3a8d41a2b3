/**
 * Which tasks receive traffic. An endpoint is a task that is meant to run,
 * is running, passes its health check (when it has one), sits on a node not
 * declared down, and has an address on the network. A task told to stop
 * leaves at once (its desired state changes before its agent stops it).
 */
import { specNetworks, type Service, type Task } from '@shoal/types';
import type { ClusterView } from '@shoal/state';

export interface Endpoint {
  taskId: string;
  nodeId: string;
  slot: number;
  address: string;
}

export function isServing(view: ClusterView, t: Task): boolean {
  if (t.desiredState !== 'running' || t.status.state !== 'running' || t.nodeId === undefined) return false;
  const node = view.node(t.nodeId);
  if (!node || node.status === 'down') return false;
  const check = t.spec.healthcheck?.test;
  const hasCheck = check !== undefined && check[0] !== 'NONE';
  return hasCheck ? t.status.health === 'healthy' : t.status.health !== 'unhealthy';
}

/** The task's address on the first of `networks` it has one on. */
export function addressOn(t: Task, networks: readonly string[]): string | undefined {
  for (const n of networks) {
    const a = t.status.addresses?.[n];
    if (a !== undefined) return a;
  }
  return undefined;
}

/** Serving tasks of a service with their address on `network` (default: the service's networks, primary first), in a stable order. */
export function endpointsOf(view: ClusterView, s: Service, network?: string): Endpoint[] {
  const nets = network !== undefined ? [network] : specNetworks(s.spec).map((n) => n.name);
  const out: Endpoint[] = [];
  for (const t of view.tasksByService(s.id)) {
    if (!isServing(view, t)) continue;
    const address = addressOn(t, nets);
    if (address !== undefined) out.push({ taskId: t.id, nodeId: t.nodeId!, slot: t.slot, address });
  }
  return out.sort((a, b) => a.slot - b.slot || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
}
