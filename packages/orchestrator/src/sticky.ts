/**
 * Sticky placement for data: a replicated task with a node-local named
 * volume goes back to the node that holds its slot's data, whatever the
 * reason it is replaced (restart, rolling update, failover of a task that
 * then comes back), unless:
 *  - the node was removed, or drained (the operator chose to move the data's users);
 *  - the node is down and the service's volumePolicy is `move` (start
 *    elsewhere with an empty volume, Swarm's silent behaviour, here explicit).
 * With `wait` (the default) a task whose node is down stays pending, pinned
 * to that node, with an explanation, until the node returns.
 */
import type { NodeInfo, ServiceSpec, Task } from '@shoal/types';

/** Named (not bind, not tmpfs, not anonymous) volumes: data that lives on one node. */
export function namedVolumes(spec: ServiceSpec): string[] {
  return (spec.mounts ?? []).filter((m) => m.type === 'volume' && m.source).map((m) => m.source!);
}

/** The node a slot's next task must use, if its data pins it. */
export function stickyNode(spec: ServiceSpec, slotTasks: Task[], nodes: Map<string, NodeInfo>): string | undefined {
  if ((spec.mode ?? 'replicated') !== 'replicated' || namedVolumes(spec).length === 0) return undefined;
  let last: Task | undefined;
  for (const t of slotTasks) {
    if (t.nodeId === undefined || t.status.state === 'rejected') continue;
    if (!last || t.createdAt > last.createdAt || (t.createdAt === last.createdAt && t.id > last.id)) last = t;
  }
  if (!last) return undefined;
  const node = nodes.get(last.nodeId!);
  if (!node || node.availability === 'drain') return undefined;
  if (node.status === 'down' && (spec.volumePolicy ?? 'wait') === 'move') return undefined;
  return node.id;
}

/** What a pending task pinned to its data says, before the scheduler's own reason. */
export function stickyReason(task: Task, nodes: Map<string, NodeInfo>, schedulerReason: string): string {
  const node = nodes.get(task.nodeId!);
  const name = node?.name ?? task.nodeId;
  const vols = namedVolumes(task.spec).join(', ');
  const why = node?.status === 'down' ? `node ${name} is down` : schedulerReason;
  return `waiting for node ${name}, which holds volume ${vols} of slot ${task.slot} (volumePolicy wait): ${why}; run \`shoal service update ${task.serviceName} --volume-policy move\` to start it elsewhere with an empty volume`;
}
