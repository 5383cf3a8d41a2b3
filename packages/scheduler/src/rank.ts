/**
 * Ranking. A node's rank for a task is one number, lowest first, with the
 * node index (its id order) as the final, deterministic tie-break. It packs,
 * most significant first:
 * - spread:  tasks of the service on the node, share reserved, tasks on the node
 * - binpack: share reserved (most first), tasks on the node (most first), tasks of the service
 * Placement preferences rank above both; the preference tree balances label
 * values before nodes are compared.
 *
 * Under spread every component only grows as tasks are placed, so a stale
 * rank is never worse than the true one; binpack ranks move the other way
 * and need a fresh rank whenever a node changes.
 */
import type { ClusterView } from './cluster-view.js';
import type { TaskRequirements } from './requirements.js';
import type { PlacementStrategy } from './types.js';

// Field widths: 15 + 22 + 12 = 49 bits, exact in a double. Share is kept to
// 1/2^20 (a millionth of a node) and capped at 4x over-commit; counts beyond
// the caps tie and fall to the node id.
const SHARE_STEPS = 2 ** 20;
const SHARE_MAX = 2 ** 22 - 1;
const COUNT_MAX = 2 ** 12 - 1;
const SERVICE_MAX = 2 ** 15 - 1;

const clamp = (v: number, max: number) => (v < 0 ? 0 : v > max ? max : v);

/** The node's rank for the task as it is now; lower is better, ties go to the lower node index. */
export function rankKey(view: ClusterView, i: number, req: TaskRequirements, counts: Int32Array, strategy: PlacementStrategy): number {
  const share = clamp(Math.round(view.allocatedShare(i, req) * SHARE_STEPS), SHARE_MAX);
  const tasks = clamp(view.taskCount[i], COUNT_MAX);
  const service = clamp(counts[i], SERVICE_MAX);
  if (strategy === 'binpack') return ((SHARE_MAX - share) * (COUNT_MAX + 1) + (COUNT_MAX - tasks)) * (SERVICE_MAX + 1) + service;
  return (service * (SHARE_MAX + 1) + share) * (COUNT_MAX + 1) + tasks;
}

/**
 * Spread only: may a node whose rank went stale (other services placed on it
 * since) be taken at its `fresh` rank when the best other candidate is
 * ranked `top` (a lower bound: stale ranks are never worse than true ones)?
 * Exactly when it is still first; and also when its count of this service
 * is the same as top's and its dominant share is within 1/64 of top's (or,
 * at equal shares, within one task). The pick is then within that much of
 * the least loaded node. Without this slack, once services interleave every
 * service re-ranks every node every round: O(services) per placement.
 */
const SHARE_SLACK = SHARE_STEPS / 64;
const TASK_SLACK = 1;
const TASK_UNIT = COUNT_MAX + 1;
const SERVICE_UNIT = (SHARE_MAX + 1) * TASK_UNIT;

export function closeEnough(freshKey: number, freshNode: number, topKey: number, topNode: number): boolean {
  if (freshKey < topKey || (freshKey === topKey && freshNode < topNode)) return true;
  const service = Math.floor(topKey / SERVICE_UNIT);
  if (Math.floor(freshKey / SERVICE_UNIT) !== service) return false;
  const freshLoad = freshKey - service * SERVICE_UNIT;
  const topLoad = topKey - service * SERVICE_UNIT;
  const freshShare = Math.floor(freshLoad / TASK_UNIT);
  const topShare = Math.floor(topLoad / TASK_UNIT);
  if (freshShare !== topShare) return freshShare - topShare <= SHARE_SLACK;
  return (freshLoad % TASK_UNIT) - (topLoad % TASK_UNIT) <= TASK_SLACK;
}
