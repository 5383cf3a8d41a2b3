/**
 * Ranking. A node's rank for a task is a tuple compared in order, lowest
 * first, with the node index (its id order) as the final, deterministic
 * tie-break:
 * - spread:  tasks of the service on the node, share reserved, tasks on the node
 * - binpack: share reserved (most first), tasks on the node (most first), tasks of the service
 * Placement preferences rank above both; they are handled by the
 * preference tree, which balances label values before nodes are compared.
 *
 * Under spread every component can only grow as tasks are placed, so a
 * stale rank is never worse than the true one; binpack ranks move the other
 * way and need a fresh rank whenever a node changes.
 */
import type { ClusterView } from './cluster-view.js';
import type { TaskRequirements } from './requirements.js';
import type { PlacementStrategy } from './types.js';

export interface Ranked {
  node: number;
  /** The node's version when the rank was computed. */
  version: number;
  a: number;
  b: number;
  c: number;
}

export function rankNode(view: ClusterView, i: number, req: TaskRequirements, counts: Int32Array, strategy: PlacementStrategy): Ranked {
  const share = view.allocatedShare(i, req);
  const version = view.version[i];
  if (strategy === 'binpack') return { node: i, version, a: -share, b: -view.taskCount[i], c: counts[i] };
  return { node: i, version, a: counts[i], b: share, c: view.taskCount[i] };
}

export function rankedBefore(x: Ranked, y: Ranked): boolean {
  if (x.a !== y.a) return x.a < y.a;
  if (x.b !== y.b) return x.b < y.b;
  if (x.c !== y.c) return x.c < y.c;
  return x.node < y.node;
}

export function sameRank(x: Ranked, y: Ranked): boolean {
  return x.a === y.a && x.b === y.b && x.c === y.c;
}
