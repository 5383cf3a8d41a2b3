/**
 * Placement preferences (swarm's `spread=node.labels.zone`): candidate nodes
 * are grouped by the value of each preference in turn, and every task goes
 * to the value with the fewest tasks of the service so far, level by level,
 * then to the best node inside it. Nodes without the label share one
 * "missing" value. With no preferences the tree is a single leaf.
 */
import { Heap } from './heap.js';
import { RankHeap } from './rank-heap.js';
import type { TaskRequirements } from './requirements.js';

export interface Branch {
  /** Tasks of the service on the nodes under this branch (placed ones included). */
  count: number;
  /** Position of its value among its siblings, for a deterministic tie-break. */
  order: number;
  children?: Heap<Branch>;
  nodes?: RankHeap;
}

const branchBefore = (x: Branch, y: Branch) => (x.count !== y.count ? x.count < y.count : x.order < y.order);

export interface TreeSource {
  /** Tasks of the service on node i. */
  count(i: number): number;
  /** Pushes the node's rank onto a leaf heap, unless it cannot take a task now. */
  add(heap: RankHeap, i: number): void;
  /** The node's value for a preference field. */
  value(i: number, level: number): string | undefined;
}

/** Builds the branch over `nodes`; undefined when none of them can take a task now. */
export function buildTree(
  nodes: number[],
  req: TaskRequirements,
  source: TreeSource,
  onLeaf: (leaf: Branch, node: number) => void,
  level = 0,
  order = 0,
): Branch | undefined {
  let count = 0;
  for (const i of nodes) count += source.count(i);
  if (level === req.preferences.length) {
    const heap = new RankHeap();
    const leaf: Branch = { count, order, nodes: heap };
    for (const i of nodes) {
      onLeaf(leaf, i);
      source.add(heap, i);
    }
    return heap.size > 0 ? leaf : undefined;
  }
  const byValue = new Map<string, number[]>();
  for (const i of nodes) {
    const v = source.value(i, level) ?? '';
    (byValue.get(v) ?? byValue.set(v, []).get(v)!).push(i);
  }
  const children = new Heap<Branch>(branchBefore);
  const values = [...byValue.keys()].sort();
  values.forEach((v, k) => {
    const child = buildTree(byValue.get(v)!, req, source, onLeaf, level + 1, k);
    if (child) children.push(child);
  });
  return children.size > 0 ? { count, order, children } : undefined;
}

/**
 * Picks a node under `branch` with `pick` (which pops a leaf's heap), taking
 * the least loaded value at each level; drops exhausted branches. Returns the
 * node and bumps the counts along the path, or -1 when nothing under it fits.
 */
export function selectFromTree(branch: Branch, pick: (leaf: Branch) => number): number {
  if (branch.nodes) {
    const i = pick(branch);
    if (i >= 0) branch.count++;
    return i;
  }
  const children = branch.children!;
  for (let child = children.pop(); child; child = children.pop()) {
    const i = selectFromTree(child, pick);
    if (i >= 0) {
      children.push(child);
      branch.count++;
      return i;
    }
  }
  return -1;
}
