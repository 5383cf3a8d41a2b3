/**
 * Pending tasks that share a spec (same service and version) are placed as a
 * group: static filters run once over the nodes, the feasible ones go into
 * the preference tree with a ranked heap per leaf, and each placement only
 * re-ranks the node it used. Feasibility is monotone within a batch (usage
 * only grows), so a node found unfit is dropped for good.
 */
import type { Task } from '@shoal/types';
import type { ClusterView } from './cluster-view.js';
import { explainNoFit, filtersFor, passes, type Filter } from './filters.js';
import { buildTree, selectFromTree, type Branch } from './preference-tree.js';
import { closeEnough, rankKey } from './rank.js';
import type { RankHeap } from './rank-heap.js';
import type { TaskRequirements } from './requirements.js';
import type { PlacementStrategy } from './types.js';

export interface PlacementGroup {
  readonly tasks: Task[];
  /** Places the next task; returns its node index, or -1 when no node fits. */
  placeNext(): number;
  /** Why the remaining tasks do not fit, with counts per filter. */
  whyUnplaced(): string;
}

export class TaskGroup implements PlacementGroup {
  private readonly dynamicFilters: Filter[];
  private readonly counts: Int32Array;
  private readonly candidates: number[];
  private readonly root: Branch | undefined;
  private readonly dead: Uint8Array;
  /** Binpack only: the leaf of each feasible node and the version last ranked, to re-rank nodes others changed. */
  private readonly leafOf: (Branch | undefined)[] = [];
  private readonly rankedVersion: Int32Array;
  private seenChanges: number;
  private lastLeaf: Branch | undefined;

  constructor(
    private readonly view: ClusterView,
    private readonly req: TaskRequirements,
    readonly tasks: Task[],
    private readonly strategy: PlacementStrategy,
  ) {
    const { staticFilters, dynamicFilters } = filtersFor(req);
    this.dynamicFilters = dynamicFilters;
    this.counts = view.countsOf(req.serviceId);
    this.candidates = Array.from({ length: view.size }, (_, i) => i);
    this.dead = new Uint8Array(view.size);
    this.rankedVersion = new Int32Array(strategy === 'binpack' ? view.size : 0).fill(-1);
    this.seenChanges = view.changes.length;
    if (req.invalid) return;
    const fit = this.candidates.filter((i) => passes(staticFilters, view, i, req));
    this.root = buildTree(
      fit,
      req,
      {
        count: (i) => this.counts[i],
        add: (heap, i) => this.rankInto(heap, i),
        value: (i, level) => req.preferences[level].get(view.nodes[i]),
      },
      (leaf, i) => {
        if (strategy === 'binpack') this.leafOf[i] = leaf;
      },
    );
  }

  placeNext(): number {
    if (!this.root) return -1;
    if (this.strategy === 'binpack') this.catchUp();
    const i = selectFromTree(this.root, (leaf) => this.pickFrom(leaf));
    if (i < 0) return -1;
    this.view.place(i, this.req);
    this.rankInto(this.lastLeaf!.nodes!, i);
    return i;
  }

  whyUnplaced(): string {
    return explainNoFit(this.view, this.candidates, this.req);
  }

  /** Ranks node i as it is now (lower is better), or marks it dead and returns -1 when it no longer fits. */
  private rank(i: number): number {
    if (!passes(this.dynamicFilters, this.view, i, this.req)) {
      this.dead[i] = 1;
      return -1;
    }
    if (this.strategy === 'binpack') this.rankedVersion[i] = this.view.version[i];
    return rankKey(this.view, i, this.req, this.counts, this.strategy);
  }

  private rankInto(heap: RankHeap, i: number): void {
    const key = this.rank(i);
    if (key >= 0) heap.push(i, this.view.version[i], key);
  }

  private pickFrom(leaf: Branch): number {
    const heap = leaf.nodes!;
    const version = this.view.version;
    this.lastLeaf = leaf;
    while (heap.pop()) {
      const i = heap.node;
      if (this.dead[i]) continue;
      if (heap.version === version[i]) return i;
      // Binpack keeps a fresh entry for every live node (catchUp), so a stale one is a leftover.
      if (this.strategy === 'binpack') continue;
      // Spread: a stale rank is never worse than the true one, so re-rank and retry.
      const key = this.rank(i);
      if (key < 0) continue;
      if (heap.size === 0 || closeEnough(key, i, heap.peekKey(), heap.peekNode())) return i;
      heap.push(i, version[i], key);
    }
    return -1;
  }

  /** Binpack: nodes others placed on may now rank better; give each a fresh entry. */
  private catchUp(): void {
    const changes = this.view.changes;
    for (; this.seenChanges < changes.length; this.seenChanges++) {
      const i = changes[this.seenChanges];
      const leaf = this.leafOf[i];
      if (!leaf || this.dead[i] || this.rankedVersion[i] === this.view.version[i]) continue;
      this.rankInto(leaf.nodes!, i);
    }
  }
}

/** Tasks created for one node (global services): that node takes them or nobody does. */
export class PinnedGroup implements PlacementGroup {
  private readonly node: number | undefined;
  private readonly filters: Filter[];

  constructor(
    private readonly view: ClusterView,
    private readonly req: TaskRequirements,
    readonly tasks: Task[],
  ) {
    this.node = view.indexById.get(req.pinnedNodeId!);
    const { staticFilters, dynamicFilters } = filtersFor(req);
    this.filters = [...staticFilters, ...dynamicFilters];
  }

  placeNext(): number {
    const i = this.node;
    if (i === undefined || this.req.invalid || !passes(this.filters, this.view, i, this.req)) return -1;
    this.view.place(i, this.req);
    return i;
  }

  whyUnplaced(): string {
    return explainNoFit(this.view, this.node === undefined ? [] : [this.node], this.req);
  }
}
