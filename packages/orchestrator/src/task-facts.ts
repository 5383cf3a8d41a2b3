/** Small predicates about tasks and nodes the reconcilers share. */
import { isTerminalTaskState, type NodeInfo, type Task } from '@shoal/types';

/** Waiting for a node (or, for a global task, for room on its node). */
export function isUnplaced(t: Task): boolean {
  return t.status.state === 'new' || t.status.state === 'pending';
}

/** Running and, when the spec has a health check, reported healthy. */
export function isUp(t: Task): boolean {
  if (t.status.state !== 'running') return false;
  const h = t.status.health;
  if (t.spec.healthcheck && t.spec.healthcheck.test[0] !== 'NONE') return h === 'healthy' || h === 'none';
  return h !== 'unhealthy' && h !== 'starting';
}

export function hasEnded(t: Task): boolean {
  return isTerminalTaskState(t.status.state);
}

/** Failed in a way a rolling update counts: the task stopped with an error, or runs unhealthy. */
export function hasFailed(t: Task): boolean {
  const s = t.status.state;
  return s === 'failed' || s === 'rejected' || (s === 'running' && t.status.health === 'unhealthy');
}

export type NodeCondition = 'ok' | 'lost' | 'drained';

/** How the node of an assigned task stands: lost (down or removed), drained, or fine. */
export function nodeCondition(t: Task, nodes: Map<string, NodeInfo>): NodeCondition {
  if (t.nodeId === undefined) return 'ok';
  const n = nodes.get(t.nodeId);
  if (!n || n.status === 'down') return 'lost';
  if (n.availability === 'drain') return 'drained';
  return 'ok';
}

/** Preference when a slot holds more than one live task: up first, then furthest along, then newest. */
export function betterTask(a: Task, b: Task): number {
  const rank = (t: Task) => (isUp(t) ? 100 : 0) + (hasEnded(t) ? -50 : 0) + ['new', 'pending', 'assigned', 'accepted', 'preparing', 'starting', 'running'].indexOf(t.status.state);
  return rank(b) - rank(a) || b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);
}
