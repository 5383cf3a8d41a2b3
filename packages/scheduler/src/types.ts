import type { NodeInfo, Task } from '@shoal/types';
import type { UsageLedger } from './usage.js';

export interface PlacementInput {
  nodes: NodeInfo[];
  /**
   * Tasks on nodes (with nodeId): desired running ones count for reservations, ports and spread; ones told to
   * stop but still accepted..running keep their reservations and ports until their agent reports them ended.
   */
  tasks: Task[];
  /** Tasks to place, each with its spec. A task that already has a nodeId may only go there. */
  pending: Task[];
  /** Node totals kept up to date by the caller: then `tasks` need only be those of the pending tasks' services. */
  usage?: UsageLedger;
}

export interface PlacementResult {
  assignments: { taskId: string; nodeId: string }[];
  unplaced: { taskId: string; reason: string }[];
}

/**
 * `spread` (default) puts each task on the least allocated node; `binpack`
 * on the most allocated one that still fits, keeping whole nodes free.
 */
export type PlacementStrategy = 'spread' | 'binpack';

export interface PlacementOptions {
  strategy?: PlacementStrategy;
}

export interface NodeExplanation {
  nodeId: string;
  name: string;
  eligible: boolean;
  /** Why the node cannot take the task; empty when eligible. */
  reasons: string[];
  /** Eligible nodes only; higher is better: the best node scores the number of eligible nodes, the worst 1. */
  score?: number;
}
